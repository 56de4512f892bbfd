// Appointments through the JSON API /api/v1 (and the citizen portal's screens through plain HTTP), against the
// real stack: web app on a port, worker on the Temporal dev server, PostgreSQL (lib/testing/harness.ts).
// Free slots, booking with a citizen token, who sees what, rescheduling (one SMS, one notification), cancelling,
// and bad inputs answered with 4xx {error, message} while nothing changes.
import { Client } from '@temporalio/client';
import bcrypt from 'bcryptjs';
import { sql } from 'kysely';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalStorage } from '../../activities/storage.js';
import { appointmentCode, DEFAULT_BOOKING_LIMITS, formatSlot } from '../../domain/appointments.js';
import { vnIsoDate } from '../../domain/vn-time.js';
import { loadConfig } from '../../lib/config.js';
import { dataConverterOf } from '../../lib/payload-codec.js';
import { uploadedPdf } from '../../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, csrfOf, expectRefusal, loginCitizen, loginStaff, WebClient } from '../../lib/testing/http.js';
import { nextWeekday, workingDays } from '../../lib/testing/time.js';
import { appointmentWorkflowId } from '../../workflows/appointment-messages.js';
import { AppointmentService, createDossier } from './service.js';
import { loadPortalUser } from '../auth/service.js';

let h: Harness;
const CODE = /^CTĐT-\d{8}-\d{4}$/;

// Each test its own days, so capacities never interfere.
const [D_SLOTS, D_BOOK, D_LIST, D_MOVE_FROM, D_MOVE_TO, D_CANCEL, D_BAD, D_OFF, D_PORTAL, D_PORTAL2, D_LIMIT, D_RACE, D_AGENCY_LIMIT, D_NATIONAL, D_NATIONAL_WORKED] = workingDays(15, 2);
const PAST = '2020-06-24';
const SATURDAY = nextWeekday(6);
/** A Saturday the Government makes a working day (public_holidays, working), a week after SATURDAY. */
const MAKE_UP_SATURDAY = nextWeekday(6, 8);

// ---------- HTTP helpers ----------

const { call, tokenFor } = apiClient(() => h.baseUrl);

const slotsOf = async (date: string, user = 'congdan') => {
  const r = await call(user, 'GET', `/appointments/slots?agencyCode=${encodeURIComponent(h.agencyCode)}&date=${date}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.slots as { slot: string; remaining: number }[];
};
async function book(user: string, date: string, slot: string, documentType = 'GKS') {
  return call(user, 'POST', '/appointments', { json: { agencyCode: h.agencyCode, documentType, date, slot } });
}
async function booked(user: string, date: string, slot: string) {
  const r = await book(user, date, slot);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { code: string; status: string };
}

/** What changes when something is accepted: appointments, places taken, SMS and notifications. */
async function snapshot() {
  const [appointments, usage, sms, notes] = await Promise.all([
    h.db.selectFrom('appointments').select(['code', 'status', 'day', 'start_time', 'reschedule_reason']).orderBy('code').execute(),
    h.db.selectFrom('slot_usage').select(['day', 'start_time', 'used']).orderBy('day').orderBy('start_time').execute(),
    h.db.selectFrom('sms_messages').select('id').execute(),
    h.db.selectFrom('notifications').select('id').execute(),
  ]);
  return { appointments, usage, sms: sms.length, notes: notes.length, smsFiles: smsFiles().length };
}
const smsDir = () => path.join(h.config.dataDir, 'sms-outbox');
const smsFiles = () => (fs.existsSync(smsDir()) ? fs.readdirSync(smsDir()) : []);

/** yyyy-MM-dd as the screens write it: dd/mm/yyyy. */
const vn = (iso: string) => iso.split('-').reverse().join('/');

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/\s+/g, ' ');

beforeAll(async () => {
  h = await createHarness();
  const hash = await bcrypt.hash('demo', 4);
  await h.db.insertInto('portal_accounts').values([
    { username: 'congdan2', kind: 'citizen', full_name: 'Trần Văn Hai', id_number: '079090000222', email: 'hai@example.vn', phone: '0900000222', password_hash: hash },
    { username: 'congdan3', kind: 'citizen', full_name: 'Lê Thị Ba', id_number: '079090000333', email: 'ba@example.vn', phone: '0900000333', password_hash: hash },
    { username: 'congdan4', kind: 'citizen', full_name: 'Phạm Văn Bốn', id_number: '079090000444', email: null, phone: null, password_hash: hash },
  ]).execute();
  // A weekday the agency does not receive (a holiday).
  await h.db.insertInto('agency_days').values({ agency_code: h.agencyCode, day: D_OFF, working: false, note: 'Nghỉ lễ' }).execute();
  // National public holidays (for every agency), one of which this agency works, and a national make-up Saturday.
  await h.db.insertInto('public_holidays').values([
    { day: D_NATIONAL, name: 'Ngày nghỉ lễ (thử nghiệm)', working: false },
    { day: D_NATIONAL_WORKED, name: 'Ngày nghỉ lễ (thử nghiệm)', working: false },
    { day: MAKE_UP_SATURDAY, name: 'Ngày làm bù (thử nghiệm)', working: true },
  ]).execute();
  await h.db.insertInto('agency_days').values({ agency_code: h.agencyCode, day: D_NATIONAL_WORKED, working: true, note: 'Trực lễ' }).execute();
});
afterAll(async () => {
  if (!h) return;
  // Appointment workflow ids come from the codes (CTĐT-yyyyMMdd-NNNN), which every test database counts from
  // 0000: end this file's open appointments so a later file on the same Temporal server can use the same codes.
  const codes = await h.db.selectFrom('appointments').select('code').execute().catch(() => []);
  await Promise.all(codes.map((c) => h.client.workflow.getHandle(appointmentWorkflowId(c.code)).terminate('test file finished').catch(() => {})));
  await h.close();
});

describe('GET /api/v1/appointments/slots', () => {
  it('lists only free slots with the places left; a filled slot disappears', async () => {
    const before = await slotsOf(D_SLOTS);
    expect(before.map((s) => s.slot)).toEqual(['08:00', '09:00', '10:00', '13:00', '14:00', '15:00', '16:00']);
    for (const s of before) expect(s.remaining).toBe(2);
    await booked('congdan', D_SLOTS, '09:00');
    expect((await slotsOf(D_SLOTS)).find((s) => s.slot === '09:00')).toEqual({ slot: '09:00', remaining: 1 });
    await booked('congdan2', D_SLOTS, '09:00');
    const after = await slotsOf(D_SLOTS);
    expect(after.map((s) => s.slot)).not.toContain('09:00');
    expect(after).toHaveLength(6);
    // Staff read the same slots; a day in the past, a weekend and a day off have none.
    expect((await slotsOf(D_SLOTS, 'canbo')).map((s) => s.slot)).toEqual(after.map((s) => s.slot));
    expect(await slotsOf(PAST)).toEqual([]);
    expect(await slotsOf(SATURDAY)).toEqual([]);
    expect(await slotsOf(D_OFF)).toEqual([]);
    expectRefusal(await call('congdan', 'GET', `/appointments/slots?agencyCode=${encodeURIComponent(h.agencyCode)}&date=31/02/2026`), 400, 'validation');
    expectRefusal(await call('congdan', 'GET', `/appointments/slots?agencyCode=KHONG-CO&date=${D_SLOTS}`), 404, 'not_found');
    expect((await call(null, 'GET', `/appointments/slots?agencyCode=${encodeURIComponent(h.agencyCode)}&date=${D_SLOTS}`)).status).toBe(401);
  });
});

describe('national public holidays', () => {
  it('a public holiday has no slots and cannot be booked; a make-up Saturday can; an agency that works a holiday takes bookings', async () => {
    expect(await slotsOf(D_NATIONAL)).toEqual([]);
    const before = await snapshot();
    expectRefusal(await book('congdan', D_NATIONAL, '09:00'), 400, 'validation');
    expect(await snapshot()).toEqual(before);
    expect((await slotsOf(MAKE_UP_SATURDAY)).map((s) => s.slot)).toEqual(['08:00', '09:00', '10:00', '13:00', '14:00', '15:00', '16:00']);
    expect((await slotsOf(D_NATIONAL_WORKED)).map((s) => s.slot)).toContain('09:00');
    const a = await booked('congdan4', D_NATIONAL_WORKED, '09:00');
    // Moving a booking onto a public holiday is refused too.
    const r = await call('canbo', 'POST', `/appointments/${encodeURIComponent(a.code)}/reschedule`, { json: { date: D_NATIONAL, slot: '10:00', reason: 'Cán bộ bận họp' } });
    expectRefusal(r, 400, 'validation');
  });
});

describe('POST /api/v1/appointments', () => {
  it('books with a citizen token: 201 with a CTĐT code; a staff token cannot book', async () => {
    const r = await book('congdan', D_BOOK, '10:00', 'BTN');
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.code).toMatch(CODE);
    expect(r.body).toMatchObject({
      status: 'booked', agencyCode: h.agencyCode, documentType: { code: 'BTN', name: 'Bằng tốt nghiệp' },
      time: { date: D_BOOK, slot: '10:00' }, newTime: null, rescheduleReason: null,
      applicant: { kind: 'citizen', fullName: 'Nguyễn Thị Thu', idNumber: '151804051', phone: '0942077843' },
    });
    const row = await h.db.selectFrom('appointments').selectAll().where('code', '=', r.body.code).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ account_username: 'congdan', status: 'booked', day: D_BOOK, start_time: '10:00' });

    const before = await snapshot();
    expectRefusal(await book('canbo', D_BOOK, '10:00'), 403, 'forbidden');
    expectRefusal(await book('vanthu', D_BOOK, '13:00'), 403, 'forbidden');
    expect(await snapshot()).toEqual(before);
  });
});

describe('GET /api/v1/appointments', () => {
  it("the creator sees the agency's; a citizen only their own, and another's is 404", async () => {
    const mine = await booked('congdan', D_LIST, '08:00');
    const theirs = await booked('congdan2', D_LIST, '08:00');

    const staff = await call('canbo', 'GET', '/appointments');
    expect(staff.status).toBe(200);
    const staffCodes = staff.body.items.map((a: { code: string }) => a.code);
    expect(staffCodes).toEqual(expect.arrayContaining([mine.code, theirs.code]));
    expect(staff.body.total).toBe(staff.body.items.length);

    const own = await call('congdan', 'GET', '/appointments');
    expect(own.status).toBe(200);
    const ownCodes = own.body.items.map((a: { code: string }) => a.code);
    expect(ownCodes).toContain(mine.code);
    expect(ownCodes).not.toContain(theirs.code);
    for (const a of own.body.items) expect(a.applicant.idNumber).toBe('151804051');

    expect((await call('congdan', 'GET', `/appointments/${encodeURIComponent(mine.code)}`)).body.code).toBe(mine.code);
    expectRefusal(await call('congdan', 'GET', `/appointments/${encodeURIComponent(theirs.code)}`), 404, 'not_found');
    expect((await call('congdan2', 'GET', `/appointments/${encodeURIComponent(theirs.code)}`)).status).toBe(200);
    expect((await call('canbo', 'GET', `/appointments/${encodeURIComponent(theirs.code)}`)).body).toMatchObject({ code: theirs.code, applicant: { fullName: 'Trần Văn Hai' } });
    expectRefusal(await call('congdan', 'GET', '/appointments/CT%C4%90T-20200101-9999'), 404, 'not_found');
  });
});

describe('POST /api/v1/appointments/{code}/reschedule', () => {
  it('by the creator: new time and reason, one SMS file and one notification; no reason is 400, a citizen is 403', async () => {
    const a = await booked('congdan', D_MOVE_FROM, '14:00');
    const url = `/appointments/${encodeURIComponent(a.code)}/reschedule`;

    let before = await snapshot();
    expectRefusal(await call('canbo', 'POST', url, { json: { date: D_MOVE_TO, slot: '15:00' } }), 400, 'validation');
    expectRefusal(await call('canbo', 'POST', url, { json: { date: D_MOVE_TO, slot: '15:00', reason: '  ' } }), 400, 'validation');
    expectRefusal(await call('congdan', 'POST', url, { json: { date: D_MOVE_TO, slot: '15:00', reason: 'Tôi bận việc' } }), 403, 'forbidden');
    // Bad new times: a day off, a weekend, the past, outside working hours, a full slot.
    expectRefusal(await call('canbo', 'POST', url, { json: { date: D_OFF, slot: '15:00', reason: 'Cán bộ bận họp' } }), 400, 'validation');
    expectRefusal(await call('canbo', 'POST', url, { json: { date: SATURDAY, slot: '15:00', reason: 'Cán bộ bận họp' } }), 400, 'validation');
    expectRefusal(await call('canbo', 'POST', url, { json: { date: PAST, slot: '15:00', reason: 'Cán bộ bận họp' } }), 400, 'validation');
    expectRefusal(await call('canbo', 'POST', url, { json: { date: D_MOVE_TO, slot: '12:15', reason: 'Cán bộ bận họp' } }), 400, 'validation');
    expect(await snapshot()).toEqual(before);
    await booked('congdan2', D_MOVE_TO, '16:00');
    await booked('congdan3', D_MOVE_TO, '16:00');
    before = await snapshot();
    expectRefusal(await call('canbo', 'POST', url, { json: { date: D_MOVE_TO, slot: '16:00', reason: 'Cán bộ bận họp' } }), 409, 'conflict');
    expect(await snapshot()).toEqual(before);

    const reason = 'Cán bộ tư pháp đi công tác đột xuất';
    const r = await call('canbo', 'POST', url, { json: { date: D_MOVE_TO, slot: '15:00', reason } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ code: a.code, status: 'booked', time: { date: D_MOVE_FROM, slot: '14:00' }, newTime: { date: D_MOVE_TO, slot: '15:00' }, rescheduleReason: reason });
    const after = await snapshot();
    expect(after.smsFiles - before.smsFiles, 'one SMS in the outbox').toBe(1);
    expect(after.sms - before.sms).toBe(1);
    expect(after.notes - before.notes, 'one portal notification').toBe(1);
    const file = smsFiles().find((f) => f.includes('reschedule'))!;
    const sms = JSON.parse(fs.readFileSync(path.join(smsDir(), file), 'utf8'));
    expect(sms).toMatchObject({ to: '0942077843' });
    expect(sms.reference).toBe(`${a.code}:reschedule:1:sms`);
    expect(sms.message).toContain(formatSlot(D_MOVE_TO, '15:00'));
    const note = await h.db.selectFrom('notifications').selectAll().where('appointment_code', '=', a.code).executeTakeFirstOrThrow();
    expect(note.account_username).toBe('congdan');
    expect(note.body).toContain(reason);
    expect(note.body).toContain(formatSlot(D_MOVE_TO, '15:00'));
    // The citizen sees it too; the old place is free again, the new one taken.
    expect((await call('congdan', 'GET', `/appointments/${encodeURIComponent(a.code)}`)).body).toMatchObject({ newTime: { date: D_MOVE_TO, slot: '15:00' }, rescheduleReason: reason });
    expect((await slotsOf(D_MOVE_FROM)).find((s) => s.slot === '14:00')?.remaining).toBe(2);
    expect((await slotsOf(D_MOVE_TO)).find((s) => s.slot === '15:00')?.remaining).toBe(1);

    // The same request again with the same Idempotency-Key acts once: no second SMS.
    const again = await fetch(`${h.baseUrl}/api/v1${url}`, { method: 'POST', headers: { authorization: `Bearer ${await tokenFor('canbo')}`, 'content-type': 'application/json', 'idempotency-key': 'k1' }, body: JSON.stringify({ date: D_MOVE_TO, slot: '10:00', reason: 'Dời thêm lần nữa' }) });
    expect(again.status).toBe(200);
    const twice = await fetch(`${h.baseUrl}/api/v1${url}`, { method: 'POST', headers: { authorization: `Bearer ${await tokenFor('canbo')}`, 'content-type': 'application/json', 'idempotency-key': 'k1' }, body: JSON.stringify({ date: D_MOVE_TO, slot: '10:00', reason: 'Dời thêm lần nữa' }) });
    expect(twice.status).toBe(200);
    const end = await snapshot();
    expect(end.smsFiles - after.smsFiles).toBe(1);
    expect(end.notes - after.notes).toBe(1);
  });
});

describe('POST /api/v1/appointments/{code}/cancel', () => {
  it('by the owner: cancelled and the place is free again; another citizen gets 404, staff 403', async () => {
    await booked('congdan2', D_CANCEL, '13:00');
    const a = await booked('congdan', D_CANCEL, '13:00');
    expect((await slotsOf(D_CANCEL)).map((s) => s.slot)).not.toContain('13:00');
    const url = `/appointments/${encodeURIComponent(a.code)}/cancel`;

    const before = await snapshot();
    expectRefusal(await call('congdan2', 'POST', url), 404, 'not_found');
    expectRefusal(await call('canbo', 'POST', url), 403, 'forbidden');
    expect(await snapshot()).toEqual(before);

    const r = await call('congdan', 'POST', url);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ code: a.code, status: 'cancelled' });
    expect((await slotsOf(D_CANCEL)).find((s) => s.slot === '13:00')).toEqual({ slot: '13:00', remaining: 1 });
    // Once: cancelling again is refused and frees nothing more.
    expectRefusal(await call('congdan', 'POST', url), 409, 'wrong_state');
    expect((await slotsOf(D_CANCEL)).find((s) => s.slot === '13:00')).toEqual({ slot: '13:00', remaining: 1 });
    expectRefusal(await call('canbo', 'POST', `/appointments/${encodeURIComponent(a.code)}/reschedule`, { json: { date: D_CANCEL, slot: '14:00', reason: 'Cán bộ bận họp' } }), 409, 'wrong_state');
  });
});

describe('bad bookings', () => {
  it('a full slot, the past, a day off, a weekend, outside hours, unknown agency or document type: 4xx and nothing changes', async () => {
    await booked('congdan2', D_BAD, '16:00');
    await booked('congdan3', D_BAD, '16:00');
    const before = await snapshot();
    expectRefusal(await book('congdan', D_BAD, '16:00'), 409, 'conflict');
    expectRefusal(await book('congdan', PAST, '09:00'), 400, 'validation');
    expectRefusal(await book('congdan', D_OFF, '09:00'), 400, 'validation');
    expectRefusal(await book('congdan', SATURDAY, '09:00'), 400, 'validation');
    expectRefusal(await book('congdan', D_BAD, '12:15'), 400, 'validation');
    expectRefusal(await book('congdan', D_BAD, '07:00'), 400, 'validation');
    expectRefusal(await book('congdan', D_BAD, ''), 400, 'validation');
    expectRefusal(await book('congdan', '2026-02-31', '09:00'), 400, 'validation');
    expectRefusal(await book('congdan', D_BAD, '09:00', 'KHONG-CO'), 400, 'validation');
    expectRefusal(await call('congdan', 'POST', '/appointments', { json: { agencyCode: 'KHONG-CO', documentType: 'GKS', date: D_BAD, slot: '09:00' } }), 400, 'validation');
    expect(await snapshot()).toEqual(before);
  });
});

describe('booking limits (APPOINTMENT_LIMITS; defaults: 3 a day, 2 a day at one agency)', () => {
  const B = '000.00.99.LIM';
  const LIMIT_MESSAGE = /tối đa 2 lịch hẹn trong một ngày tại một cơ quan/;
  beforeAll(async () => {
    const hash = await bcrypt.hash('demo', 4);
    await h.db.insertInto('portal_accounts').values([
      { username: 'congdan5', kind: 'citizen', full_name: 'Đỗ Văn Năm', id_number: '079090000555', email: null, phone: '0900000555', password_hash: hash },
      { username: 'congdan6', kind: 'citizen', full_name: 'Hồ Thị Sáu', id_number: '079090000666', email: null, phone: '0900000666', password_hash: hash },
    ]).execute();
    // A second agency that receives appointments too, for the limit over all agencies.
    await h.addAgency(B, []);
    await h.db.insertInto('appointment_slots').values(['08:00', '09:00', '10:00'].map((t) => ({ agency_code: B, start_time: t, capacity: 2 }))).execute();
  });
  const bookAt = (user: string, agencyCode: string, date: string, slot: string) =>
    call(user, 'POST', '/appointments', { json: { agencyCode, documentType: 'GKS', date, slot } });

  it('per account and day at one agency: a third booking is 409 in Vietnamese (API and portal form) and changes nothing; a cancelled one frees its turn', async () => {
    expect(h.config.appointmentLimits).toEqual(DEFAULT_BOOKING_LIMITS);
    await booked('congdan5', D_LIMIT, '08:00');
    const second = await booked('congdan5', D_LIMIT, '09:00');
    const before = await snapshot();
    expectRefusal(await book('congdan5', D_LIMIT, '10:00'), 409, 'conflict', 'date');
    const r = await book('congdan5', D_LIMIT, '10:00');
    expect(r.body.message).toMatch(LIMIT_MESSAGE);
    expect(r.body.message).toContain(D_LIMIT.split('-').reverse().join('/'));

    // The portal's form says the same, keeps the form, and books nothing.
    const b = await loginCitizen(h.baseUrl, 'congdan5');
    const form = await b.get('/cong-dan/dat-lich');
    expect(text(form.html), 'the form says the limits').toContain('tối đa 2 lịch hẹn một ngày tại một cơ quan và 3 lịch hẹn một ngày');
    const refused = await b.post('/cong-dan/dat-lich', { agencyCode: h.agencyCode, documentType: 'GKS', date: D_LIMIT, slot: '10:00', _csrf: csrfOf(form.html), _key: 'limit-1' });
    expect(refused.status).toBe(409);
    expect(text(refused.html)).toMatch(LIMIT_MESSAGE);
    expect(refused.html).toContain('ĐẶT LỊCH HẸN');
    expect(await snapshot()).toEqual(before);
    // Another account is not held back by it.
    await booked('congdan6', D_LIMIT, '10:00');

    // Cancelled, an appointment no longer counts.
    expect((await call('congdan5', 'POST', `/appointments/${encodeURIComponent(second.code)}/cancel`)).status).toBe(200);
    await booked('congdan5', D_LIMIT, '13:00');
    expectRefusal(await book('congdan5', D_LIMIT, '14:00'), 409, 'conflict', 'date');
  });

  it('per account and day over all agencies: a fourth booking elsewhere the same day is 409', async () => {
    // congdan5 holds 2 at the demo agency on D_LIMIT (test above); one more at agency B makes 3.
    expect((await bookAt('congdan5', B, D_LIMIT, '08:00')).status).toBe(201);
    const before = await snapshot();
    const r = await bookAt('congdan5', B, D_LIMIT, '09:00');
    expectRefusal(r, 409, 'conflict', 'date');
    expect(r.body.message).toMatch(/tối đa 3 lịch hẹn trong một ngày: bạn đã có 3 lịch hẹn/);
    expect(await snapshot()).toEqual(before);
    // Another day is another count.
    expect((await bookAt('congdan5', B, D_RACE, '09:00')).status).toBe(201);
  });

  it('racing bookings of one account cannot pass the limit: 6 at once, exactly 2 accepted', async () => {
    const slots = ['08:00', '09:00', '10:00', '13:00', '14:00', '15:00'];
    const results = await Promise.all(slots.map((slot) => book('congdan6', D_RACE, slot)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.message).toMatch(LIMIT_MESSAGE);
    const held = await h.db.selectFrom('appointments').select('start_time').where('account_username', '=', 'congdan6').where('day', '=', D_RACE).execute();
    expect(held).toHaveLength(2);
    const used = await h.db.selectFrom('slot_usage').select('used').where('agency_code', '=', h.agencyCode).where('day', '=', D_RACE).execute();
    expect(used.reduce((n, u) => n + u.used, 0), 'places taken = bookings accepted').toBe(2);
  });

  it('an agency can have its own limit (perAgencyDay@<agency>=N); a mistyped setting refuses to start', () => {
    const env = { DATABASE_URL: 'postgres://x@localhost/x' };
    expect(loadConfig({ ...env, APPOINTMENT_LIMITS: `perDay=4,perAgencyDay@${h.agencyCode}=1` }).appointmentLimits)
      .toEqual({ perDay: 4, perAgencyDay: 2, agencies: { [h.agencyCode]: 1 } });
    expect(() => loadConfig({ ...env, APPOINTMENT_LIMITS: 'perDay=0' })).toThrow(/APPOINTMENT_LIMITS/);
  });

  it('with perAgencyDay@<demo agency>=1: a second booking there is refused, agency B still takes two', async () => {
    const limits = loadConfig({ APPOINTMENT_LIMITS: `perAgencyDay@${h.agencyCode}=1` }).appointmentLimits;
    const svc = new AppointmentService(h.db, h.client, h.config.taskQueue, undefined, limits);
    const who = { username: 'congdan6', fullName: 'Hồ Thị Sáu', kind: 'citizen' as const, idNumber: '079090000666' };
    await svc.book(who, { agencyCode: h.agencyCode, documentType: 'GKS', date: D_AGENCY_LIMIT, slot: '08:00' });
    await expect(svc.book(who, { agencyCode: h.agencyCode, documentType: 'GKS', date: D_AGENCY_LIMIT, slot: '09:00' })).rejects.toThrow(/tối đa 1 lịch hẹn trong một ngày tại một cơ quan/);
    await svc.book(who, { agencyCode: B, documentType: 'GKS', date: D_AGENCY_LIMIT, slot: '08:00' });
    await svc.book(who, { agencyCode: B, documentType: 'GKS', date: D_AGENCY_LIMIT, slot: '09:00' });
    expect((await h.db.selectFrom('appointments').select('code').where('account_username', '=', 'congdan6').where('day', '=', D_AGENCY_LIMIT).execute())).toHaveLength(3);
  });
});

// =====================================================================================================

describe('citizen portal screens (plain HTTP)', () => {
  it('a portal session is not a staff session and vice versa', async () => {
    const anon = new WebClient(h.baseUrl);
    const r = await anon.get('/cong-dan/lich-hen');
    expect(r.status).toBe(303);
    expect(r.location).toBe(`/cong-dan/dang-nhap?next=${encodeURIComponent('/cong-dan/lich-hen')}`);

    const staff = await loginStaff(h.baseUrl, 'canbo');
    for (const p of ['/cong-dan', '/cong-dan/dat-lich', '/cong-dan/lich-hen', '/cong-dan/thong-bao', '/cong-dan/ban-sao']) {
      const s = await staff.get(p);
      expect(s.status, p).toBe(303);
      expect(s.location).toMatch(/^\/cong-dan\/dang-nhap/);
    }
    const citizen = await loginCitizen(h.baseUrl, 'congdan');
    const home = await citizen.get('/cong-dan');
    expect(home.location).toBe('/cong-dan/lich-hen');
    const list = await citizen.get('/cong-dan/lich-hen');
    expect(list.status).toBe(200);
    expect(list.html).toContain('Cổng dịch vụ công — Công dân');
    expect(list.html).not.toContain('Lịch hẹn chờ duyệt');
    for (const p of ['/lich-hen', '/ban-sao/them-moi', '/ho-so/theo-doi']) {
      const s = await citizen.get(p);
      expect(s.status, p).toBe(303);
      expect(s.location).toMatch(/^\/dang-nhap/);
    }
    // Logging in on the portal from a staff session starts a fresh, citizen-only session.
    const page = await staff.get('/cong-dan/dang-nhap');
    const login = await staff.post('/cong-dan/dang-nhap', { _csrf: csrfOf(page.html), username: 'congdan', password: 'demo' });
    expect(login.status).toBe(303);
    expect((await staff.get('/lich-hen')).status).toBe(303);
    expect((await staff.get('/cong-dan/lich-hen')).status).toBe(200);
    // Logging out (POST, CSRF) ends it.
    const out = await citizen.post('/cong-dan/dang-xuat', { _csrf: csrfOf(list.html) });
    expect(out.status).toBe(303);
    expect((await citizen.get('/cong-dan/lich-hen')).status).toBe(303);
  });

  it('a wrong password is refused in Vietnamese and repeated failures are throttled', async () => {
    const b = new WebClient(h.baseUrl);
    const page = await b.get('/cong-dan/dang-nhap');
    const csrf = csrfOf(page.html);
    const wrong = await b.post('/cong-dan/dang-nhap', { _csrf: csrf, username: 'congdan4', password: 'sai' });
    expect(wrong.status).toBe(401);
    expect(text(wrong.html)).toContain('Tên đăng nhập hoặc mật khẩu không đúng');
    for (let i = 0; i < 4; i++) await b.post('/cong-dan/dang-nhap', { _csrf: csrf, username: 'congdan4', password: 'sai' });
    const locked = await b.post('/cong-dan/dang-nhap', { _csrf: csrf, username: 'congdan4', password: 'demo' });
    expect(locked.status).toBe(429);
    expect(text(locked.html)).toContain('Đăng nhập sai quá nhiều lần');
    expect((await b.post('/cong-dan/dang-nhap', { username: 'congdan2', password: 'demo' })).status, 'no CSRF token').toBe(403);
  });

  it('books through the form: free slots, CSRF, a double submit books once, refusals re-show the form with 4xx', async () => {
    const b = await loginCitizen(h.baseUrl, 'congdan');
    const form = await b.get(`/cong-dan/dat-lich?agencyCode=${encodeURIComponent(h.agencyCode)}&documentType=GKS&date=${D_PORTAL}`);
    expect(form.status).toBe(200);
    const t = text(form.html);
    expect(t).toContain('08:00 (còn 2 chỗ)');
    expect(form.html).toContain('Xem giờ trống');
    // The day field is text in dd/mm/yyyy, as every date on the screens (not the browser's own date picker).
    expect(form.html).toMatch(new RegExp(`<input type="text" name="date" id="date" value="${vn(D_PORTAL)}" placeholder="dd/mm/yyyy"`));
    const partial = await b.get(`/cong-dan/dat-lich/khung-gio?agencyCode=${encodeURIComponent(h.agencyCode)}&date=${encodeURIComponent(vn(D_PORTAL))}`);
    expect(partial.status).toBe(200);
    expect(partial.html).not.toContain('<html');
    expect(partial.html).toContain('value="08:00"');
    expect(text((await b.get(`/cong-dan/dat-lich/khung-gio?agencyCode=${encodeURIComponent(h.agencyCode)}&date=31%2F02%2F2026`)).html)).toContain('dd/mm/yyyy');
    expect(text((await b.get(`/cong-dan/dat-lich/khung-gio?agencyCode=${encodeURIComponent(h.agencyCode)}&date=${D_OFF}`)).html)).toContain('ngày nghỉ');

    const csrf = csrfOf(form.html);
    const fields = { agencyCode: h.agencyCode, documentType: 'GKS', date: vn(D_PORTAL), slot: '08:00', _key: 'form-1' };
    const before = await snapshot();
    expect((await b.post('/cong-dan/dat-lich', fields)).status, 'without _csrf').toBe(403);
    expect(await snapshot()).toEqual(before);

    const [one, two] = await Promise.all([b.post('/cong-dan/dat-lich', { ...fields, _csrf: csrf }), b.post('/cong-dan/dat-lich', { ...fields, _csrf: csrf })]);
    expect([one.status, two.status]).toEqual([303, 303]);
    expect(one.location).toBe('/cong-dan/lich-hen');
    const mine = await h.db.selectFrom('appointments').selectAll().where('account_username', '=', 'congdan').where('day', '=', D_PORTAL).execute();
    expect(mine, 'a double submit books once').toHaveLength(1);
    expect(mine[0].code).toMatch(CODE);
    const list = await b.get('/cong-dan/lich-hen');
    expect(text(list.html)).toContain(`Đã đặt lịch hẹn ${mine[0].code} lúc ${formatSlot(D_PORTAL, '08:00')}`);
    expect(text(list.html)).toContain('Chờ xử lý');

    // Refusals: the form again with the reason and a 4xx; nothing is booked.
    await booked('congdan2', D_PORTAL, '09:00');
    await booked('congdan3', D_PORTAL, '09:00');
    const snap = await snapshot();
    const refusals: [Record<string, string>, number, string][] = [
      [{ date: D_PORTAL, slot: '09:00' }, 409, 'đã đủ người'],
      [{ date: PAST, slot: '09:00' }, 400, 'đã qua'],
      [{ date: D_OFF, slot: '09:00' }, 400, 'ngày nghỉ'],
      [{ date: D_PORTAL, slot: '12:15' }, 400, 'giờ làm việc'],
      [{ date: D_PORTAL, slot: '' }, 400, 'chọn một giờ hẹn'],
    ];
    for (const [f, status, message] of refusals) {
      const r = await b.post('/cong-dan/dat-lich', { agencyCode: h.agencyCode, documentType: 'GKS', ...f, _csrf: csrf, _key: `bad-${f.date}-${f.slot}` });
      expect(r.status, `${JSON.stringify(f)}: ${text(r.html).slice(0, 200)}`).toBe(status);
      expect(text(r.html)).toContain(message);
      expect(r.html).toContain('ĐẶT LỊCH HẸN');
      expect(r.html, 'the day stays on the form, in dd/mm/yyyy').toContain(`value="${vn(f.date)}"`);
    }
    // The full slot is no longer offered on the re-shown form.
    const again = await b.get(`/cong-dan/dat-lich?agencyCode=${encodeURIComponent(h.agencyCode)}&documentType=GKS&date=${D_PORTAL}`);
    expect(again.html).not.toContain('value="09:00"');
    expect(text(again.html)).toContain('08:00 (còn 1 chỗ)');
    expect(await snapshot()).toEqual(snap);
  });

  it('cancels through the form; another citizen cannot; notifications are listed newest first and marked read', async () => {
    const b = await loginCitizen(h.baseUrl, 'congdan');
    const other = await loginCitizen(h.baseUrl, 'congdan2');
    const a = await booked('congdan', D_PORTAL2, '10:00');
    // Two reschedules: two notifications, newest first.
    expect((await call('canbo', 'POST', `/appointments/${encodeURIComponent(a.code)}/reschedule`, { json: { date: D_PORTAL2, slot: '13:00', reason: 'Lý do thứ nhất' } })).status).toBe(200);
    expect((await call('canbo', 'POST', `/appointments/${encodeURIComponent(a.code)}/reschedule`, { json: { date: D_PORTAL2, slot: '14:00', reason: 'Lý do thứ hai' } })).status).toBe(200);

    const list = await b.get('/cong-dan/lich-hen');
    const row = text(list.html.split(`data-code="${a.code}"`)[1].split('</tr>')[0]);
    expect(row).toContain(formatSlot(D_PORTAL2, '14:00'));
    expect(row).toContain('Lý do: Lý do thứ hai');
    expect(row).toContain('Hủy lịch hẹn');
    expect(list.html).toMatch(/data-testid="unread">\d+</);

    const notes = await b.get('/cong-dan/thong-bao');
    expect(notes.status).toBe(200);
    const nt = text(notes.html);
    expect(nt.indexOf('Lý do thứ hai')).toBeGreaterThan(-1);
    expect(nt.indexOf('Lý do thứ hai')).toBeLessThan(nt.indexOf('Lý do thứ nhất'));
    const unread = await h.db.selectFrom('notifications').select('id').where('account_username', '=', 'congdan').where('read_at', 'is', null).execute();
    expect(unread).toHaveLength(0);
    expect((await b.get('/cong-dan/lich-hen')).html).not.toContain('data-testid="unread"');
    // The other citizen sees none of it.
    expect(text((await other.get('/cong-dan/thong-bao')).html)).not.toContain(a.code);
    expect((await other.get('/cong-dan/lich-hen')).html).not.toContain(a.code);

    const otherCsrf = csrfOf((await other.get('/cong-dan/lich-hen')).html);
    const refused = await other.post(`/cong-dan/lich-hen/${encodeURIComponent(a.code)}/huy`, { _csrf: otherCsrf });
    expect(refused.status).toBe(404);
    expect((await h.db.selectFrom('appointments').select('status').where('code', '=', a.code).executeTakeFirstOrThrow()).status).toBe('booked');
    expect((await b.post(`/cong-dan/lich-hen/${encodeURIComponent(a.code)}/huy`, {})).status, 'without _csrf').toBe(403);

    const ok = await b.post(`/cong-dan/lich-hen/${encodeURIComponent(a.code)}/huy`, { _csrf: csrfOf(list.html), _key: 'cancel-1' });
    expect(ok.status).toBe(303);
    const after = await b.get('/cong-dan/lich-hen');
    expect(text(after.html)).toContain(`Đã hủy lịch hẹn ${a.code}`);
    const afterRow = text(after.html.split(`data-code="${a.code}"`)[1].split('</tr>')[0]);
    expect(afterRow).toContain('Đã hủy');
    expect(afterRow).not.toContain('Hủy lịch hẹn');
    expect((await slotsOf(D_PORTAL2)).find((s) => s.slot === '14:00')?.remaining).toBe(2);
  });

  it("downloads only the session's own e-copies", async () => {
    const storage = createLocalStorage(path.join(h.config.dataDir, 'files'));
    const pdf = await makePdf(1, 'Ban sao dien tu');
    const ref = await storage.put(pdf);
    await h.db.insertInto('portal_inbox').values({
      account_username: 'congdan2', dossier_code: 'THU-NGHIEM-01', title: 'Bản sao điện tử Giấy khai sinh', body: 'Kính gửi', file_sha256: ref.sha256, download_token: 'tok-cua-congdan2',
    }).execute();
    const owner = await loginCitizen(h.baseUrl, 'congdan2');
    const page = await owner.get('/cong-dan/ban-sao');
    expect(page.status).toBe(200);
    expect(page.html).toContain('THU-NGHIEM-01');
    expect(page.html).toContain('/cong-dan/ban-sao/tok-cua-congdan2/tai-ve');
    const got = await owner.get('/cong-dan/ban-sao/tok-cua-congdan2/tai-ve');
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/pdf');
    expect(got.bytes.equals(pdf)).toBe(true);

    const someoneElse = await loginCitizen(h.baseUrl, 'congdan');
    expect((await someoneElse.get('/cong-dan/ban-sao')).html).not.toContain('THU-NGHIEM-01');
    expect((await someoneElse.get('/cong-dan/ban-sao/tok-cua-congdan2/tai-ve')).status).toBe(404);
    const staff = await loginStaff(h.baseUrl, 'vanthu');
    expect((await staff.get('/cong-dan/ban-sao/tok-cua-congdan2/tai-ve')).status).toBe(303);
    expect((await new WebClient(h.baseUrl).get('/cong-dan/ban-sao/tok-cua-congdan2/tai-ve')).status).toBe(303);
  });
});

// =====================================================================================================

describe('creating a dossier from an appointment, when things break', () => {
  const deps = () => ({ dossiers: h.service, appointments: new AppointmentService(h.db, h.client, h.config.taskQueue) });
  const fromAppointment = (code: string) => ({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS', appointmentCode: code });

  it('a repeat whose first answer was lost (after the appointment was taken over) gives the same dossier, not a 409', async () => {
    const canbo = await h.actor('canbo');
    const [day] = workingDays(1, 44);
    const a = await booked('congdan', day, '08:00');
    const key = crypto.randomUUID();
    const pdf = await makePdf(1);
    const first = await createDossier(deps(), canbo, fromAppointment(a.code), uploadedPdf(h, pdf), key);
    const again = await createDossier(deps(), canbo, fromAppointment(a.code), uploadedPdf(h, pdf), key);
    expect(again.code).toBe(first.code);
    expect(await h.db.selectFrom('appointments').select(['status', 'dossier_code']).where('code', '=', a.code).executeTakeFirstOrThrow())
      .toEqual({ status: 'processed', dossier_code: first.code });
    expect(await h.db.selectFrom('dossiers').select('code').where('code', '=', first.code).execute()).toHaveLength(1);
  });

  it('a repeat of a request that died between the dossier and taking the appointment over finishes both', async () => {
    const canbo = await h.actor('canbo');
    const [day] = workingDays(1, 44);
    const a = await booked('congdan', day, '09:00');
    const key = crypto.randomUUID();
    const pdf = await makePdf(1);
    const made = await h.service.create(canbo, fromAppointment(a.code), uploadedPdf(h, pdf), key); // then the process died
    const again = await createDossier(deps(), canbo, fromAppointment(a.code), uploadedPdf(h, pdf), key);
    expect(again.code).toBe(made.code);
    expect(await h.db.selectFrom('appointments').select(['status', 'dossier_code']).where('code', '=', a.code).executeTakeFirstOrThrow())
      .toEqual({ status: 'processed', dossier_code: made.code });
  });
});

describe('booking holds no database transaction across the Temporal start', () => {
  it('while the start hangs nothing waits in a transaction; when it fails the booking and its place are given back', async () => {
    let reached!: () => void;
    const atTemporal = new Promise<void>((r) => { reached = r; });
    let release!: (e: Error) => void;
    const hang = new Promise<never>((_, reject) => { release = reject; });
    const client = new Client({
      connection: h.client.connection, namespace: h.config.temporalNamespace, dataConverter: dataConverterOf(h.config),
      interceptors: { workflow: [{ startWithDetails: async () => { reached(); return hang; } }] },
    });
    const svc = new AppointmentService(h.db, client, h.config.taskQueue);
    const citizen = (await loadPortalUser(h.db, 'congdan'))!;
    const [day] = workingDays(1, 48); // a day no other test books (D_RACE's winners took its slots)
    const pending = svc.book(citizen, { agencyCode: h.agencyCode, documentType: 'GKS', date: day, slot: '10:00' }).then(() => null, (e: Error) => e);
    await atTemporal;
    const inTransaction = () => sql<{ state: string }>`select state from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`.execute(h.db);
    expect((await inTransaction()).rows, 'sessions idle in transaction while Temporal hangs').toEqual([]);
    release(new Error('Temporal unavailable'));
    expect((await pending)?.message).toMatch(/Temporal unavailable/);
    expect((await inTransaction()).rows).toEqual([]);
    expect(await h.db.selectFrom('appointments').select('code').where('day', '=', day).execute()).toEqual([]);
    expect((await slotsOf(day)).find((s) => s.slot === '10:00')?.remaining).toBe(2);
  });
});

describe('a workflow id already taken on the Temporal server', () => {
  it('is a temporary refusal (503) that keeps nothing; the next try books under the next number', async () => {
    const [day] = workingDays(1, 25);
    const today = vnIsoDate(new Date());
    // The numbers of the day start at 0 (api/appointments/queries.ts nextAppointmentNumber).
    const last = (await h.db.selectFrom('appointment_sequences').select('last').where('day', '=', today).executeTakeFirst())?.last ?? -1;
    // What a database restored behind the Temporal server leaves: the next code's workflow already exists.
    const taken = appointmentWorkflowId(appointmentCode(today, last + 1));
    const squatter = await h.client.workflow.start('nobodyRunsThis', { taskQueue: `nobody-${crypto.randomUUID()}`, workflowId: taken });
    try {
      const rows = () => h.db.selectFrom('appointments').select('code').orderBy('code').execute();
      const before = { slots: await slotsOf(day), rows: await rows() };
      expectRefusal(await book('congdan', day, '14:00'), 503, 'unavailable', /thử lại/);
      expect({ slots: await slotsOf(day), rows: await rows() }).toEqual(before);
      const again = await book('congdan', day, '14:00');
      expect(again.status, JSON.stringify(again.body)).toBe(201);
      expect(again.body.code).toBe(appointmentCode(today, last + 2));
    } finally {
      await squatter.terminate('test done').catch(() => {});
    }
  });
});
