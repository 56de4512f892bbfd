// The use cases of administration, shared by the screens and the JSON API: the agency tree (list, create, edit,
// move, deactivate) inside the acting administrator's scope, and the audit of every administrative change.
//
// Scope: an `admin` role on an agency covers that agency and every agency under it, at any depth. The actor's
// roles are those of its agency (Actor.agencyCode), so its scope is that agency's subtree. A system administrator
// is the administrator of a root agency (one without a parent): its scope is that whole tree. Roots are made at
// installation (the seed, a migration), never through the administration: every agency created or moved here
// goes under an agency of the actor's scope. Anything outside the scope is answered as if it did not exist (404),
// for reads and writes alike.
//
// Every accepted change writes one admin_events row in the transaction of the change (`recordedChange`): a
// refusal or a failure changes nothing and records nothing. Later slices record their changes the same way.
import { ADMIN_ACTION_LABELS, ADMIN_ENTITY_LABELS, AGENCY_FIELD_LABELS, PROCESS_FIELD_LABELS, ACCOUNT_FIELD_LABELS, CATALOGUE_FIELD_LABELS, changedFields, actorText, RECORD_VALUE_LABELS, type AdminAction, type AdminActorKind, type AdminEntity, type AdminEvent } from '../../domain/admin-audit.js';
import { APPOINTMENT_STATUS_LABELS, type AppointmentStatus } from '../../domain/appointments.js';
import { AGENCY_KIND_LABELS, isPortalCode, PORTAL_CODE_MESSAGE, type Agency, type AgencyKind } from '../../domain/agency.js';
import { DomainError } from '../../domain/errors.js';
import { ROLE_LABELS, type Actor, type Role } from '../../domain/types.js';
import { stepLabel, type ProcessStep } from '../../domain/process.js';
import { TEMPLATE_FIELD_LABELS } from '../../domain/templates.js';
import { vnDateOfDay, vnDateTime } from '../../domain/vn-time.js';
import type { Db } from '../../lib/db.js';
import { reportSheet, xlsxBuffer } from '../http/excel.js';
import { assertRole } from '../http/guards.js';
import * as q from './queries.js';

export const ADMIN_ONLY = 'Chỉ quản trị viên được dùng chức năng quản trị.';
const NOT_IN_SCOPE = (code: string) => `Không tìm thấy cơ quan, đơn vị ${code} trong phạm vi quản trị của bạn.`;
const PARENT_NOT_IN_SCOPE = (code: string) => `Không tìm thấy cơ quan cấp trên ${code} trong phạm vi quản trị của bạn.`;
/** At most this many events go into one export (newest first). */
export const AUDIT_EXPORT_MAX = 10_000;

/** The agency whose subtree the actor administers (403 without the admin role). */
export function scopeOf(actor: Actor): string {
  assertRole(actor, 'admin', ADMIN_ONLY);
  return actor.agencyCode;
}

/** `top` and every agency under it, in tree order (a supervisor's reach; no role check here). */
export const subtreeOf = (db: Db, top: string) => q.listSubtree(db, top);

/** Whether `code` is `top` or an agency under it, at any depth (a supervisor's or tester's reach, too). */
export const withinSubtree = (db: Db, top: string, code: string) => q.inSubtree(db, top, code);

/**
 * Runs an administrative change and records its event in one transaction: both happen or neither. `change` makes
 * the change with the transaction it is given and returns its result, the event (null: nothing changed, nothing
 * recorded) and the agency the changed thing belongs to (an agency: itself; a user, later: its agency).
 */
export async function recordedChange<T>(db: Db, actor: Actor, change: (trx: Db) => Promise<{ value: T; event: AdminEvent | null; agencyCode: string }>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const { value, event, agencyCode } = await change(trx);
    if (event) await q.insertAdminEvent(trx, { actor: actor.username, agencyCode, event });
    return value;
  });
}

/**
 * Records the event of a change another feature makes in its own transaction `trx` (a register book, an image, a
 * certificate, an appointment): written with the change or not at all. `actorKind` 'citizen': a portal account.
 */
export const recordAdminEvent = (trx: Db, e: { actor: string; actorKind?: AdminActorKind; agencyCode: string; event: AdminEvent }) => q.insertAdminEvent(trx, e);

/** Removes the event of a change its feature undid as if never made (an appointment whose workflow did not start). */
export const unrecordAdminEvent = (trx: Db, e: { entity: AdminEntity; entityId: string; action: AdminAction }) => q.deleteAdminEvent(trx, e);

/** Joins the acting account's full name (actor_name) to a query of admin_events, by the kind of account. */
export const withActorName = q.withActorName;

/**
 * Is the actor a system administrator: an admin of a root agency (one without a parent)? System-wide catalogues
 * (document types, national public holidays) are changed by them only.
 */
export async function isSystemAdmin(db: Db, actor: Actor): Promise<boolean> {
  if (!actor.roles.includes('admin')) return false;
  const agency = await q.findAgency(db, actor.agencyCode);
  return !!agency && agency.parentCode === null;
}

// ---- agencies ------------------------------------------------------------------------------------------------

export interface AgencyInput { code: string; name: string; parentCode: string; portalCode: string; kind?: AgencyKind; address?: string }
export interface AgencyPatch { code?: string; name?: string; parentCode?: string | null; portalCode?: string; kind?: AgencyKind; address?: string; active?: boolean }

/** The actor's scope in tree order, each agency with its depth under the scope's top (0). */
export const listAgencies = (db: Db, actor: Actor) => q.listSubtree(db, scopeOf(actor));

/** One agency of the actor's scope (404 outside it). */
export async function getAgency(db: Db, actor: Actor, code: string): Promise<Agency> {
  const scope = scopeOf(actor);
  const agency = await q.findAgency(db, code);
  if (!agency || !(await q.inSubtree(db, scope, code))) throw new DomainError('not_found', NOT_IN_SCOPE(code));
  return agency;
}

/** Whether an agency is in the actor's scope (403 without the admin role): for the things that belong to one (accounts). */
export const inScope = async (db: Db, actor: Actor, agencyCode: string) => q.inSubtree(db, scopeOf(actor), agencyCode);

/** The agency's parent, by code and name (shown on the agency's own form, even when outside the scope). */
export async function parentOf(db: Db, agency: Agency): Promise<{ code: string; name: string } | null> {
  const parent = agency.parentCode ? await q.findAgency(db, agency.parentCode) : null;
  return parent ? { code: parent.code, name: parent.name } : null;
}

/** The new parent: an active agency of the scope. */
async function parentInScope(db: Db, scope: string, code: string): Promise<Agency> {
  const parent = await q.findAgency(db, code);
  if (!parent || !(await q.inSubtree(db, scope, code))) throw new DomainError('not_found', PARENT_NOT_IN_SCOPE(code), 'parentCode');
  if (!parent.active) throw new DomainError('wrong_state', `Cơ quan cấp trên “${parent.name}” đã ngừng hoạt động: không thêm hay chuyển cơ quan, đơn vị vào đó được.`, 'parentCode');
  return parent;
}

/** The portal code opens the agency's dossier codes: its form, and no other agency's (now or in its dossiers). */
async function checkPortalCode(db: Db, portalCode: string, code: string) {
  if (!isPortalCode(portalCode)) throw new DomainError('validation', PORTAL_CODE_MESSAGE, 'portalCode');
  const user = await q.portalCodeUser(db, portalCode, code);
  if (user) {
    throw new DomainError('conflict', user.dossier
      ? `Mã trên cổng dịch vụ công ${portalCode} đã đứng đầu mã hồ sơ của “${user.agency}”: chọn mã khác để mã hồ sơ không trùng.`
      : `Mã trên cổng dịch vụ công ${portalCode} đã được dùng cho “${user.agency}”.`, 'portalCode');
  }
}

export async function createAgency(db: Db, actor: Actor, input: AgencyInput): Promise<Agency> {
  const scope = scopeOf(actor);
  return recordedChange(db, actor, async (trx) => {
    await q.lockAgencyTree(trx);
    await parentInScope(trx, scope, input.parentCode);
    if (await q.findAgency(trx, input.code)) throw new DomainError('conflict', `Mã cơ quan ${input.code} đã được dùng cho một cơ quan, đơn vị khác.`, 'code');
    await checkPortalCode(trx, input.portalCode, input.code);
    const agency: Agency = {
      code: input.code, name: input.name, parentCode: input.parentCode, portalCode: input.portalCode,
      kind: input.kind ?? 'other', address: input.address ?? '', active: true,
    };
    await q.insertAgency(trx, agency);
    return { value: agency, agencyCode: agency.code, event: { entity: 'agency', entityId: agency.code, action: 'created', before: null, after: agency } };
  });
}

/** Why an active agency cannot stop: its open dossiers, active accounts, active agencies under it (empty: it can). */
async function deactivationBlockers(db: Db, code: string): Promise<string[]> {
  const reasons: string[] = [];
  const dossiers = await q.openDossiers(db, code);
  if (dossiers.count) reasons.push(`còn ${dossiers.count} hồ sơ đang xử lý (${dossiers.codes.join(', ')}${dossiers.count > dossiers.codes.length ? ', …' : ''})`);
  const users = await q.activeUsers(db, code);
  if (users.length) reasons.push(`còn ${users.length} tài khoản đang hoạt động (${users.slice(0, 5).join(', ')}${users.length > 5 ? ', …' : ''})`);
  const children = await q.activeChildren(db, code);
  if (children.length) reasons.push(`còn ${children.length} cơ quan, đơn vị trực thuộc đang hoạt động (${children.slice(0, 3).join(', ')}${children.length > 3 ? ', …' : ''})`);
  return reasons;
}

/**
 * Edits an agency of the scope: a field left out keeps its value; the code never changes (dossiers, register
 * books and accounts refer to it, so moving or renaming keeps them). Nothing changed: nothing recorded.
 */
export async function updateAgency(db: Db, actor: Actor, code: string, patch: AgencyPatch): Promise<Agency> {
  const scope = scopeOf(actor);
  return recordedChange(db, actor, async (trx) => {
    await q.lockAgencyTree(trx);
    const before = await q.findAgency(trx, code);
    if (!before || !(await q.inSubtree(trx, scope, code))) throw new DomainError('not_found', NOT_IN_SCOPE(code));
    if (patch.code !== undefined && patch.code !== code) {
      throw new DomainError('validation', 'Mã cơ quan không thay đổi được: hồ sơ, sổ chứng thực và tài khoản đều gắn với mã này.', 'code');
    }
    const after: Agency = {
      ...before,
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.parentCode !== undefined ? { parentCode: patch.parentCode } : {}),
      ...(patch.portalCode !== undefined ? { portalCode: patch.portalCode } : {}),
      ...(patch.kind !== undefined ? { kind: patch.kind } : {}),
      ...(patch.address !== undefined ? { address: patch.address } : {}),
      ...(patch.active !== undefined ? { active: patch.active } : {}),
    };
    const moved = after.parentCode !== before.parentCode;
    if (moved) {
      if (after.parentCode === null) throw new DomainError('validation', 'Cơ quan, đơn vị phải trực thuộc một cơ quan cấp trên trong phạm vi quản trị của bạn.', 'parentCode');
      const parent = await parentInScope(trx, scope, after.parentCode);
      if (parent.code === code || (await q.inSubtree(trx, code, parent.code))) {
        throw new DomainError('validation', `Không chuyển “${before.name}” vào “${parent.name}” được: “${parent.name}” ${parent.code === code ? 'chính là cơ quan này' : 'đang trực thuộc cơ quan này'}, sẽ tạo thành vòng.`, 'parentCode');
      }
    }
    if (after.portalCode !== before.portalCode) await checkPortalCode(trx, after.portalCode, code);
    if (before.active && !after.active) {
      const reasons = await deactivationBlockers(trx, code);
      if (reasons.length) throw new DomainError('wrong_state', `Chưa ngừng hoạt động “${before.name}” được: ${reasons.join('; ')}.`, 'active');
    }
    if (!before.active && after.active && after.parentCode) {
      const parent = await q.findAgency(trx, after.parentCode);
      if (parent && !parent.active) throw new DomainError('wrong_state', `Cơ quan cấp trên “${parent.name}” đã ngừng hoạt động: cho cơ quan cấp trên hoạt động trở lại trước.`, 'active');
    }
    if (!changedFields(before, after).length) return { value: before, agencyCode: code, event: null };
    await q.updateAgency(trx, after);
    const action = before.active !== after.active ? (after.active ? 'reactivated' : 'deactivated') : moved ? 'moved' : 'updated';
    return { value: after, agencyCode: code, event: { entity: 'agency', entityId: code, action, before, after } };
  });
}

// ---- the audit of administration ------------------------------------------------------------------------------

export interface AdminEventView {
  id: number; at: string; actor: string; actorKind: AdminActorKind; actorName: string | null;
  /** The actor in words: "Họ tên (tên đăng nhập)", "Công dân …", "Hệ thống". */
  actorText: string; agencyCode: string; agencyName: string;
  entity: AdminEntity; entityId: string; action: AdminAction; before: unknown; after: unknown;
}
export interface AuditFilter { entity?: AdminEntity; entityId?: string }

const viewOf = (r: q.AdminEventRow): AdminEventView => ({
  id: r.id, at: new Date(r.at).toISOString(), actor: r.actor, actorKind: r.actor_kind, actorName: r.actor_name, actorText: actorText(r.actor_kind, r.actor, r.actor_name), agencyCode: r.agency_code, agencyName: r.agency_name,
  entity: r.entity as AdminEntity, entityId: r.entity_id, action: r.action as AdminAction, before: r.before, after: r.after,
});

/** The events about things in the actor's scope (where they are now), newest first, paged. */
export async function listAuditEvents(db: Db, actor: Actor, filter: AuditFilter, paging: { page: number; pageSize: number }) {
  const { total, rows } = await q.listAdminEvents(db, scopeOf(actor), filter, { limit: paging.pageSize, offset: (paging.page - 1) * paging.pageSize });
  return { total, page: paging.page, pageSize: paging.pageSize, items: rows.map(viewOf) };
}

/** One field as people read it: a kind by its label, yes/no, an empty value as '—'. */
function shown(entity: AdminEntity, field: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (field === 'kind' && entity === 'agency') return AGENCY_KIND_LABELS[v as AgencyKind] ?? String(v);
  if (RECORD_VALUE_LABELS[field]?.[String(v)]) return RECORD_VALUE_LABELS[field][String(v)];
  if (field === 'status' && entity === 'appointment') return APPOINTMENT_STATUS_LABELS[v as AppointmentStatus] ?? String(v);
  if (['openDate', 'closeDate', 'day'].includes(field) && typeof v === 'string' && /^\d{4}-\d\d-\d\d$/.test(v)) return vnDateOfDay(v);
  if (['closedAt', 'notBefore', 'notAfter'].includes(field) && typeof v === 'string') return vnDateTime(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(', ') || '—';
  if (typeof v === 'boolean') return v ? 'Có' : 'Không';
  if (field === 'steps' && Array.isArray(v)) return v.map((s: ProcessStep) => `${stepLabel(s)} (${ROLE_LABELS[s.role] ?? s.role})`).join(' → ');
  if (field === 'roles' && Array.isArray(v)) return v.map((r: { agencyCode: string; role: Role }) => `${ROLE_LABELS[r.role] ?? r.role} (${r.agencyCode})`).join('; ') || '—';
  return String(v);
}

/** What changed, field by field (every field when created), in Vietnamese. */
export function describeChanges(e: Pick<AdminEventView, 'entity' | 'before' | 'after'>): { field: string; label: string; before: string; after: string }[] {
  const before = (e.before ?? null) as Record<string, unknown> | null;
  const after = (e.after ?? null) as Record<string, unknown> | null;
  const labels: Record<string, string> = e.entity === 'agency' ? AGENCY_FIELD_LABELS : e.entity === 'process' ? PROCESS_FIELD_LABELS : e.entity === 'user' ? ACCOUNT_FIELD_LABELS : e.entity === 'template' ? TEMPLATE_FIELD_LABELS : CATALOGUE_FIELD_LABELS[e.entity] ?? {};
  return changedFields(before, after).map((f) => ({
    field: String(f), label: labels[f] ?? String(f), before: before ? shown(e.entity, String(f), before[f]) : '—', after: after ? shown(e.entity, String(f), after[f]) : '—',
  }));
}

export const actionLabel = (a: AdminAction) => ADMIN_ACTION_LABELS[a] ?? a;
export const entityLabel = (e: AdminEntity) => ADMIN_ENTITY_LABELS[e] ?? e;

/** The audit list as an Excel workbook (newest first, at most AUDIT_EXPORT_MAX events), in the shared layout. */
export async function auditWorkbook(db: Db, actor: Actor, filter: AuditFilter): Promise<{ fileName: string; buffer: Buffer }> {
  const scope = await getAgency(db, actor, scopeOf(actor));
  const list = await listAuditEvents(db, actor, filter, { page: 1, pageSize: AUDIT_EXPORT_MAX });
  const { wb, ws, headRow } = reportSheet({
    sheet: 'Nhật ký quản trị',
    title: 'NHẬT KÝ QUẢN TRỊ',
    header: [
      ['Phạm vi', scope.name],
      ['Đối tượng', filter.entity ? entityLabel(filter.entity) : 'Tất cả'],
      ['Số thay đổi', list.total],
      ['Thời điểm xuất', vnDateTime(new Date())],
    ],
    columns: ['STT', 'Thời điểm', 'Người thực hiện', 'Đối tượng', 'Mã', 'Thao tác', 'Trước', 'Sau'],
    widths: [6, 18, 22, 16, 18, 22, 45, 45],
  });
  list.items.forEach((e, i) => {
    const changes = describeChanges(e);
    ws.getRow(headRow + 1 + i).values = [
      i + 1, vnDateTime(e.at), e.actorText, entityLabel(e.entity), e.entityId, actionLabel(e.action),
      changes.map((c) => `${c.label}: ${c.before}`).join('\n'), changes.map((c) => `${c.label}: ${c.after}`).join('\n'),
    ];
    ws.getRow(headRow + 1 + i).alignment = { wrapText: true, vertical: 'top' };
  });
  return { fileName: `nhat-ky-quan-tri-${scope.code}.xlsx`, buffer: await xlsxBuffer(wb) };
}
