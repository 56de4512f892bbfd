// "Bản sao chờ đóng dấu" holds what waits for the seal keeper: to seal, or sealed and not yet delivered.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Actor } from '../../domain/types.js';
import { createHarness, makePdf, waitForDelivery, type Harness } from '../../lib/testing/harness.js';

let h: Harness;
beforeAll(async () => { h = await createHarness({ web: false }); });
afterAll(async () => { await h?.close(); });

it('lists dossiers to seal and sealed ones until they are delivered', async () => {
  const [canbo, lanhdao, vanthu] = (await Promise.all(['canbo', 'lanhdao', 'vanthu'].map((u) => h.actor(u)))) as Actor[];
  const pdf = await makePdf(1);
  const codes: string[] = [];
  for (let i = 0; i < 3; i++) {
    const tmpPath = path.join(h.config.dataDir, `up-${i}`);
    fs.writeFileSync(tmpPath, pdf);
    const d = await h.service.create(canbo, { applicantKind: 'no_account', email: `q${i}@example.vn`, documentType: 'KHAC' }, { tmpPath, fileName: 'scan.pdf', sha256: crypto.createHash('sha256').update(pdf).digest('hex'), size: pdf.length }, `q${i}`);
    await h.service.act(lanhdao, d.code, 'sign', {}, `s${i}`);
    codes.push(d.code);
  }
  const book = await h.db.selectFrom('register_books').select('id').executeTakeFirstOrThrow();
  await h.service.act(vanthu, codes[1], 'seal', { registerBookId: book.id }, 'seal1');
  await h.service.act(vanthu, codes[2], 'seal', { registerBookId: book.id }, 'seal2');
  await h.service.act(vanthu, codes[2], 'deliver', {}, 'deliver2');
  await waitForDelivery(h, vanthu, codes[2]);
  const queue = await h.service.list(vanthu, { sealerQueue: true });
  expect(queue.items.map((d) => d.code).sort()).toEqual([codes[0], codes[1]].sort());
  expect(queue.total).toBe(2);
});
