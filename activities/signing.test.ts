// The signing and sealing activities at the default level with a TSA (B-LTA) while the TSA is down: the attempt
// fails, Temporal retries with backoff, the dossier's page says it waits for the time-stamping service, nothing is
// stored meanwhile, and the dossier goes on once the TSA (certomancer, behind a gate) answers again; pyHanko then
// says B-LTA for both.
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Actor } from '../domain/types.js';
import { startCertomancer, type Certomancer } from '../lib/testing/certomancer.js';
import { uploadedPdf } from '../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../lib/testing/harness.js';
import { judgePdf } from '../lib/testing/pades.js';
import { until } from '../lib/testing/time.js';
import { createFileKeyStore } from './pdf/pki.js';
import { createLocalStorage } from './storage.js';

let h: Harness;
let tsa: Certomancer;
let gate: http.Server;
let open = false;
let refused = 0;

beforeAll(async () => {
  tsa = await startCertomancer();
  // The TSA as the worker sees it: while closed, the connection is cut (a TSA that is down).
  gate = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (!open) { refused++; return void req.socket.destroy(); }
    const up = await fetch(tsa.tsaUrl, { method: 'POST', headers: { 'Content-Type': 'application/timestamp-query' }, body: new Uint8Array(Buffer.concat(chunks)) });
    res.writeHead(up.status, { 'Content-Type': 'application/timestamp-reply' }).end(Buffer.from(await up.arrayBuffer()));
  });
  await new Promise<void>((r) => gate.listen(0, '127.0.0.1', r));
  // Four attempts (1 + 2 + 4 s of backoff): the second test outlasts them in seconds.
  h = await createHarness({ web: false, env: { TSA_URL: `http://127.0.0.1:${(gate.address() as { port: number }).port}/tsa`, PDF_ATTEMPTS: '4' } });
}, 90_000);
afterAll(async () => {
  await h?.close();
  await new Promise((r) => gate?.close(r));
  await tsa?.stop();
});

const filesOf = (code: string) => h.db.selectFrom('dossier_files').select('kind').where('dossier_code', '=', code).execute();

it('signs and seals at the default level (B-LTA), waiting (and saying so) while the TSA is down', async () => {
  expect(h.config.signature.level).toBe('B-LTA');
  const [canbo, lanhdao, vanthu] = (await Promise.all(['canbo', 'lanhdao', 'vanthu'].map((u) => h.actor(u)))) as Actor[];
  const d = await h.service.create(canbo, { applicantKind: 'no_account', email: 'tsa@example.vn', documentType: 'KHAC' }, uploadedPdf(h, await makePdf(1)), 'tsa-create');

  const signing = h.service.act(lanhdao, d.code, 'sign', {}, 'tsa-sign');
  // Two attempts refused (the second after the retry's backoff): the page says what it waits for; nothing stored.
  await until('two refused TSA requests', async () => refused >= 2);
  const waiting = await h.service.get(lanhdao, d.code);
  expect(waiting).toMatchObject({ status: 'awaiting_signature', processing: true, waitingFor: 'timestamp' });
  expect((await filesOf(d.code)).map((f) => f.kind)).not.toContain('signed');
  open = true;
  const signed = await signing;
  expect(signed.status).toBe('awaiting_seal');
  expect((await h.service.get(lanhdao, d.code)).waitingFor).toBeUndefined();

  open = false;
  refused = 0;
  const book = await h.db.selectFrom('register_books').select('id').executeTakeFirstOrThrow();
  const sealing = h.service.act(vanthu, d.code, 'seal', { registerBookId: book.id }, 'tsa-seal');
  await until('a refused TSA request', async () => refused >= 1);
  open = true;
  const sealed = await sealing;
  expect(sealed.sealedPdf).toBeTruthy();
  // One file of each kind: the refused attempts stored nothing.
  const kinds = (await filesOf(d.code)).map((f) => f.kind);
  expect([kinds.filter((k) => k === 'signed').length, kinds.filter((k) => k === 'sealed').length]).toEqual([1, 1]);

  const pdf = await createLocalStorage(path.join(h.config.dataDir, 'files')).get(sealed.sealedPdf!.sha256);
  const ca = await createFileKeyStore(path.join(h.config.dataDir, 'pki')).caCertPem();
  const j = judgePdf(pdf, [ca, tsa.rootPem]);
  expect(j.signatures.map((s) => [s.field, s.level ?? null, s.intact, s.trusted])).toEqual([
    ['ChuKyLanhDao', 'B-LTA', true, true],
    ['DauCoQuan', 'B-LTA', true, true],
    ['DauThoiGian', null, true, true],
  ]);
}, 120_000);

it('a TSA down for longer than the attempts: the signature is refused as temporary, the dossier unchanged', async () => {
  const [canbo, lanhdao] = (await Promise.all(['canbo', 'lanhdao'].map((u) => h.actor(u)))) as Actor[];
  const d = await h.service.create(canbo, { applicantKind: 'no_account', email: 'tsa2@example.vn', documentType: 'KHAC' }, uploadedPdf(h, await makePdf(1)), 'tsa-create-2');
  open = false;
  const refusal = await h.service.act(lanhdao, d.code, 'sign', {}, 'tsa-sign-2').catch((e: Error) => e);
  expect(refusal).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/^Chưa lấy được dấu thời gian.*hồ sơ không thay đổi/) });
  expect(await h.service.get(lanhdao, d.code)).toMatchObject({ status: 'awaiting_signature', signedPdf: null });
  expect((await filesOf(d.code)).map((f) => f.kind)).not.toContain('signed');
}, 120_000);
