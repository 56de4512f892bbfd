// Escalation: a dossier still waiting on people when its due date passes is marked overdue by its workflow.
// OVERDUE_AFTER_MS makes "the end of the due day" come 1.5 s after submission.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
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
