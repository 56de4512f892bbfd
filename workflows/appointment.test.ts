// Appointments on the real stack: slot capacity under racing bookings, rescheduling with one SMS and one
// notification, reminder and no-show timers (short timers), cancellation, and taking over by a dossier.
import bcrypt from 'bcryptjs';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appointmentActivities } from '../activities/appointments.js';
import { createSmsGateway } from '../activities/sms.js';
import { AppointmentService } from '../api/appointments/service.js';
import type { PortalUser } from '../api/auth/service.js';
import { DomainError } from '../domain/errors.js';
import type { Actor } from '../domain/types.js';
import { uploadedPdf } from '../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../lib/testing/harness.js';
import { nextWeekday, until, workingDay } from '../lib/testing/time.js';
import { appointmentWorkflowId } from './appointment-messages.js';

let h: Harness;
let canbo: Actor;
const citizens: PortalUser[] = [];

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.then(() => null, (err) => err);
  expect(e, 'should have been refused').toBeInstanceOf(DomainError);
  return e as DomainError;
}

const smsDir = () => path.join(h.config.dataDir, 'sms-outbox');
const smsFiles = () => (fs.existsSync(smsDir()) ? fs.readdirSync(smsDir()) : []);

beforeAll(async () => {
  // Reminder 1.5 s and no-show 4 s after booking (or rescheduling), instead of the day before and the day's end.
  h = await createHarness({ env: { APPOINTMENT_TIMERS_MS: '1500,4000' } });
  canbo = await h.actor('canbo');
  const hash = await bcrypt.hash('demo', 4);
  for (let i = 0; i < 6; i++) {
    const username = `cd${i}`;
    await h.db.insertInto('portal_accounts').values({ username, kind: 'citizen', full_name: `Công dân ${i}`, id_number: `0790900000${String(10 + i)}`, email: `cd${i}@example.vn`, phone: `090000000${i}`, password_hash: hash }).execute();
    citizens.push({ username, fullName: `Công dân ${i}`, kind: 'citizen', idNumber: `0790900000${String(10 + i)}` });
  }
  await h.db.insertInto('appointment_slots').values({ agency_code: h.agencyCode, start_time: '11:00', capacity: 5 }).execute();
});
afterAll(async () => { await h?.close(); });

/** The same service the web app uses, on this harness. */
const appointments = () => new AppointmentService(h.db, h.client, h.config.taskQueue, h.config.appointmentTimers ?? undefined);

describe('appointments', () => {
  it('N+1 racers for N places: exactly N get one', async () => {
    const svc = appointments();
    const day = workingDay(3);
    const results = await Promise.allSettled(citizens.map((c) => svc.book(c, { agencyCode: h.agencyCode, documentType: 'GKS', date: day, slot: '11:00' })));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(5);
    expect(refused).toHaveLength(1);
    expect(refused[0].reason).toBeInstanceOf(DomainError);
    expect(refused[0].reason.message).toContain('đã đủ người');
    const usage = await h.db.selectFrom('slot_usage').select('used').where('day', '=', day).where('start_time', '=', '11:00').executeTakeFirstOrThrow();
    expect(usage.used).toBe(5);
    expect((await h.db.selectFrom('appointments').select('code').where('day', '=', day).execute())).toHaveLength(5);
    // The full slot is no longer offered.
    expect((await svc.freeSlots(h.agencyCode, day)).map((s) => s.time)).not.toContain('11:00');
    for (const r of ok) expect((r as PromiseFulfilledResult<{ code: string }>).value.code).toMatch(/^CTĐT-\d{8}-\d{4}$/);
  });

  it('refuses a slot in the past, outside working hours or on a day off', async () => {
    const svc = appointments();
    const c = citizens[0];
    const sat = nextWeekday(6);
    expect((await refusal(svc.book(c, { agencyCode: h.agencyCode, documentType: 'GKS', date: sat, slot: '09:00' }))).message).toMatch(/ngày nghỉ/);
    expect((await refusal(svc.book(c, { agencyCode: h.agencyCode, documentType: 'GKS', date: workingDay(2), slot: '12:15' }))).message).toMatch(/giờ làm việc/);
    expect((await refusal(svc.book(c, { agencyCode: h.agencyCode, documentType: 'GKS', date: '2020-06-24', slot: '09:00' }))).message).toMatch(/đã qua|ngày nghỉ/);
    expect(await h.db.selectFrom('appointments').select('code').where('account_username', '=', c.username).where('day', '=', sat).execute()).toHaveLength(0);
  });

  it('rescheduling sends one SMS and one notification, also when repeated or retried', async () => {
    const svc = appointments();
    const day = workingDay(4);
    const a = await svc.book(citizens[1], { agencyCode: h.agencyCode, documentType: 'BTN', date: day, slot: '08:00' });
    // Only this appointment's reschedule SMS: the earlier tests' reminders (1.5 s timers) may land in the outbox meanwhile.
    const rescheduleFiles = () => smsFiles().filter((f) => f.startsWith(`${a.code.replace(/[^A-Za-z0-9._-]/g, '_')}_reschedule`));
    const before = rescheduleFiles().length;
    expect((await refusal(svc.reschedule(canbo, a.code, { date: day, slot: '09:00', reason: '' }, 'r0'))).message).toMatch(/lý do/);
    const moved = await svc.reschedule(canbo, a.code, { date: day, slot: '09:00', reason: 'Cán bộ bận việc đột xuất' }, 'r1');
    expect(moved).toMatchObject({ day, time: '09:00', rescheduleReason: 'Cán bộ bận việc đột xuất', reschedules: 1 });
    // The same request again (a double click): acts once.
    await svc.reschedule(canbo, a.code, { date: day, slot: '09:00', reason: 'Cán bộ bận việc đột xuất' }, 'r1');
    const sms = await h.db.selectFrom('sms_messages').selectAll().where('dedupe_key', 'like', `${a.code}:reschedule:%`).execute();
    expect(sms).toHaveLength(1);
    expect(sms[0]).toMatchObject({ phone: '0900000001', status: 'sent' });
    expect(sms[0].body).toContain('09:00');
    const notes = await h.db.selectFrom('notifications').selectAll().where('appointment_code', '=', a.code).execute();
    expect(notes).toHaveLength(1);
    expect(notes[0].body).toContain('Cán bộ bận việc đột xuất');
    expect(rescheduleFiles().length - before).toBe(1);
    // A retried activity with the same key sends nothing more.
    const acts = appointmentActivities({ db: h.db, sms: createSmsGateway({ outboxDir: smsDir() }) });
    expect(await acts.sendSms({ key: sms[0].dedupe_key, phone: sms[0].phone, text: sms[0].body })).toEqual({ sent: false });
    await acts.notifyAccount({ key: `${a.code}:reschedule:1:notify`, account: 'cd1', title: 'x', body: 'y', appointmentCode: a.code });
    expect(await h.db.selectFrom('notifications').select('id').where('appointment_code', '=', a.code).execute()).toHaveLength(1);
    // The old place was freed, the new one taken.
    const used = async (t: string) => (await h.db.selectFrom('slot_usage').select('used').where('day', '=', day).where('start_time', '=', t).executeTakeFirst())?.used ?? 0;
    expect(await used('08:00')).toBe(0);
    expect(await used('09:00')).toBe(1);
  });

  it('reminds by SMS, then marks a no-show at the end of the day and frees nothing twice', async () => {
    const svc = appointments();
    const day = workingDay(5);
    const a = await svc.book(citizens[2], { agencyCode: h.agencyCode, documentType: 'GKS', date: day, slot: '14:00' });
    const reminder = await until('the reminder', async () => h.db.selectFrom('sms_messages').selectAll().where('dedupe_key', 'like', `${a.code}:reminder:%`).executeTakeFirst());
    expect(reminder.body).toContain(a.code);
    const done = await h.client.workflow.getHandle(appointmentWorkflowId(a.code)).result();
    expect(done.status).toBe('no_show');
    expect((await h.db.selectFrom('appointments').select('status').where('code', '=', a.code).executeTakeFirstOrThrow()).status).toBe('no_show');
    // Audited: booked by the citizen, then the no-show by the system, once each; a retry of the activity adds nothing.
    const audit = () => h.db.selectFrom('admin_events').select(['action', 'actor', 'actor_kind', 'before', 'after']).where('entity', '=', 'appointment').where('entity_id', '=', a.code).orderBy('id').execute();
    expect(await audit()).toEqual([
      expect.objectContaining({ action: 'booked', actor: citizens[2].username, actor_kind: 'citizen' }),
      expect.objectContaining({ action: 'no_show', actor: 'system', actor_kind: 'staff', before: expect.objectContaining({ status: 'booked' }), after: expect.objectContaining({ status: 'no_show' }) }),
    ]);
    await appointmentActivities({ db: h.db, sms: createSmsGateway({ outboxDir: smsDir() }) }).recordAppointment({ state: done, audit: { action: 'no_show', actor: 'system', actorKind: 'staff' } });
    expect(await audit()).toHaveLength(2);
    expect(await h.db.selectFrom('sms_messages').select('id').where('dedupe_key', 'like', `${a.code}:reminder:%`).execute()).toHaveLength(1);
    const usage = await h.db.selectFrom('slot_usage').select('used').where('day', '=', day).where('start_time', '=', '14:00').executeTakeFirstOrThrow();
    expect(usage.used).toBe(1);
  });

  it('a citizen cancels their own appointment before the time, once; others cannot', async () => {
    const svc = appointments();
    const day = workingDay(6);
    const a = await svc.book(citizens[3], { agencyCode: h.agencyCode, documentType: 'GKS', date: day, slot: '15:00' });
    expect((await refusal(svc.cancel(citizens[4], a.code, 'c0'))).code).toBe('not_found');
    const [x, y] = await Promise.all([svc.cancel(citizens[3], a.code, 'c1'), svc.cancel(citizens[3], a.code, 'c1')]);
    expect(x.status).toBe('cancelled');
    expect(y.status).toBe('cancelled');
    const usage = await h.db.selectFrom('slot_usage').select('used').where('day', '=', day).where('start_time', '=', '15:00').executeTakeFirstOrThrow();
    expect(usage.used).toBe(0);
    expect((await refusal(svc.cancel(citizens[3], a.code, 'c2'))).code).toBe('wrong_state');
    expect((await refusal(svc.reschedule(canbo, a.code, { date: day, slot: '16:00', reason: 'thử dời' }, 'c3'))).code).toBe('wrong_state');
  });

  it('"Xử lý" turns the appointment into a dossier', async () => {
    const svc = appointments();
    const day = workingDay(2);
    const a = await svc.book(citizens[5], { agencyCode: h.agencyCode, documentType: 'GKS', date: day, slot: '16:00' });
    const pdf = await makePdf(1);
    const d = await h.service.create(canbo, { applicantKind: 'citizen', idNumber: citizens[5].idNumber, documentType: 'GKS', appointmentCode: a.code }, uploadedPdf(h, pdf), crypto.randomUUID());
    const processed = await svc.markProcessed(canbo, a.code, d.code);
    expect(processed).toMatchObject({ status: 'processed', dossierCode: d.code });
    expect(d.appointmentCode).toBe(a.code);
    const row = await h.db.selectFrom('appointments').selectAll().where('code', '=', a.code).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'processed', dossier_code: d.code });
    expect((await refusal(svc.reschedule(canbo, a.code, { date: day, slot: '09:00', reason: 'thử dời' }, 'p1'))).code).toBe('wrong_state');
  });
});
