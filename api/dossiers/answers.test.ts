// A person gets an answer in seconds whatever the worker is doing: an action still running after the answer time
// is "đang xử lý" (202 / the page follows it), a dossier's page shows the read model while the worker is down,
// and a temporary refusal by Temporal (worker gone, workflow task failing) is a 503 with Retry-After, never a 500.
// Runs its own worker on a task queue of its own, so that it can stop it and put a failing one in its place.
import crypto from 'node:crypto';
import type http from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalStorage } from '../../activities/storage.js';
import type { Config } from '../../lib/config.js';
import { dataConverterOf } from '../../lib/payload-codec.js';
import { uploadedPdf } from '../../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, expectRefusal, loginStaff, VIETNAMESE } from '../../lib/testing/http.js';
import { createWorker } from '../../worker.js';
import { workflowIdFor } from '../../workflows/messages.js';
import { createApp } from '../app.js';
import { DossierService } from './service.js';
import { until } from '../../lib/testing/time.js';

let h: Harness;
let config: Config;
let native: NativeConnection;
let worker: Worker | null = null;
let running: Promise<void> | null = null;
let server: http.Server;
let baseUrl = '';
const { call } = apiClient(() => baseUrl);

async function startWorker(w: Worker) {
  worker = w;
  running = w.run();
}
async function stopWorker() {
  if (!worker) return;
  worker.shutdown();
  await running;
  worker = null;
}

beforeAll(async () => {
  h = await createHarness({ web: false });
  // An action answers after 1.5 s at most; the page waits 3 s (the service's default) for the workflow.
  config = { ...h.config, taskQueue: `${h.config.taskQueue}-own`, actionAnswerMs: 1500 };
  native = await NativeConnection.connect({ address: config.temporalAddress });
  await startWorker(await createWorker(config, h.db, { connection: native }));
  const app = createApp({ config, db: h.db, temporal: h.client, storage: createLocalStorage(path.join(config.dataDir, 'files')) });
  server = await new Promise<http.Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  for await (const wf of h.client.workflow.list({ query: `TaskQueue="${config.taskQueue}" AND ExecutionStatus="Running"` })) {
    await h.client.workflow.getHandle(wf.workflowId).terminate('test file finished').catch(() => {});
  }
  await stopWorker();
  await native?.close();
  await h?.close();
});

async function newDossier() {
  const service = new DossierService(h.db, h.client, createLocalStorage(path.join(config.dataDir, 'files')), config.taskQueue, config.workflow);
  return service.create(await h.actor('canbo'), { applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, uploadedPdf(h, await makePdf(1)), crypto.randomUUID());
}

/** Holds the signature images table, so that a signing activity waits in the middle of its work. */
async function holdSigning() {
  const c = new pg.Client({ connectionString: config.databaseUrl! });
  await c.connect();
  await c.query('begin');
  await c.query('lock table images in access exclusive mode');
  return async () => { await c.query('rollback'); await c.end(); };
}


describe('answers in seconds', () => {
  let code = '';

  it('an action still running after the answer time is accepted as "đang xử lý", and the page follows it to the end', async () => {
    code = (await newDossier()).code;
    const release = await holdSigning();
    let b;
    try {
      const r = await call('lanhdao', 'POST', `/dossiers/${code}/sign`, { headers: { 'idempotency-key': 'sign-1' } });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      expect(r.body).toEqual({ code, status: 'awaiting_signature', processing: true });

      // The screen: the same action again (same form key) is recognised, and the page says it is being processed.
      b = await loginStaff(baseUrl, 'lanhdao');
      const page = await b.get(`/ho-so/${code}`);
      expect(page.status).toBe(200);
      expect(page.html).toContain('Đang xử lý');
      expect(page.html).not.toContain('data-testid="sign"'); // no second signature can be asked for meanwhile
      const poll = await b.get(`/ho-so/${code}/dang-xu-ly`);
      expect(poll.status).toBe(200);
      expect(poll.html).toContain('hx-trigger="every 2s"');
      expect(poll.headers.get('hx-refresh')).toBeNull();
      const again = await call('lanhdao', 'POST', `/dossiers/${code}/sign`, { headers: { 'idempotency-key': 'sign-1' } });
      expect(again.status).toBe(202);
    } finally {
      await release();
    }
    // Once signed, the poll asks the page to reload, and the page shows the signed dossier.
    await until('the poll says "reload"', async () => (await b!.get(`/ho-so/${code}/dang-xu-ly`)).headers.get('hx-refresh') === 'true', 30_000);
    const done = await call('lanhdao', 'GET', `/dossiers/${code}`);
    expect(done.body.status).toBe('awaiting_seal');
    expect(done.body.processing).toBeUndefined();
    const events = await h.db.selectFrom('dossier_events').select('action').where('dossier_code', '=', code).execute();
    expect(events.filter((e) => e.action === 'sign')).toHaveLength(1);
  });

  it('with the worker stopped, the page shows the read model (possibly not current) and an action is a 503 with Retry-After', async () => {
    await stopWorker();
    const b = await loginStaff(baseUrl, 'vanthu');
    const page = await b.get(`/ho-so/${code}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Thông tin có thể chưa cập nhật');
    expect(page.html).toContain('Chờ đóng dấu'); // the last recorded state: signed, waiting for the seal
    const api = await call('vanthu', 'GET', `/dossiers/${code}`);
    expect(api.status).toBe(200);
    expect(api.body).toMatchObject({ code, status: 'awaiting_seal', stale: true });

    const book = await h.db.selectFrom('register_books').select('id').where('agency_code', '=', h.agencyCode).orderBy('id').executeTakeFirstOrThrow();
    const r = await call('vanthu', 'POST', `/dossiers/${code}/seal`, { json: { registerBookId: book.id }, headers: { 'idempotency-key': 'seal-1' } });
    expectRefusal(r, 503, 'unavailable');
    expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('while the workflow task keeps failing, an action is a 503 with Retry-After on the API and on the screens', async () => {
    await startWorker(await Worker.create({
      connection: native, namespace: config.temporalNamespace, taskQueue: config.taskQueue,
      workflowsPath: path.resolve('lib/testing/failing-workflows.ts'), dataConverter: dataConverterOf(config),
    }));
    const handle = h.client.workflow.getHandle(workflowIdFor(code));
    await handle.signal('nudge'); // a workflow task to fail (the workflow ignores the signal)
    await until('a failed workflow task', async () => {
      const events = (await handle.fetchHistory()).events ?? [];
      return events.some((e) => e.workflowTaskFailedEventAttributes);
    }, 30_000);
    const r = await call('vanthu', 'POST', `/dossiers/${code}/deliver`, { headers: { 'idempotency-key': 'deliver-1' } });
    expectRefusal(r, 503, 'unavailable');
    expect(r.headers.get('retry-after')).toMatch(/^\d+$/);

    const b = await loginStaff(baseUrl, 'lanhdao');
    const page = await b.get(`/ho-so/${code}`);
    expect(page.status).toBe(200);
    const form = /name="_csrf" value="([^"]+)"/.exec(page.html)![1];
    const screen = await b.post(`/ho-so/${code}/tra-lai`, { _csrf: form, _key: 'ret-1', reason: 'Bản scan không rõ' });
    expect(screen.status).toBe(503);
    expect(screen.html).toMatch(VIETNAMESE);
    expect(screen.html).toContain('thử lại sau');
    await stopWorker();
  });
});
