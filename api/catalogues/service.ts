// The use cases of the catalogues, shared by the screens and the JSON API: the document types (system-wide: listed
// by every admin, changed by a system administrator only), an agency's appointment slots and its own days off and
// make-up working days (for agencies of the admin's scope: 404 outside it), and the national public holidays
// (listed by every admin, changed by a system administrator only).
//
// The working-day calendar these feed is read in one place (activities/calendar.ts): the appointments' free days
// and a new dossier's due date (NĐ 23/2015 Điều 7) both follow a change at once. Every accepted change is one
// admin_events row written in its transaction (recordedChange); a refusal changes and records nothing.
import { changedFields, type AgencyDay, type DocumentType, type PublicHoliday } from '../../domain/admin-audit.js';
import { DomainError } from '../../domain/errors.js';
import type { Actor } from '../../domain/types.js';
import { vnIsoDate } from '../../domain/vn-time.js';
import type { Db } from '../../lib/db.js';
import { getAgency, isSystemAdmin, listAgencies, recordedChange, scopeOf } from '../admin/service.js';

// The screens reach administration through this service (one feature imports another through its service only).
export { getAgency, isSystemAdmin, listAgencies, scopeOf };
import * as q from './queries.js';

export type { AgencyDay, DocumentType, PublicHoliday };
export interface Slot { startTime: string; capacity: number }

export const SYSTEM_ADMIN_ONLY = (what: string) =>
  `Chỉ quản trị viên hệ thống (quản trị viên của cơ quan cấp cao nhất) được thay đổi ${what}: danh mục này dùng chung cho mọi cơ quan, đơn vị.`;
export const DOCUMENT_TYPES = 'danh mục loại giấy tờ';
export const PUBLIC_HOLIDAYS = 'danh sách ngày nghỉ lễ quốc gia';

/** 'dd/mm/yyyy' of a calendar day, as people read it. */
export const dmy = (iso: string) => iso.split('-').reverse().join('/');

/** 403 unless the actor is a system administrator (an admin of a root agency). */
export async function assertSystemAdmin(db: Db, actor: Actor, what: string) {
  scopeOf(actor); // 403 without the admin role
  if (!(await isSystemAdmin(db, actor))) throw new DomainError('forbidden', SYSTEM_ADMIN_ONLY(what));
}

// ---- document types -------------------------------------------------------------------------------------------

/** Every type, the deactivated ones included (admins only), in the order the forms offer them. */
export async function listDocumentTypes(db: Db, actor: Actor): Promise<DocumentType[]> {
  scopeOf(actor);
  return q.listDocumentTypes(db);
}

export async function createDocumentType(db: Db, actor: Actor, input: { code: string; name: string }): Promise<DocumentType> {
  await assertSystemAdmin(db, actor, DOCUMENT_TYPES);
  return recordedChange(db, actor, async (trx) => {
    await q.lockCatalogue(trx, 'document-types');
    const taken = await q.findDocumentTypeAnyCase(trx, input.code);
    if (taken) throw new DomainError('conflict', `Mã loại giấy tờ ${input.code} đã được dùng cho “${taken.name}”${taken.active ? '' : ' (đã ngừng sử dụng: có thể cho sử dụng lại)'}.`, 'code');
    const type: DocumentType = { code: input.code, name: input.name, sort: await q.nextDocumentTypeSort(trx), active: true };
    await q.insertDocumentType(trx, type);
    return { value: type, agencyCode: actor.agencyCode, event: { entity: 'document_type', entityId: type.code, action: 'created', before: null, after: type } };
  });
}

/**
 * Renames, reorders, deactivates or reactivates a type; a type is never deleted (dossiers and appointments keep
 * its code and their copy of its name). Nothing changed: nothing recorded.
 */
export async function updateDocumentType(db: Db, actor: Actor, code: string, patch: { name?: string; active?: boolean; sort?: number }): Promise<DocumentType> {
  await assertSystemAdmin(db, actor, DOCUMENT_TYPES);
  return recordedChange(db, actor, async (trx) => {
    await q.lockCatalogue(trx, 'document-types');
    const before = await q.findDocumentType(trx, code);
    if (!before) throw new DomainError('not_found', `Không tìm thấy loại giấy tờ có mã ${code}.`);
    const after: DocumentType = {
      ...before,
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.sort !== undefined ? { sort: patch.sort } : {}),
      ...(patch.active !== undefined ? { active: patch.active } : {}),
    };
    if (!changedFields(before, after).length) return { value: before, agencyCode: actor.agencyCode, event: null };
    await q.updateDocumentType(trx, after);
    const action = before.active !== after.active ? (after.active ? 'reactivated' : 'deactivated') : 'updated';
    return { value: after, agencyCode: actor.agencyCode, event: { entity: 'document_type', entityId: code, action, before, after } };
  });
}

// ---- appointment slots ----------------------------------------------------------------------------------------

/** The agency's daily slots by start time (404 outside the scope). */
export async function getSlots(db: Db, actor: Actor, agencyCode: string): Promise<Slot[]> {
  const agency = await getAgency(db, actor, agencyCode);
  return q.slotsOf(db, agency.code);
}

/** The places already taken per slot from today on (Vietnam), for the screen's hint: start time → most on one day. */
export async function bookedPeaks(db: Db, actor: Actor, agencyCode: string): Promise<Record<string, number>> {
  const agency = await getAgency(db, actor, agencyCode);
  const peaks: Record<string, number> = {};
  for (const b of await q.bookedFrom(db, agency.code, vnIsoDate(new Date()))) peaks[b.startTime] = Math.max(peaks[b.startTime] ?? 0, b.used);
  return peaks;
}

const capacities = (slots: Slot[]) => Object.fromEntries(slots.map((s) => [s.startTime, s.capacity]));

/**
 * Replaces the agency's slot list. Refused, changing nothing: a start time twice (400); removing a slot booked on a
 * day from today on, or lowering its capacity below the places taken on such a day (409, the message lists the
 * days). The slot rows are locked first, so no booking takes a place between the count and the change.
 */
export async function replaceSlots(db: Db, actor: Actor, agencyCode: string, slots: Slot[]): Promise<Slot[]> {
  const agency = await getAgency(db, actor, agencyCode);
  const seen = new Set<string>();
  for (const [i, s] of slots.entries()) {
    if (seen.has(s.startTime)) throw new DomainError('validation', `Khung giờ ${s.startTime} có hai lần trong danh sách: mỗi giờ bắt đầu chỉ một lần.`, `${i}.startTime`);
    seen.add(s.startTime);
  }
  const wanted = [...slots].sort((a, b) => a.startTime.localeCompare(b.startTime));
  return recordedChange(db, actor, async (trx) => {
    await q.lockCatalogue(trx, `slots:${agency.code}`);
    await q.lockSlots(trx, agency.code); // after the bookings under way, before any other: the places counted next stay true
    const before = await q.slotsOf(trx, agency.code);
    const booked = await q.bookedFrom(trx, agency.code, vnIsoDate(new Date()));
    const capacity = capacities(wanted);
    const problems: string[] = [];
    for (const s of before) {
      const days = booked.filter((b) => b.startTime === s.startTime && (capacity[s.startTime] === undefined || b.used > capacity[s.startTime]));
      if (!days.length) continue;
      const list = days.slice(0, 5).map((b) => `${dmy(b.day)} (${b.used} người)`).join(', ') + (days.length > 5 ? ', …' : '');
      problems.push(capacity[s.startTime] === undefined
        ? `khung giờ ${s.startTime} đã có lịch hẹn vào ngày ${list}: không bỏ được`
        : `khung giờ ${s.startTime} không giảm xuống ${capacity[s.startTime]} người được vì đã có lịch hẹn vào ngày ${list}`);
    }
    if (problems.length) throw new DomainError('conflict', `Chưa lưu khung giờ hẹn của “${agency.name}”: ${problems.join('; ')}. Dời hoặc hủy các lịch hẹn đó trước.`);
    const [b, a] = [capacities(before), capacity];
    if (!changedFields(b, a).length) return { value: before, agencyCode: agency.code, event: null };
    await q.replaceSlots(trx, agency.code, wanted);
    return { value: wanted, agencyCode: agency.code, event: { entity: 'slots', entityId: agency.code, action: 'updated', before: b, after: a } };
  });
}

// ---- an agency's days and the national public holidays --------------------------------------------------------

/** The agency's own days of the year (404 outside the scope). */
export async function listAgencyDays(db: Db, actor: Actor, agencyCode: string, year: number): Promise<AgencyDay[]> {
  const agency = await getAgency(db, actor, agencyCode);
  return q.agencyDaysOf(db, agency.code, year);
}

/**
 * Adds the agency's day, or changes it when the day is already listed. A day off from today on that citizens have
 * already booked is refused (409, naming the slots): their appointments would fall on a closed day unnoticed.
 */
export async function saveAgencyDay(db: Db, actor: Actor, agencyCode: string, input: AgencyDay): Promise<{ day: AgencyDay; created: boolean }> {
  const agency = await getAgency(db, actor, agencyCode);
  return recordedChange(db, actor, async (trx) => {
    await q.lockCatalogue(trx, `days:${agency.code}`);
    const before = await q.findAgencyDay(trx, agency.code, input.day);
    const after: AgencyDay = { day: input.day, working: input.working, note: input.note };
    if (before && !changedFields(before, after).length) return { value: { day: before, created: false }, agencyCode: agency.code, event: null };
    if (!after.working && after.day >= vnIsoDate(new Date())) {
      const booked = await q.bookedOn(trx, agency.code, after.day);
      if (booked.length) {
        throw new DomainError('conflict', `Ngày ${dmy(after.day)} đã có lịch hẹn (${booked.map((b) => `${b.startTime}: ${b.used} người`).join(', ')}): dời hoặc hủy các lịch hẹn đó trước khi cho “${agency.name}” nghỉ ngày này.`, 'day');
      }
    }
    await q.upsertAgencyDay(trx, agency.code, after);
    return {
      value: { day: after, created: !before }, agencyCode: agency.code,
      event: before ? { entity: 'agency_day', entityId: input.day, action: 'updated', before, after } : { entity: 'agency_day', entityId: input.day, action: 'created', before: null, after },
    };
  });
}

export async function deleteAgencyDay(db: Db, actor: Actor, agencyCode: string, day: string): Promise<AgencyDay> {
  const agency = await getAgency(db, actor, agencyCode);
  return recordedChange(db, actor, async (trx) => {
    await q.lockCatalogue(trx, `days:${agency.code}`);
    const before = await q.findAgencyDay(trx, agency.code, day);
    if (!before) throw new DomainError('not_found', `Ngày ${dmy(day)} không có trong lịch riêng của “${agency.name}”.`);
    await q.deleteAgencyDay(trx, agency.code, day);
    return { value: before, agencyCode: agency.code, event: { entity: 'agency_day', entityId: day, action: 'deleted', before, after: null } };
  });
}

/** The national public holidays and make-up working days of the year (every admin may read them). */
export async function listPublicHolidays(db: Db, actor: Actor, year: number): Promise<PublicHoliday[]> {
  scopeOf(actor);
  return q.publicHolidaysOf(db, year);
}

export async function savePublicHoliday(db: Db, actor: Actor, input: PublicHoliday): Promise<{ holiday: PublicHoliday; created: boolean }> {
  await assertSystemAdmin(db, actor, PUBLIC_HOLIDAYS);
  return recordedChange(db, actor, async (trx) => {
    await q.lockCatalogue(trx, 'public-holidays');
    const before = await q.findPublicHoliday(trx, input.day);
    const after: PublicHoliday = { day: input.day, name: input.name, working: input.working };
    if (before && !changedFields(before, after).length) return { value: { holiday: before, created: false }, agencyCode: actor.agencyCode, event: null };
    await q.upsertPublicHoliday(trx, after);
    return {
      value: { holiday: after, created: !before }, agencyCode: actor.agencyCode,
      event: before ? { entity: 'public_holiday', entityId: input.day, action: 'updated', before, after } : { entity: 'public_holiday', entityId: input.day, action: 'created', before: null, after },
    };
  });
}

export async function deletePublicHoliday(db: Db, actor: Actor, day: string): Promise<PublicHoliday> {
  await assertSystemAdmin(db, actor, PUBLIC_HOLIDAYS);
  return recordedChange(db, actor, async (trx) => {
    await q.lockCatalogue(trx, 'public-holidays');
    const before = await q.findPublicHoliday(trx, day);
    if (!before) throw new DomainError('not_found', `Ngày ${dmy(day)} không có trong danh sách ngày nghỉ lễ quốc gia.`);
    await q.deletePublicHoliday(trx, day);
    return { value: before, agencyCode: actor.agencyCode, event: { entity: 'public_holiday', entityId: day, action: 'deleted', before, after: null } };
  });
}
