// Who signs for an agency (issue 13 point 2; domain/signing-authority.ts): an admin of its scope names the head and,
// for a commune, the collective body; plans delegations for a period (a deputy signs "KT.", or someone "TL.") and
// revokes them; every change audited. Signing reads `signingTitleFor` for the title block the attestation prints,
// and the leaders' queue shows who signs today.
import { DELEGATION_KIND_LABELS, delegationInForce, signingTitle, type DelegationKind } from '../../domain/signing-authority.js';
import type { DelegationRecord, SigningAuthorityRecord } from '../../domain/admin-audit.js';
import { DomainError } from '../../domain/errors.js';
import { checkText } from '../../domain/text.js';
import type { Actor } from '../../domain/types.js';
import { isIsoDay } from '../../domain/appointments.js';
import { parseVnDate, vnIsoDate } from '../../domain/vn-time.js';
import type { Db } from '../../lib/db.js';
import { getAgency, recordedChange } from '../admin/service.js';
import * as q from './queries.js';

const NOT_FOUND = 'Không tìm thấy phân công ký thay này trong phạm vi quản trị của bạn.';

/** The title block for this signer now: the head's own title, "KT."/"TL." for the head, "TM." above for a collective. */
export async function signingTitleFor(db: Db, actor: Actor, day = vnIsoDate(new Date())): Promise<string> {
  const a = await q.authorityRow(db, actor.agencyCode);
  const head = a?.head_username ? { username: a.head_username, title: a.head_title ?? '' } : null;
  const d = head && head.username !== actor.username ? await q.delegationInForceFor(db, actor.agencyCode, actor.username, day) : undefined;
  return signingTitle({ head, collective: a?.collective_name ?? null }, { username: actor.username, title: actor.title ?? '' }, (d?.kind as DelegationKind | undefined) ?? null);
}

/** Who signs today, for the leaders' queue: the head, and the delegations in force. */
export async function signersToday(db: Db, agencyCode: string, day = vnIsoDate(new Date())) {
  const a = await q.authorityRow(db, agencyCode);
  const delegations = (await q.delegationsOf(db, agencyCode)).filter((d) => delegationInForce(d, day));
  return {
    head: a?.head_username ? { username: a.head_username, name: a.head_name ?? a.head_username, title: a.head_title ?? '' } : null,
    delegations: delegations.map((d) => ({ name: d.deputy_name, title: d.deputy_title, kind: DELEGATION_KIND_LABELS[d.kind], fromDay: d.from_day, toDay: d.to_day })),
  };
}

export async function authorityOf(db: Db, actor: Actor, agencyCode: string) {
  const agency = await getAgency(db, actor, agencyCode);
  const a = (await q.authorityRow(db, agency.code))!;
  return {
    agency: { code: agency.code, name: agency.name }, headUsername: a.head_username, collective: a.collective_name,
    signers: await q.signersOf(db, agency.code), delegations: await q.delegationsOf(db, agency.code),
  };
}

const record = (a: { head_username: string | null; collective_name: string | null }): SigningAuthorityRecord => ({ headUsername: a.head_username, collective: a.collective_name });

/** The head (one of the agency's signers, or none) and the collective body (optional text). */
export async function setAuthority(db: Db, actor: Actor, agencyCode: string, input: { headUsername: unknown; collective: unknown }) {
  const agency = await getAgency(db, actor, agencyCode);
  const headUsername = typeof input.headUsername === 'string' && input.headUsername.trim() ? input.headUsername.trim() : null;
  if (input.headUsername !== undefined && input.headUsername !== null && typeof input.headUsername !== 'string') throw new DomainError('validation', 'Trường "headUsername" phải là chuỗi ký tự.', 'headUsername');
  if (headUsername && !(await q.signersOf(db, agency.code)).some((s) => s.username === headUsername)) {
    throw new DomainError('validation', `Người đứng đầu phải là người có quyền ký bản sao tại ${agency.name}.`, 'headUsername');
  }
  const c = checkText(input.collective ?? '', { label: 'Tập thể lãnh đạo (TM.)', max: 120 });
  if (!c.ok) throw new DomainError('validation', c.message, 'collective');
  const collective = c.value || null;
  return recordedChange(db, actor, async (trx) => {
    const before = (await q.authorityRow(trx, agency.code))!;
    if (before.head_username === headUsername && before.collective_name === collective) return { value: null, agencyCode: agency.code, event: null };
    await q.setAuthority(trx, agency.code, headUsername, collective);
    return { value: null, agencyCode: agency.code, event: { entity: 'signing_authority', entityId: agency.code, action: 'updated', before: record(before), after: { headUsername, collective } } };
  }).then(() => authorityOf(db, actor, agency.code));
}

const day = (raw: unknown, label: string, field: string): string => {
  const s = typeof raw === 'string' ? raw.trim() : '';
  const iso = isIsoDay(s) ? s : parseVnDate(s);
  if (!iso) throw new DomainError('validation', `${label} không hợp lệ (dd/mm/yyyy).`, field);
  return iso;
};

type DelegationRow = NonNullable<Awaited<ReturnType<typeof q.delegation>>>;
const delegationRecord = (d: DelegationRow): DelegationRecord => ({ agencyCode: d.agency_code, deputyUsername: d.deputy_username, kind: d.kind, fromDay: d.from_day, toDay: d.to_day, note: d.note, revoked: Boolean(d.revoked_at) });

/** A planned delegation: a signer of the agency (not its head) signs for the head from one day to another. */
export async function addDelegation(db: Db, actor: Actor, agencyCode: string, input: { deputyUsername: unknown; kind: unknown; fromDay: unknown; toDay: unknown; note: unknown }) {
  const agency = await getAgency(db, actor, agencyCode);
  const a = (await q.authorityRow(db, agency.code))!;
  if (!a.head_username) throw new DomainError('conflict', `Chưa chọn người đứng đầu của ${agency.name}: chọn trước khi phân công ký thay.`);
  const deputy = typeof input.deputyUsername === 'string' ? input.deputyUsername.trim() : '';
  if (!(await q.signersOf(db, agency.code)).some((s) => s.username === deputy)) throw new DomainError('validation', 'Người ký thay phải là người có quyền ký bản sao của cơ quan.', 'deputyUsername');
  if (deputy === a.head_username) throw new DomainError('validation', 'Người đứng đầu ký bằng chức danh của mình, không cần phân công ký thay.', 'deputyUsername');
  const kind = input.kind === 'TL' ? 'TL' : input.kind === 'KT' || input.kind === undefined || input.kind === '' ? 'KT' : null;
  if (!kind) throw new DomainError('validation', 'Hình thức ký phải là KT (ký thay) hoặc TL (thừa lệnh).', 'kind');
  const fromDay = day(input.fromDay, 'Từ ngày', 'fromDay');
  const toDay = day(input.toDay, 'Đến ngày', 'toDay');
  if (toDay < fromDay) throw new DomainError('validation', 'Đến ngày không được trước từ ngày.', 'toDay');
  if (toDay < vnIsoDate(new Date())) throw new DomainError('validation', 'Thời gian ký thay đã qua.', 'toDay');
  const n = checkText(input.note ?? '', { label: 'Ghi chú', max: 200 });
  if (!n.ok) throw new DomainError('validation', n.message, 'note');
  return recordedChange(db, actor, async (trx) => {
    const { id } = await q.insertDelegation(trx, { agency_code: agency.code, deputy_username: deputy, kind, from_day: fromDay, to_day: toDay, note: n.value, created_by: actor.username });
    const d = (await q.delegation(trx, id))!;
    return { value: d, agencyCode: agency.code, event: { entity: 'delegation', entityId: String(id), action: 'created', before: null, after: delegationRecord(d) } };
  });
}

export async function revokeDelegation(db: Db, actor: Actor, id: number) {
  const d = Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647 ? await q.delegation(db, id) : undefined;
  if (!d) throw new DomainError('not_found', NOT_FOUND);
  await getAgency(db, actor, d.agency_code).catch((e) => { throw e instanceof DomainError && e.code === 'forbidden' ? e : new DomainError('not_found', NOT_FOUND); });
  if (d.revoked_at) return d;
  return recordedChange(db, actor, async (trx) => {
    await q.revokeDelegation(trx, id, actor.username);
    const after = (await q.delegation(trx, id))!;
    return { value: after, agencyCode: d.agency_code, event: { entity: 'delegation', entityId: String(id), action: 'revoked', before: delegationRecord(d), after: delegationRecord(after) } };
  });
}
