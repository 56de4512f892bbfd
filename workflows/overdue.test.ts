// Escalation: a dossier still waiting on people when its due date passes is marked overdue by its workflow.
// OVERDUE_AFTER_MS makes "the end of the due day" come 1.5 s after submission. The due date itself follows the
// agency's working-day calendar (public holidays, the agency's own days), given to the workflow when it starts.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addDays } from '../domain/calendar.js';
import { vnIsoDate } from '../domain/vn-time.js';
import { createHarness, makePdf, type Harness } from '../lib/testing/harness.js';

let h: Harness;
beforeAll(async () => { h = await createHarness({ web: false, env: { OVERDUE_AFTER_MS: '1500' } }); });
afterAll(async () => { await h?.close(); });

async function submit(n: number) {
  const canbo = await h.actor('canbo');
  const pdf = await makePdf(1);
  const tmpPath = path.join(h.config.dataDir, `up-${n}`);
  fs.writeFileSync(tmpPath, pdf);
  return h.service.create(canbo, { applicantKind: 'no_account', email: `qh${n}@example.vn`, documentType: 'KHAC' }, { tmpPath, fileName: 'scan.pdf', sha256: crypto.createHash('sha256').update(pdf).digest('hex'), size: pdf.length }, `k${n}`);
}

it('marks a waiting dossier overdue once, and leaves a handled one alone', async () => {
  const waiting = await submit(1);
  const handled = await submit(2);
  const lanhdao = await h.actor('lanhdao');
  const canbo = await h.actor('canbo');
  expect(waiting.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  await h.service.act(lanhdao, handled.code, 'returnToCreator', { reason: 'Bản scan không rõ' }, 'r');
  await h.service.act(canbo, handled.code, 'cancel', { reason: 'Rút hồ sơ' }, 'c');

  const end = Date.now() + 15_000;
  let v = await h.service.get(canbo, waiting.code);
  while (!v.overdue && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 200));
    v = await h.service.get(canbo, waiting.code);
  }
  expect(v.overdue).toBe(true);
  expect(v.status).toBe('awaiting_signature');
  expect(v.history.filter((e) => e.action === 'overdue')).toHaveLength(1);
  await new Promise((r) => setTimeout(r, 2000)); // no second escalation
  const events = await h.db.selectFrom('dossier_events').select('action').where('dossier_code', '=', waiting.code).execute();
  expect(events.map((e) => e.action)).toEqual(['submit', 'overdue']);
  // The dossier goes on as usual afterwards.
  const signed = await h.service.act(lanhdao, waiting.code, 'sign', {}, 's');
  expect(signed.status).toBe('awaiting_seal');
  const other = await h.service.get(canbo, handled.code);
  expect(other.overdue).toBe(false);
  expect(other.history.map((e) => e.action)).not.toContain('overdue');
});

it('gives a dossier received on a public holiday, before another one, the due date after them; the overdue marking agrees', async () => {
  // Today and tomorrow become national public holidays, and the day after is the agency's make-up working day
  // (whatever weekday it is): the only due date that honours all three is the day after tomorrow.
  const today = vnIsoDate(new Date());
  const [tomorrow, after] = [addDays(today, 1), addDays(today, 2)];
  for (const day of [today, tomorrow]) {
    await h.db.insertInto('public_holidays').values({ day, name: 'Ngày nghỉ lễ (thử nghiệm)', working: false })
      .onConflict((oc) => oc.column('day').doUpdateSet({ working: false })).execute();
  }
  await h.db.insertInto('agency_days').values({ agency_code: h.agencyCode, day: after, working: true, note: 'Làm bù' })
    .onConflict((oc) => oc.columns(['agency_code', 'day']).doUpdateSet({ working: true })).execute();

  const d = await submit(3);
  expect(d.dueDate).toBe(after);
  // The calendar travels in the workflow's input (its history), so a replay gives the same due date.
  expect(d.calendar).toMatchObject({ from: today, overrides: { [today]: false, [tomorrow]: false, [after]: true } });
  const row = await h.db.selectFrom('dossiers').select('due_date').where('code', '=', d.code).executeTakeFirstOrThrow();
  expect(row.due_date).toBe(after);

  // Returned and resubmitted, it keeps its due date; the overdue marking names that day.
  const [lanhdao, canbo] = [await h.actor('lanhdao'), await h.actor('canbo')];
  await h.service.act(lanhdao, d.code, 'returnToCreator', { reason: 'Bản scan không rõ' }, 'r3');
  const again = await h.service.act(canbo, d.code, 'resubmit', {}, 's3');
  expect(again.dueDate).toBe(after);
  const end = Date.now() + 15_000;
  let v = await h.service.get(canbo, d.code);
  while (!v.overdue && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 200));
    v = await h.service.get(canbo, d.code);
  }
  expect(v.overdue).toBe(true);
  const overdue = await h.db.selectFrom('dossier_events').select(['type', 'payload']).where('dossier_code', '=', d.code).where('action', '=', 'overdue').execute();
  expect(overdue).toEqual([{ type: 'overdue', payload: { dueDate: after } }]);
});
