// PostgreSQL restarted under load (a server of this file's own): the worker and the web server ride it out, a
// request during the outage gets a 503 with a Vietnamese message, /healthz says "degraded" and then "ok" again,
// and every dossier started before, during or after goes through create → sign → seal with exact numbers —
// nothing restarted by hand.
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vnYear } from '../domain/vn-time.js';
import { isDatabaseUnavailable } from './db.js';
import { startEmbeddedPostgres, type EmbeddedPg } from './embedded-postgres.js';
import { freePort } from './local-services.js';
import { createHarness, makePdf, type Harness } from './testing/harness.js';
import { apiClient, expectRefusal, loginStaff, multipart, VIETNAMESE, type CallOptions, type Reply, type WebClient } from './testing/http.js';
import { eventually } from './testing/time.js';

let h: Harness;
let server: EmbeddedPg;
let dir: string;
let port: number;
let browser: WebClient;
const { call, tokenFor } = apiClient(() => h.baseUrl);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Outside a test an uncaught exception (an `error` event nobody listens to) ends the worker or the web server;
// vitest catches it instead, so it is counted here: there must be none.
const uncaught: string[] = [];
const onUncaught = (e: unknown) => { uncaught.push(String(e)); };

async function health(): Promise<{ status: number; body: any }> {
  const res = await fetch(`${h.baseUrl}/healthz`);
  return { status: res.status, body: await res.json() };
}

/** Every answer that was not a success, to check afterwards that each was a clean 503. */
const refusals: { what: string; reply: Reply }[] = [];

/** Sends the request until it succeeds, as a client that honours 503 + Retry-After would (same idempotency key). */
async function persist(user: string, method: string, p: string, opts: CallOptions = {}): Promise<Reply> {
  for (;;) {
    const r = await call(user, method, p, opts);
    if (r.status < 300) return r;
    refusals.push({ what: `${method} ${p}`, reply: r });
    if (r.status !== 503) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(r.body)}`);
    await sleep(200);
  }
}

/** Waits until the dossier shows `status` (an action may be answered before its work has finished). */
async function reach(code: string, status: string) {
  return eventually(async () => (await persist('canbo', 'GET', `/dossiers/${code}`)).body, (d) => d.status === status, `${code} ${status}`, 60_000);
}

describe('a PostgreSQL restart under load', () => {
  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctdt-pg-restart-'));
    port = await freePort();
    server = await startEmbeddedPostgres(path.join(dir, 'pg'), port, 'postgres');
    h = await createHarness({ pgAdminUrl: server.url });
    for (const u of ['canbo', 'lanhdao', 'vanthu']) await tokenFor(u);
    browser = await loginStaff(h.baseUrl, 'canbo');
  });

  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    await h?.close();
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is ridden out: 503s and a degraded /healthz meanwhile, then every dossier completes with exact numbers', async () => {
    const books = (await persist('vanthu', 'GET', '/register-books')).body as { id: number; name: string; current_number: number }[];
    const book = books.find((b) => b.name === `01/${vnYear(new Date())}/ĐT`)!;
    expect(book, 'the demo register book').toBeTruthy();
    const scan = await makePdf(1);
    let stages = 0; // create, sign and seal steps finished so far

    async function oneDossier(key: string): Promise<string> {
      const created = await persist('canbo', 'POST', '/dossiers', {
        form: multipart({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, 'scan', scan, 'scan.pdf', 'application/pdf'),
        headers: { 'idempotency-key': key },
      });
      const code = created.body.code as string;
      await reach(code, 'awaiting_signature');
      stages++;
      await persist('lanhdao', 'POST', `/dossiers/${code}/sign`, { json: {}, headers: { 'idempotency-key': `${code}:sign` } });
      await reach(code, 'awaiting_seal');
      stages++;
      await persist('vanthu', 'POST', `/dossiers/${code}/seal`, { json: { registerBookId: book.id }, headers: { 'idempotency-key': `${code}:seal` } });
      await reach(code, 'completed');
      stages++;
      return code;
    }

    // Six dossiers, three at a time, so that dossiers are at every step when the server goes down; and one more
    // created during each outage.
    const keys = Array.from({ length: 6 }, (_, i) => `load-${i}`);
    const load = Promise.all(Array.from({ length: 3 }, async () => {
      const codes: string[] = [];
      for (let k = keys.shift(); k !== undefined; k = keys.shift()) codes.push(await oneDossier(k));
      return codes;
    })).then((c) => c.flat());
    const during: Promise<string>[] = [];
    load.catch(() => {}); // awaited below; a failure must not go unhandled while the restarts run

    async function restart(how: 'fast' | 'kill') {
      // Creates may be in flight at the instant of the stop: a create reserves its code, then starts and submits in
      // one update-with-start, so its retry (same key) finishes the one dossier. Creates started during the outage
      // are part of the test too (below).
      if (how === 'fast') await server.stop();
      else {
        const exited = once(server.process, 'exit');
        server.process.kill('SIGKILL');
        await exited;
      }
      const before = refusals.length;
      during.push(oneDossier(`during-${how}`));
      // While it is down: a clean refusal, at once, on the API and the screens, and a health check naming the database.
      expectRefusal(await call('canbo', 'GET', '/dossiers'), 503, 'unavailable');
      const page = await browser.get('/ban-sao/them-moi');
      expect(page.status).toBe(503);
      expect(page.html).toContain('tạm thời không kết nối được cơ sở dữ liệu');
      const down = await health();
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ status: 'degraded', database: 'down', temporal: 'ok' });
      await eventually(() => refusals.slice(before).some((r) => r.what === 'POST /dossiers'), Boolean, 'a create refused during the outage');
      await sleep(1000);
      // After kill -9 the old server's backends may hold its shared memory a moment longer: try again.
      server = await eventually(() => startEmbeddedPostgres(path.join(dir, 'pg'), port, 'postgres').catch(() => null), Boolean, 'PostgreSQL started again', 30_000) as EmbeddedPg;
      const up = await eventually(health, (r) => r.status === 200, 'healthz after the restart');
      expect(up.body).toEqual({ status: 'ok', database: 'ok', temporal: 'ok' });
    }

    await eventually(() => stages, (n) => n >= 2, 'first steps done', 60_000);
    await restart('fast');
    const after = stages;
    await eventually(() => stages, (n) => n >= after + 3, 'steps after the first restart', 60_000);
    await restart('kill');

    const codes = [...(await load), ...(await Promise.all(during))];
    expect(uncaught, 'errors that would have ended the process').toEqual([]);
    const N = 8;
    expect(new Set(codes).size).toBe(N);
    for (const { what, reply } of refusals) {
      expect(reply.status, what).toBe(503);
      expect(reply.body.error).toBe('unavailable');
      expect(reply.body.message).toMatch(VIETNAMESE);
      expect(reply.headers.get('retry-after')).toMatch(/^\d+$/);
    }

    // Exact numbers: one entry per dossier, consecutive from the book's next number, none twice.
    const entries = await h.db.selectFrom('register_entries').select(['number', 'dossier_code']).where('register_book_id', '=', book.id).orderBy('number').execute();
    expect(entries.map((e) => e.number)).toEqual(Array.from({ length: N }, (_, i) => book.current_number + i));
    expect(entries.map((e) => e.dossier_code).sort()).toEqual([...codes].sort());
    // One dossier and one workflow per create, all completed.
    const rows = await h.db.selectFrom('dossiers').select(['code', 'status']).execute();
    expect(rows.map((r) => r.code).sort()).toEqual([...codes].sort());
    expect(rows.every((r) => r.status === 'completed')).toBe(true);
    expect(Number((await h.client.workflow.count(`TaskQueue = "${h.config.taskQueue}"`)).count)).toBe(N);
  });
});

describe('isDatabaseUnavailable', () => {
  it('tells an unreachable or restarting server from a bad query, which stays a fault of its own', () => {
    const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL' });
    for (const e of [
      pgError('57P01', 'terminating connection due to administrator command'),
      pgError('57P03', 'the database system is starting up'),
      pgError('08006', 'connection failure'),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })], ''),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
    ]) expect(isDatabaseUnavailable(e), String(e)).toBe(true);
    for (const e of [
      pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00'),
      pgError('23505', 'duplicate key value violates unique constraint'),
      pgError('42601', 'syntax error at or near "selec"'),
      new Error('no result'),
      null,
    ]) expect(isDatabaseUnavailable(e), String(e)).toBe(false);
  });
});
