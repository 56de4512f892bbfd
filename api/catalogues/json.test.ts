// The catalogues through /api/v1/admin on the real stack (web app, worker on the Temporal dev server, PostgreSQL):
// document types added, renamed and deactivated by the system administrator (quantri, admin of the demo agency, a
// root) and then refused for new dossiers and bookings; an agency's slots whose change booking follows at once and
// which refuse to drop places already booked; an agency's days off, which move a new dossier's due date
// (NĐ 23/2015 Điều 7) and close the day for booking; the national public holidays. Refusals answer 4xx
// {error, message} in Vietnamese and change nothing, the audit included; an admin of a subtree sees nothing
// outside it (404) and cannot change the system-wide catalogues (403).
import bcrypt from 'bcryptjs';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workingCalendar } from '../../activities/calendar.js';
import { takePlace } from '../../activities/slot-places.js';
import { DomainError } from '../../domain/errors.js';
import { addDays } from '../../domain/calendar.js';
import { dueDate } from '../../domain/deadline.js';
import { vnIsoDate } from '../../domain/vn-time.js';
import { DEMO_SLOTS } from '../../lib/seed.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, expectRefusal, multipart } from '../../lib/testing/http.js';
import { workingDays } from '../../lib/testing/time.js';
import { appointmentWorkflowId } from '../../workflows/appointment-messages.js';
import { replaceSlots } from './service.js';

let h: Harness;
let D: string; // the demo agency: a root, quantri's
const SUB = '000.03.25.K01'; // under the demo agency, with its own admin (quantri2): not a system administrator
const OTHER = '000.00.55.X05'; // another root
const { call } = apiClient(() => h.baseUrl);
const enc = encodeURIComponent;
// Each test its own days, so bookings never interfere.
const [DAY_BOOKED, DAY_SLOTS, DAY_OFF, DAY_NATIONAL, DAY_BOOKED_OFF, DAY_RACE] = workingDays(6, 3);
const dmy = (iso: string) => iso.split('-').reverse().join('/');

const world = async () => ({
  types: await h.db.selectFrom('document_types').selectAll().orderBy('code').execute(),
  slots: await h.db.selectFrom('appointment_slots').selectAll().orderBy('agency_code').orderBy('start_time').execute(),
  days: await h.db.selectFrom('agency_days').selectAll().orderBy('agency_code').orderBy('day').execute(),
  holidays: await h.db.selectFrom('public_holidays').selectAll().orderBy('day').execute(),
  events: await h.db.selectFrom('admin_events').selectAll().orderBy('id').execute(),
});
const events = () => h.db.selectFrom('admin_events').select(['entity', 'entity_id', 'action', 'actor', 'agency_code', 'before', 'after']).orderBy('id').execute();

const freeSlots = async (date: string) => {
  const r = await call('congdan', 'GET', `/appointments/slots?agencyCode=${enc(D)}&date=${date}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.slots as { slot: string; remaining: number }[];
};
const book = (user: string, date: string, slot: string, documentType = 'GKS') =>
  call(user, 'POST', '/appointments', { json: { agencyCode: D, documentType, date, slot } });
async function createDossierWithScan(documentType: string) {
  return call('canbo', 'POST', '/dossiers', {
    form: multipart({ applicantKind: 'no_account', fullName: 'Người Thử Danh Mục', email: 'danhmuc@example.vn', documentType }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf'),
  });
}

beforeAll(async () => {
  h = await createHarness();
  D = h.agencyCode;
  await h.db.insertInto('agencies').values({ code: SUB, name: 'UBND xã Thuận Hòa', portal_code: `K${Date.now() % 100000}`, parent_code: D, kind: 'commune' }).execute();
  const hash = await bcrypt.hash('demo', 4);
  await h.db.insertInto('users').values({ username: 'quantri2', full_name: 'Quản trị xã', title: 'Quản trị', password_hash: hash, agency_code: SUB }).execute();
  await h.db.insertInto('user_roles').values({ username: 'quantri2', agency_code: SUB, role: 'admin' }).execute();
  await h.addAgency(OTHER, [{ username: 'quantri5', roles: ['admin'] }]);
  // Appointment codes (and so workflow ids on the shared Temporal server) count from 0000 in every test database:
  // this file's start further on, apart from other files that book today.
  await h.db.insertInto('appointment_sequences').values({ day: vnIsoDate(new Date()), last: crypto.randomInt(5000, 9000) }).execute();
});
afterAll(async () => {
  if (!h) return;
  const codes = await h.db.selectFrom('appointments').select('code').execute().catch(() => []);
  await Promise.all(codes.map((c) => h.client.workflow.getHandle(appointmentWorkflowId(c.code)).terminate('test file finished').catch(() => {})));
  await h.close();
});

// =====================================================================================================

describe('document types', () => {
  it('the system administrator adds a type, renames it, deactivates it: it leaves the offers and is refused, old dossiers keep its name', async () => {
    const added = await call('quantri', 'POST', '/admin/document-types', { json: { code: 'GCN-DKKD', name: 'Giấy chứng nhận ĐKKD' } });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({ code: 'GCN-DKKD', name: 'Giấy chứng nhận ĐKKD', active: true });
    const offered = async () => ((await call('canbo', 'GET', '/document-types')).body as { code: string; name: string }[]);
    expect((await offered()).at(-1)).toEqual({ code: 'GCN-DKKD', name: 'Giấy chứng nhận ĐKKD' }); // last in order

    const renamed = await call('quantri', 'PATCH', '/admin/document-types/GCN-DKKD', { json: { name: 'Giấy chứng nhận đăng ký kinh doanh' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ code: 'GCN-DKKD', name: 'Giấy chứng nhận đăng ký kinh doanh', active: true });
    expect((await offered()).find((t) => t.code === 'GCN-DKKD')?.name).toBe('Giấy chứng nhận đăng ký kinh doanh');

    // A dossier and a booking with the type while it is active.
    const dossier = await createDossierWithScan('GCN-DKKD');
    expect(dossier.status, JSON.stringify(dossier.body)).toBe(201);
    expect((await book('congdan', DAY_BOOKED, '13:00', 'GCN-DKKD')).status).toBe(201);

    const off = await call('quantri', 'PATCH', '/admin/document-types/GCN-DKKD', { json: { active: false } });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await offered()).map((t) => t.code)).not.toContain('GCN-DKKD');
    expect((await call('quantri', 'GET', '/admin/document-types')).body.find((t: { code: string }) => t.code === 'GCN-DKKD')).toMatchObject({ active: false });

    const before = await world();
    const refused = await createDossierWithScan('GCN-DKKD');
    expectRefusal(refused, 400, 'validation', 'documentType');
    expect(refused.body.message).toContain('đã ngừng sử dụng');
    const bookRefused = await book('doanhnghiep', DAY_BOOKED, '14:00', 'GCN-DKKD');
    expectRefusal(bookRefused, 400, 'validation', 'documentType');
    expect(bookRefused.body.message).toContain('đã ngừng sử dụng');
    expect(await world()).toEqual(before);
    // The dossier made before keeps its type's name.
    expect((await call('canbo', 'GET', `/dossiers/${enc(dossier.body.code)}`)).body.documentType).toEqual({ code: 'GCN-DKKD', name: 'Giấy chứng nhận đăng ký kinh doanh' });

    // Reactivated, it is offered again.
    expect((await call('quantri', 'PATCH', '/admin/document-types/GCN-DKKD', { json: { active: true } })).status).toBe(200);
    expect((await offered()).map((t) => t.code)).toContain('GCN-DKKD');

    expect((await events()).filter((e) => e.entity === 'document_type').map((e) => [e.entity_id, e.action, e.actor, e.agency_code])).toEqual([
      ['GCN-DKKD', 'created', 'quantri', D], ['GCN-DKKD', 'updated', 'quantri', D], ['GCN-DKKD', 'deactivated', 'quantri', D], ['GCN-DKKD', 'reactivated', 'quantri', D],
    ]);
    const [, rename] = (await events()).filter((e) => e.entity === 'document_type');
    expect(rename.before).toMatchObject({ name: 'Giấy chứng nhận ĐKKD' });
    expect(rename.after).toMatchObject({ name: 'Giấy chứng nhận đăng ký kinh doanh' });
  });

  it('refuses a taken code (any case), a malformed code, a blank name, an unknown type; an admin who is not a system administrator: nothing changes', async () => {
    const before = await world();
    expectRefusal(await call('quantri', 'POST', '/admin/document-types', { json: { code: 'GKS', name: 'Trùng' } }), 409, 'conflict', 'code');
    expectRefusal(await call('quantri', 'POST', '/admin/document-types', { json: { code: 'gks', name: 'Trùng' } }), 409, 'conflict', 'code');
    for (const bad of ['GKS 2', 'GKS.2', 'Giấy', 'A'.repeat(31), '']) {
      expectRefusal(await call('quantri', 'POST', '/admin/document-types', { json: { code: bad, name: 'Sai mã' } }), 400, 'validation', 'code');
    }
    expectRefusal(await call('quantri', 'POST', '/admin/document-types', { json: { code: 'MOI', name: '  ' } }), 400, 'validation', 'name');
    expectRefusal(await call('quantri', 'PATCH', '/admin/document-types/GKS', { json: { active: 'có' } }), 400, 'validation', 'active');
    expectRefusal(await call('quantri', 'PATCH', '/admin/document-types/KHONG-CO', { json: { name: 'X' } }), 404, 'not_found');

    const sub = await call('quantri2', 'POST', '/admin/document-types', { json: { code: 'MOI', name: 'Loại mới' } });
    expectRefusal(sub, 403, 'forbidden', /quản trị viên hệ thống/);
    expectRefusal(await call('quantri2', 'PATCH', '/admin/document-types/GKS', { json: { active: false } }), 403, 'forbidden');
    expectRefusal(await call('canbo', 'GET', '/admin/document-types'), 403, 'forbidden');
    // Listing is for every admin.
    const listed = await call('quantri2', 'GET', '/admin/document-types');
    expect(listed.status).toBe(200);
    expect(listed.body.map((t: { code: string }) => t.code)).toContain('GKS');
    // A change that changes nothing records nothing.
    expect((await call('quantri', 'PATCH', '/admin/document-types/GKS', { json: { name: 'Giấy khai sinh' } })).status).toBe(200);
    expect(await world()).toEqual(before);
  });
});

describe('appointment slots', () => {
  it('a new list is what booking offers at once: a new slot, a larger capacity, a slot removed', async () => {
    const r = await call('quantri', 'GET', `/admin/agencies/${enc(D)}/slots`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(DEMO_SLOTS.map((startTime) => ({ startTime, capacity: 2 })));

    const next = [...DEMO_SLOTS.filter((t) => t !== '16:00').map((startTime) => ({ startTime, capacity: startTime === '08:00' ? 5 : 2 })), { startTime: '7:30', capacity: 3 }];
    const put = await call('quantri', 'PUT', `/admin/agencies/${enc(D)}/slots`, { json: next });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body[0]).toEqual({ startTime: '07:30', capacity: 3 }); // 7:30 as typed, kept as 07:30, first by time
    const free = await freeSlots(DAY_SLOTS);
    expect(free.find((s) => s.slot === '07:30')).toEqual({ slot: '07:30', remaining: 3 });
    expect(free.find((s) => s.slot === '08:00')).toEqual({ slot: '08:00', remaining: 5 });
    expect(free.map((s) => s.slot)).not.toContain('16:00');
    expectRefusal(await book('congdan', DAY_SLOTS, '16:00'), 400, 'validation', 'slot');
    expect((await book('congdan', DAY_SLOTS, '07:30')).status).toBe(201);
    expect((await freeSlots(DAY_SLOTS)).find((s) => s.slot === '07:30')).toEqual({ slot: '07:30', remaining: 2 });

    const [event] = (await events()).filter((e) => e.entity === 'slots');
    expect(event).toMatchObject({ entity_id: D, action: 'updated', actor: 'quantri', agency_code: D });
    expect(event.before).toMatchObject({ '08:00': 2, '16:00': 2 });
    expect(event.after).toMatchObject({ '07:30': 3, '08:00': 5 });
    expect(event.after).not.toHaveProperty('16:00');
  });

  it('refuses to remove a booked slot or lower it below its bookings (409 listing the days), and bad lists: nothing changes', async () => {
    // 07:30 on DAY_SLOTS has one booking (above); book it once more from another account.
    expect((await book('doanhnghiep', DAY_SLOTS, '07:30')).status).toBe(201);
    const now = (await call('quantri', 'GET', `/admin/agencies/${enc(D)}/slots`)).body as { startTime: string; capacity: number }[];
    const without = now.filter((s) => s.startTime !== '07:30');
    const before = await world();

    const removed = await call('quantri', 'PUT', `/admin/agencies/${enc(D)}/slots`, { json: without });
    expectRefusal(removed, 409, 'conflict', /07:30/);
    expect(removed.body.message).toContain(`${dmy(DAY_SLOTS)} (2 người)`);
    const lowered = await call('quantri', 'PUT', `/admin/agencies/${enc(D)}/slots`, { json: [...without, { startTime: '07:30', capacity: 1 }] });
    expectRefusal(lowered, 409, 'conflict', /không giảm xuống 1 người/);
    expect(lowered.body.message).toContain(dmy(DAY_SLOTS));

    expectRefusal(await call('quantri', 'PUT', `/admin/agencies/${enc(D)}/slots`, { json: [...now, { startTime: '08:00', capacity: 2 }] }), 400, 'validation', `${now.length}.startTime`);
    expectRefusal(await call('quantri', 'PUT', `/admin/agencies/${enc(D)}/slots`, { json: [{ startTime: '08:00', capacity: 0 }] }), 400, 'validation', '0.capacity');
    expectRefusal(await call('quantri', 'PUT', `/admin/agencies/${enc(D)}/slots`, { json: [{ startTime: '08:00', capacity: 501 }] }), 400, 'validation', '0.capacity');
    expectRefusal(await call('quantri', 'PUT', `/admin/agencies/${enc(D)}/slots`, { json: [{ startTime: '25:00', capacity: 2 }] }), 400, 'validation', '0.startTime');
    expectRefusal(await call('quantri', 'PUT', `/admin/agencies/${enc(D)}/slots`, { json: { startTime: '08:00', capacity: 2 } }), 400, 'validation');
    // Out of scope: 404 (the other root's agency for quantri, the demo agency for the commune's admin); not admin: 403.
    expectRefusal(await call('quantri', 'PUT', `/admin/agencies/${enc(OTHER)}/slots`, { json: [] }), 404, 'not_found');
    expectRefusal(await call('quantri', 'GET', `/admin/agencies/${enc(OTHER)}/slots`), 404, 'not_found');
    expectRefusal(await call('quantri2', 'GET', `/admin/agencies/${enc(D)}/slots`), 404, 'not_found');
    expectRefusal(await call('canbo', 'GET', `/admin/agencies/${enc(D)}/slots`), 403, 'forbidden');
    expect(await world()).toEqual(before);

    // Raising it, or lowering it to what is booked, is fine; so is the commune's admin setting its own slots.
    expect((await call('quantri', 'PUT', `/admin/agencies/${enc(D)}/slots`, { json: [...without, { startTime: '07:30', capacity: 2 }] })).status).toBe(200);
    const own = await call('quantri2', 'PUT', `/admin/agencies/${enc(SUB)}/slots`, { json: [{ startTime: '08:00', capacity: 10 }] });
    expect(own.status).toBe(200);
    expect((await call('congdan', 'GET', `/appointments/slots?agencyCode=${enc(SUB)}&date=${DAY_SLOTS}`)).body.slots).toEqual([{ slot: '08:00', remaining: 10 }]);
  });
});

describe('a slot change racing a booking', () => {
  it('waits for a booking under way and then counts its place: the booked slot is not removed', async () => {
    const quantri = await h.actor('quantri');
    const slots = (await call('quantri', 'GET', `/admin/agencies/${enc(D)}/slots`)).body as { startTime: string; capacity: number }[];
    expect(slots.map((x) => x.startTime)).toContain('10:00');
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let placed!: () => void;
    const taken = new Promise<void>((r) => { placed = r; });
    // A booking's transaction that has taken its place and not committed yet.
    const booking = h.db.transaction().execute(async (trx) => {
      expect(await takePlace(trx, D, DAY_RACE, '10:00')).toBe(true);
      placed();
      await gate;
    });
    await taken;
    let settled = false;
    const change = replaceSlots(h.db, quantri, D, slots.filter((x) => x.startTime !== '10:00')).finally(() => { settled = true; });
    change.catch(() => {}); // judged below
    await new Promise((r) => setTimeout(r, 500));
    expect(settled, 'the change waits for the booking under way').toBe(false);
    release();
    await booking;
    const refusal = await change.then(() => null, (e: unknown) => e);
    expect(refusal).toBeInstanceOf(DomainError);
    expect((refusal as DomainError).code).toBe('conflict');
    expect((refusal as DomainError).message).toContain(`${dmy(DAY_RACE)} (1 người)`);
    expect((await call('quantri', 'GET', `/admin/agencies/${enc(D)}/slots`)).body).toEqual(slots);
  });
});

describe("an agency's days and the national public holidays", () => {
  it('a day off added for the agency moves a new dossier\'s due date and closes the day for booking; removed, it opens again', async () => {
    const first = await createDossierWithScan('GKS');
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const due = first.body.dueDate as string;
    expect(due).toBeTruthy();

    const added = await call('quantri', 'POST', `/admin/agencies/${enc(D)}/days`, { json: { day: dmy(due), working: false, note: 'Nghỉ tổng kết' } });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toEqual({ day: due, working: false, note: 'Nghỉ tổng kết' });
    const second = await createDossierWithScan('GKS');
    expect(second.status).toBe(201);
    const today = vnIsoDate(new Date());
    const expected = dueDate(new Date(), await workingCalendar(h.db, D, today, addDays(today, 30)));
    expect(second.body.dueDate).toBe(expected);
    expect(second.body.dueDate > due).toBe(true); // moved past the day off

    // The day off closes booking that day (DAY_OFF, a working day ahead).
    expect((await freeSlots(DAY_OFF)).length).toBeGreaterThan(0);
    expect((await call('quantri', 'POST', `/admin/agencies/${enc(D)}/days`, { json: { day: DAY_OFF, working: false, note: '' } })).status).toBe(201);
    expect(await freeSlots(DAY_OFF)).toEqual([]);
    expectRefusal(await book('congdan', DAY_OFF, '09:00'), 400, 'validation', 'slot');
    // Changing the same day answers 200 (an upsert), listed for its year.
    expect((await call('quantri', 'POST', `/admin/agencies/${enc(D)}/days`, { json: { day: DAY_OFF, working: false, note: 'Nghỉ bảo trì' } })).status).toBe(200);
    // A booked day cannot become a day off: its appointments would fall on a closed day.
    expect((await book('congdan', DAY_BOOKED_OFF, '09:00')).status).toBe(201);
    const before = await world();
    const held = await call('quantri', 'POST', `/admin/agencies/${enc(D)}/days`, { json: { day: DAY_BOOKED_OFF, working: false } });
    expectRefusal(held, 409, 'conflict', 'day');
    expect(held.body.message).toContain('09:00: 1 người');
    expect(await world()).toEqual(before);
    expect((await freeSlots(DAY_BOOKED_OFF)).length).toBeGreaterThan(0);
    const listed = await call('quantri', 'GET', `/admin/agencies/${enc(D)}/days?year=${DAY_OFF.slice(0, 4)}`);
    expect(listed.body).toContainEqual({ day: DAY_OFF, working: false, note: 'Nghỉ bảo trì' });

    expect((await call('quantri', 'DELETE', `/admin/agencies/${enc(D)}/days/${DAY_OFF}`)).status).toBe(204);
    expect((await freeSlots(DAY_OFF)).length).toBeGreaterThan(0);
    expect((await events()).filter((e) => e.entity === 'agency_day').map((e) => [e.entity_id, e.action, e.agency_code])).toEqual([
      [due, 'created', D], [DAY_OFF, 'created', D], [DAY_OFF, 'updated', D], [DAY_OFF, 'deleted', D],
    ]);
  });

  it('refuses a bad day, a missing working flag, an unknown day, another tree\'s agency: nothing changes', async () => {
    const before = await world();
    expectRefusal(await call('quantri', 'POST', `/admin/agencies/${enc(D)}/days`, { json: { day: '31/02/2026', working: false } }), 400, 'validation', 'day');
    expectRefusal(await call('quantri', 'POST', `/admin/agencies/${enc(D)}/days`, { json: { day: DAY_OFF } }), 400, 'validation', 'working');
    expectRefusal(await call('quantri', 'POST', `/admin/agencies/${enc(D)}/days`, { json: { day: DAY_OFF, working: false, note: 'x'.repeat(201) } }), 400, 'validation', 'note');
    expectRefusal(await call('quantri', 'DELETE', `/admin/agencies/${enc(D)}/days/${DAY_NATIONAL}`), 404, 'not_found');
    expectRefusal(await call('quantri', 'GET', `/admin/agencies/${enc(D)}/days?year=1990`), 400, 'validation', 'year');
    expectRefusal(await call('quantri', 'POST', `/admin/agencies/${enc(OTHER)}/days`, { json: { day: DAY_OFF, working: false } }), 404, 'not_found');
    expectRefusal(await call('quantri2', 'POST', `/admin/agencies/${enc(D)}/days`, { json: { day: DAY_OFF, working: false } }), 404, 'not_found');
    expectRefusal(await call('quantri5', 'GET', `/admin/agencies/${enc(D)}/days`), 404, 'not_found');
    expect(await world()).toEqual(before);
  });

  it('national public holidays: listed for every admin, added and removed by the system administrator only, and they close booking', async () => {
    const year = Number(DAY_NATIONAL.slice(0, 4));
    const list = await call('quantri2', 'GET', `/admin/public-holidays?year=2026`);
    expect(list.status).toBe(200);
    expect(list.body).toContainEqual({ day: '2026-09-02', name: 'Quốc khánh (2/9)', working: false });

    let before = await world();
    expectRefusal(await call('quantri2', 'POST', '/admin/public-holidays', { json: { day: DAY_NATIONAL, name: 'Ngày lễ mới' } }), 403, 'forbidden', /quản trị viên hệ thống/);
    expectRefusal(await call('quantri2', 'DELETE', '/admin/public-holidays/2026-09-02'), 403, 'forbidden');
    expectRefusal(await call('quantri', 'POST', '/admin/public-holidays', { json: { day: DAY_NATIONAL, name: '' } }), 400, 'validation', 'name');
    expectRefusal(await call('quantri', 'DELETE', `/admin/public-holidays/${DAY_NATIONAL}`), 404, 'not_found');
    expect(await world()).toEqual(before);

    const added = await call('quantri', 'POST', '/admin/public-holidays', { json: { day: DAY_NATIONAL, name: 'Ngày Văn hóa Việt Nam' } });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toEqual({ day: DAY_NATIONAL, name: 'Ngày Văn hóa Việt Nam', working: false });
    expect((await call('quantri', 'GET', `/admin/public-holidays?year=${year}`)).body).toContainEqual(added.body);
    expect(await freeSlots(DAY_NATIONAL)).toEqual([]);
    // The commune's own working day wins over the national holiday for the commune.
    expect((await call('quantri2', 'PUT', `/admin/agencies/${enc(SUB)}/slots`, { json: [{ startTime: '08:00', capacity: 10 }] })).status).toBe(200);
    expect((await call('quantri2', 'POST', `/admin/agencies/${enc(SUB)}/days`, { json: { day: DAY_NATIONAL, working: true, note: 'Trực lễ' } })).status).toBe(201);
    expect((await call('congdan', 'GET', `/appointments/slots?agencyCode=${enc(SUB)}&date=${DAY_NATIONAL}`)).body.slots).toEqual([{ slot: '08:00', remaining: 10 }]);

    expect((await call('quantri', 'DELETE', `/admin/public-holidays/${DAY_NATIONAL}`)).status).toBe(204);
    expect((await freeSlots(DAY_NATIONAL)).length).toBeGreaterThan(0);
    expect((await events()).filter((e) => e.entity === 'public_holiday').map((e) => [e.entity_id, e.action, e.actor])).toEqual([
      [DAY_NATIONAL, 'created', 'quantri'], [DAY_NATIONAL, 'deleted', 'quantri'],
    ]);
  });
});
