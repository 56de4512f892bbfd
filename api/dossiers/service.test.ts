// Creating a dossier when things break (api/dossiers/service.ts `create`): a repeat of a request that died at any point
// gives one dossier and one workflow, submitted; no database connection waits in a transaction on Temporal; a
// malformed idempotency key is refused before anything happens; and a real kill -9 of a web server in the middle
// of a 20 MB upload, followed by the client's retry.
import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalStorage } from '../../activities/storage.js';
import { vnDdMmYy } from '../../domain/vn-time.js';
import type { Actor } from '../../domain/types.js';
import { freePort } from '../../lib/local-services.js';
import { dataConverterOf } from '../../lib/payload-codec.js';
import { filesUnder, uploadedPdf } from '../../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, expectRefusal, loginStaff, multipart, VIETNAMESE } from '../../lib/testing/http.js';
import { eventually, until } from '../../lib/testing/time.js';
import { workflowIdFor } from '../../workflows/messages.js';
import { DossierService } from './service.js';

let h: Harness;
let canbo: Actor;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { call } = apiClient(() => h.baseUrl);

beforeAll(async () => {
  h = await createHarness();
  canbo = await h.actor('canbo');
});
afterAll(async () => { await h?.close(); });

/** The ids of this file's dossier workflows started since `since`, from Temporal's list API. */
async function workflowsSince(since: Date): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of h.client.workflow.list({ query: `TaskQueue = "${h.config.taskQueue}" AND StartTime >= "${since.toISOString()}"` })) ids.push(wf.workflowId);
  return ids.sort();
}

/**
 * Exactly one workflow started since `since`, that of `code`. Visibility lags a little: wait until the expected
 * workflow shows, by which time any workflow started before it (a first attempt's) shows too.
 */
async function expectOneWorkflow(since: Date, code: string) {
  const ids = await eventually(() => workflowsSince(since), (v) => v.includes(workflowIdFor(code)), `the workflow of ${code} listed`);
  expect(ids).toEqual([workflowIdFor(code)]);
}

const dossiersOf = (email: string) => h.db.selectFrom('dossiers').select(['code', 'status', 'due_date']).where('applicant_email', '=', email).execute();

/** The sessions of this test database that wait inside an open transaction. */
async function sessionsInTransaction(): Promise<{ state: string; query: string }[]> {
  const { rows } = await sql<{ state: string; query: string }>`
    select state, query from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`.execute(h.db);
  return rows;
}

/**
 * A DossierService whose Temporal client dies at one point of the create, as a killed process would: before its
 * first Temporal call (after the reservation), after a workflow start went through, or after the submit went
 * through. (Update-with-start is both at once.) Nothing runs after the "death": it throws out of the call.
 */
type DeathPoint = 'beforeTemporal' | 'afterStart' | 'afterSubmit';
function dyingService(point: DeathPoint): DossierService {
  const die = () => { throw new Error(`simulated crash (${point})`); };
  const interceptor: WorkflowClientInterceptor = {
    async startWithDetails(input, next) {
      if (point === 'beforeTemporal') die();
      const out = await next(input);
      if (point === 'afterStart') die();
      return out;
    },
    async startUpdate(input, next) {
      if (point === 'beforeTemporal') die();
      const out = await next(input);
      if (point === 'afterSubmit') die();
      return out;
    },
    async startUpdateWithStart(input, next) {
      if (point === 'beforeTemporal') die();
      const out = await next(input);
      die();
      return out;
    },
  };
  const client = new Client({ connection: h.client.connection, namespace: h.config.temporalNamespace, dataConverter: dataConverterOf(h.config), interceptors: { workflow: [interceptor] } });
  return new DossierService(h.db, client, createLocalStorage(path.join(h.config.dataDir, 'files')), h.config.taskQueue, h.config.workflow);
}

const input = (email: string) => ({ applicantKind: 'no_account', fullName: 'Nguyễn Văn Lặp', email, documentType: 'GKS' });

describe('a repeat of a create that died gives one dossier and one workflow, submitted', () => {
  const points: { name: string; first: (email: string, key: string, pdf: Buffer) => Promise<unknown> }[] = [
    { name: 'after the reservation, before the Temporal call', first: (e, k, pdf) => dyingService('beforeTemporal').create(canbo, input(e), uploadedPdf(h, pdf), k) },
    { name: 'after the workflow start went through', first: (e, k, pdf) => dyingService('afterStart').create(canbo, input(e), uploadedPdf(h, pdf), k) },
    { name: 'after the submit went through', first: (e, k, pdf) => dyingService('afterSubmit').create(canbo, input(e), uploadedPdf(h, pdf), k) },
    // The create finished; its answer was lost on the way (the connection dropped).
    { name: 'before answering', first: (e, k, pdf) => h.service.create(canbo, input(e), uploadedPdf(h, pdf), k) },
  ];
  for (const p of points) {
    it(p.name, async () => {
      const since = new Date();
      const email = `lap-${crypto.randomBytes(3).toString('hex')}@example.vn`;
      const key = crypto.randomUUID();
      const pdf = await makePdf(1);
      await p.first(email, key, pdf).catch((e: Error) => expect(e.message).toMatch(/simulated crash/));

      const retry = await h.service.create(canbo, input(email), uploadedPdf(h, pdf), key);
      expect(retry.status).toBe('awaiting_signature');
      expect(retry.dueDate, 'submitted: the due date is set').toBeTruthy();
      const again = await h.service.create(canbo, input(email), uploadedPdf(h, pdf), key);
      expect(again.code).toBe(retry.code);

      expect(await dossiersOf(email)).toEqual([{ code: retry.code, status: 'awaiting_signature', due_date: retry.dueDate }]);
      await expectOneWorkflow(since, retry.code);
      const state = await h.service.get(canbo, retry.code);
      expect(state.dueDate).toBe(retry.dueDate);
      expect(state.history.filter((x) => x.action === 'submit')).toHaveLength(1);
      expect(filesUnder(path.join(h.config.dataDir, 'files', 'tmp')), 'no upload left in the temp folder').toEqual([]);
    });
  }
});

describe('no database connection waits in a transaction on Temporal', () => {
  /** A service whose Temporal start call hangs until released (then fails), saying when it got there. */
  function hangingService() {
    let reached!: () => void;
    const atTemporal = new Promise<void>((r) => { reached = r; });
    let release!: (e: Error) => void;
    const hang = new Promise<never>((_, reject) => { release = reject; });
    const waitThere = async () => { reached(); return hang; };
    const client = new Client({
      connection: h.client.connection, namespace: h.config.temporalNamespace, dataConverter: dataConverterOf(h.config),
      interceptors: { workflow: [{ startWithDetails: waitThere, startUpdate: waitThere, startUpdateWithStart: waitThere }] },
    });
    const svc = new DossierService(h.db, client, createLocalStorage(path.join(h.config.dataDir, 'files')), h.config.taskQueue, h.config.workflow);
    return { svc, atTemporal, release };
  }

  it('while the Temporal call hangs, and after it fails; the retry then makes the dossier', async () => {
    const since = new Date();
    const email = `treo-${crypto.randomBytes(3).toString('hex')}@example.vn`;
    const key = crypto.randomUUID();
    const pdf = await makePdf(1);
    const { svc, atTemporal, release } = hangingService();
    const pending = svc.create(canbo, input(email), uploadedPdf(h, pdf), key).then(() => null, (e: Error) => e);
    await atTemporal;
    expect(await sessionsInTransaction(), 'sessions idle in transaction while Temporal hangs').toEqual([]);
    release(new Error('Temporal unavailable'));
    expect((await pending)?.message).toMatch(/Temporal unavailable/);
    expect(await sessionsInTransaction(), 'sessions idle in transaction after the failure').toEqual([]);

    const retry = await h.service.create(canbo, input(email), uploadedPdf(h, pdf), key);
    expect(retry.dueDate).toBeTruthy();
    expect((await dossiersOf(email)).map((d) => d.code)).toEqual([retry.code]);
    await expectOneWorkflow(since, retry.code);
  });
});

describe('a malformed idempotency key is refused before anything happens', () => {
  async function counts() {
    const n = async (t: 'dossiers' | 'create_requests') => Number((await h.db.selectFrom(t).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    return { dossiers: await n('dossiers'), createRequests: await n('create_requests'), sequences: JSON.stringify(await h.db.selectFrom('dossier_sequences').selectAll().execute()) };
  }
  const form = async (fields: Record<string, string> = {}) => multipart({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS', ...fields }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf');

  it('an 8,000-character key, a key with spaces or Vietnamese letters: 400 on the API and the screen, nothing created', async () => {
    const since = new Date();
    const before = await counts();
    for (const bad of ['k'.repeat(8000), 'khóa của tôi', 'a b', 'x'.repeat(201)]) {
      const r = await call('canbo', 'POST', '/dossiers', { form: await form(), headers: { 'Idempotency-Key': Buffer.from(bad).toString('latin1') } }); // raw UTF-8 bytes, as a client would send them
      expectRefusal(r, 400, 'validation', 'idempotencyKey');
      expect(r.body.message).toMatch(/Idempotency-Key/);
    }
    // The key as a multipart field.
    expectRefusal(await call('canbo', 'POST', '/dossiers', { form: await form({ idempotencyKey: 'k'.repeat(8000) }) }), 400, 'validation', 'idempotencyKey');
    // On an action too.
    expectRefusal(await call('lanhdao', 'POST', '/dossiers/KHONG-CO/sign', { headers: { 'Idempotency-Key': 'k'.repeat(8000) } }), 400, 'validation', 'idempotencyKey');
    // The screen's form, with the hidden _key tampered with.
    const b = await loginStaff(h.baseUrl, 'canbo');
    const page = await b.get('/ban-sao/them-moi');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1];
    const screen = await b.post('/ban-sao', await form({ _csrf: csrf, _key: 'k'.repeat(8000), applicantMode: 'account' }));
    expect(screen.status).toBe(400);
    expect(screen.html).toMatch(VIETNAMESE);
    expect(screen.html).toMatch(/Idempotency-Key/);

    expect(await counts()).toEqual(before);
    expect(filesUnder(path.join(h.config.dataDir, 'files', 'tmp')), 'no upload left in the temp folder').toEqual([]);
    // Sandwich: once a good create's workflow is listed, any workflow a refused one started would be too.
    const ok = await call('canbo', 'POST', '/dossiers', { form: await form(), headers: { 'Idempotency-Key': crypto.randomUUID() } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    await expectOneWorkflow(since, ok.body.code);
  });

  it('a key of 200 safe characters is accepted', async () => {
    const key = `${crypto.randomUUID()}:a.b_c-`.padEnd(200, 'x');
    const a = await call('canbo', 'POST', '/dossiers', { form: await form(), headers: { 'Idempotency-Key': key } });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    const b = await call('canbo', 'POST', '/dossiers', { form: await form(), headers: { 'Idempotency-Key': key } });
    expect(b.body.code).toBe(a.body.code);
  });
});

describe('the screen', () => {
  it("the new-copy form sent twice with its _key (a browser's resubmission) makes one dossier", async () => {
    const b = await loginStaff(h.baseUrl, 'canbo');
    const page = await b.get('/ban-sao/them-moi');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1];
    const key = /name="_key" value="([^"]+)"/.exec(page.html)![1];
    const email = `form-${crypto.randomBytes(3).toString('hex')}@example.vn`;
    const pdf = await makePdf(1);
    const send = () => b.post('/ban-sao', multipart({ _csrf: csrf, _key: key, applicantMode: 'no_account', fullName: 'Lê Văn Màn', email, documentType: 'GKS' }, 'scan', pdf, 'scan.pdf', 'application/pdf'));
    const first = await send();
    expect(first.status, first.html.slice(0, 300)).toBe(303);
    const again = await send();
    expect(again.location).toBe(first.location);
    const rows = await dossiersOf(email);
    expect(rows).toHaveLength(1);
    expect(first.location).toBe(`/ho-so/${encodeURIComponent(rows[0].code)}`);
  });
});

describe('kill -9 of the web server during a 20 MB upload, then the retry', () => {
  const children: ChildProcess[] = [];
  afterAll(() => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); });

  /** server.ts as its own process on this file's database, task queue and data folder (the harness's worker serves it). */
  async function startServer(): Promise<{ child: ChildProcess; url: string }> {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
      cwd: root, stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env, APP_MODE: 'demo', PORT: String(port), DATA_DIR: h.config.dataDir, DATABASE_URL: h.config.databaseUrl!,
        TEMPORAL_ADDRESS: h.config.temporalAddress, TASK_QUEUE: h.config.taskQueue, SESSION_SECRET: h.config.sessionSecret,
        DELIVERY_BACKOFF: '100 milliseconds', DELIVERY_ATTEMPTS: '4', REDELIVERY_WINDOW: '3 seconds',
      },
    });
    children.push(child);
    const url = `http://127.0.0.1:${port}`;
    await until('the web server answering', async () => (await fetch(`${url}/healthz`).catch(() => null))?.ok, 60_000);
    return { child, url };
  }

  /** A valid PDF of about 20 MB (one page, plus a large uncompressed stream). */
  async function bigPdf(): Promise<Buffer> {
    const { PDFDocument } = await import('pdf-lib');
    const doc = await PDFDocument.create();
    doc.addPage([595, 842]);
    doc.context.register(doc.context.stream(crypto.randomBytes(20 * 1024 * 1024)));
    return Buffer.from(await doc.save({ useObjectStreams: false }));
  }

  it('one dossier and one workflow, submitted', async () => {
    const since = new Date();
    const email = `kill-${crypto.randomBytes(3).toString('hex')}@example.vn`;
    const key = crypto.randomUUID();
    const pdf = await bigPdf();
    expect(pdf.length).toBeGreaterThan(20 * 1024 * 1024);
    const fields = { applicantKind: 'no_account', fullName: 'Trần Thị Tải', email, documentType: 'GKS' };

    // The code this dossier will get (the agency's next number today): its workflow id is known in advance.
    const today = vnDdMmYy(new Date());
    const { portal_code: portal } = await h.db.selectFrom('agencies').select('portal_code').where('code', '=', h.agencyCode).executeTakeFirstOrThrow();
    const last = (await h.db.selectFrom('dossier_sequences').select('last').where('agency_code', '=', h.agencyCode).where('day', '=', today).executeTakeFirst())?.last ?? 0;
    const expected = `${portal}-${today}-01${String(last + 1).padStart(4, '0')}`;

    // Two server processes, started together to save time: the first is killed, the second takes the retry
    // (as the restarted server would, or another instance behind the proxy).
    const [first, second] = await Promise.all([startServer(), startServer()]);
    const api = apiClient(() => first.url);
    const sent = api.call('canbo', 'POST', '/dossiers', { form: multipart(fields, 'scan', pdf, 'scan.pdf', 'application/pdf'), headers: { 'Idempotency-Key': key } })
      .then((r) => r.status, () => 'killed' as const);
    // Killed the moment its workflow exists, while the upload is still being turned into a dossier.
    const deadline = Date.now() + 60_000;
    while (!(await h.client.workflow.getHandle(workflowIdFor(expected)).describe().then(() => true, () => false))) {
      if (Date.now() > deadline) throw new Error(`no workflow for ${expected} after 60 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
    first.child.kill('SIGKILL');
    expect(await sent, 'the first request got no answer').toBe('killed');

    const retry = await apiClient(() => second.url).call('canbo', 'POST', '/dossiers', { form: multipart(fields, 'scan', pdf, 'scan.pdf', 'application/pdf'), headers: { 'Idempotency-Key': key } });
    expect(retry.status, JSON.stringify(retry.body)).toBe(201);
    expect(retry.body.code).toBe(expected);
    expect(retry.body.dueDate, 'submitted: the due date is set').toBeTruthy();
    expect((await dossiersOf(email)).map((d) => d.code)).toEqual([retry.body.code]);
    await expectOneWorkflow(since, retry.body.code);
    second.child.kill('SIGKILL');
  });
});
