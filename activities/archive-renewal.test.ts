// Archival renewal through the whole stack (real Temporal and PostgreSQL, the demo CA and trust services): two
// e-copies issued while the demo TSA's certificate expires in 30 days are due; with the TSA down the run retries
// and writes nothing; once the TSA is back (with a new 10-year certificate) each is renewed once, a second run does
// nothing; the new version validates in pyHanko (LTV, AdES-LTA), the old one is kept, the history, downloads and
// the public verification all see the new version. Also: the schedule, created idempotently, and the due rule.
import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renewalDue } from '../domain/archive-renewal.js';
import type { Actor } from '../domain/types.js';
import { archiveRenewalScheduleId, ensureArchiveRenewalSchedule } from '../lib/archive-schedule.js';
import { uploadedPdf } from '../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../lib/testing/harness.js';
import { multipart } from '../lib/testing/http.js';
import { judgePdf } from '../lib/testing/pades.js';
import { until } from '../lib/testing/time.js';
import { lastTimestampOf } from './archive-renewal.js';
import { startTrustServices, type TrustServices } from './pdf/trust-services.js';
import { createLocalStorage } from './storage.js';

describe('renewalDue', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const facts = { tsaNotAfter: '2032-01-01T00:00:00Z', digestAlgorithm: 'sha256', keyType: 'rsa', keyBits: 2048 };
  it('due when the TSA certificate expires within the margin, or the algorithm is weak; else not', () => {
    expect(renewalDue(facts, now, 365)).toBeNull();
    expect(renewalDue(facts, now, 731)).toBe('expiring');
    expect(renewalDue({ ...facts, tsaNotAfter: '2029-06-01T00:00:00Z' }, now, 0)).toBe('expiring');
    expect(renewalDue({ ...facts, digestAlgorithm: 'sha1' }, now, 365)).toBe('weakAlgorithm');
    expect(renewalDue({ ...facts, keyBits: 1024 }, now, 365)).toBe('weakAlgorithm');
    expect(renewalDue({ ...facts, keyType: 'ec', keyBits: 256 }, now, 365)).toBeNull();
    expect(renewalDue(null, now, 365)).toBe('noTimestamp');
  });
});

describe('archival renewal of issued e-copies', () => {
  let h: Harness;
  let services: TrustServices | null = null;
  const port = () => Number(new URL(h.trustServices.url).port);
  /** The trust services again on the same address (the certificates point at it), reading the key store afresh. */
  const restart = async () => {
    await (services ?? h.trustServices).close();
    services = await startTrustServices({ pkiDir: h.trustServices.store.dir, port: port(), url: h.trustServices.url });
  };
  const storage = () => createLocalStorage(path.join(h.config.dataDir, 'files'));
  const versionsOf = (code: string) => h.db.selectFrom('ecopy_versions').selectAll().where('dossier_code', '=', code).orderBy('version').execute();
  const run = (args: object) => h.client.workflow.execute('archiveRenewalWorkflow', { taskQueue: h.config.taskQueue, workflowId: `renewal-${crypto.randomUUID()}`, args: [args] }) as Promise<{ renewed: number }>;

  beforeAll(async () => {
    h = await createHarness({ env: { SIGNATURE_LEVEL: 'B-LTA', ARCHIVE_RENEWAL_MARGIN_DAYS: '365' } });
  }, 90_000);
  afterAll(async () => {
    await h?.client.schedule.getHandle(archiveRenewalScheduleId(h.config.taskQueue)).delete().catch(() => {});
    await h?.close();
    await services?.close();
  });

  async function issue(email: string) {
    const [canbo, lanhdao, vanthu] = (await Promise.all(['canbo', 'lanhdao', 'vanthu'].map((u) => h.actor(u)))) as Actor[];
    const d = await h.service.create(canbo, { applicantKind: 'no_account', email, documentType: 'KHAC' }, uploadedPdf(h, await makePdf(1)), crypto.randomUUID());
    await h.service.act(lanhdao, d.code, 'sign', {}, crypto.randomUUID());
    const book = await h.db.selectFrom('register_books').select('id').executeTakeFirstOrThrow();
    const sealed = await h.service.act(vanthu, d.code, 'seal', { registerBookId: book.id }, crypto.randomUUID());
    expect(sealed.status).toBe('completed');
    return sealed;
  }

  it('the schedule is made once, with overlap SKIP, by as many worker starts as there are', async () => {
    const cfg = { ...h.config.archiveRenewal, schedule: { every: '1d' } };
    await Promise.all([1, 2].map(() => ensureArchiveRenewalSchedule(h.client, cfg, h.config.taskQueue)));
    await ensureArchiveRenewalSchedule(h.client, cfg, h.config.taskQueue);
    const d = await h.client.schedule.getHandle(archiveRenewalScheduleId(h.config.taskQueue)).describe();
    expect(d.policies.overlap).toBe('SKIP');
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'archiveRenewalWorkflow', taskQueue: h.config.taskQueue });
    expect(d.state.paused).toBe(false);
    await ensureArchiveRenewalSchedule(h.client, { ...cfg, enabled: false }, h.config.taskQueue);
    expect((await h.client.schedule.getHandle(archiveRenewalScheduleId(h.config.taskQueue)).describe()).state.paused).toBe(true);
  });

  it('TSA down: retried, nothing written; back with a new certificate: each due e-copy renewed once, a second run does nothing', async () => {
    // Issued while the TSA's certificate expires in 30 days (within the 365-day margin): due.
    await h.trustServices.store.reissueServiceKey('tsa', 30);
    await restart();
    const a = await issue('renew-a@example.vn');
    const b = await issue('renew-b@example.vn');
    const issued = await storage().get(a.sealedPdf!.sha256);
    expect(lastTimestampOf(issued)).toMatchObject({ digestAlgorithm: 'sha256', keyType: 'rsa', keyBits: 2048 });
    expect(Date.parse(lastTimestampOf(issued)!.tsaNotAfter) - Date.now()).toBeLessThan(31 * 86_400_000);

    // The TSA rotates to a 10-year certificate, but is down when the run starts.
    await h.trustServices.store.reissueServiceKey('tsa', 3650);
    await services!.close();
    const handle = await h.client.workflow.start('archiveRenewalWorkflow', { taskQueue: h.config.taskQueue, workflowId: `renewal-${crypto.randomUUID()}`, args: [{ retryInitialInterval: '200 milliseconds' }] });
    await until('the renewal is retried', async () => ((await handle.describe()).raw.pendingActivities ?? []).some((p) => p.activityType?.name === 'renewEcopy' && Number(p.attempt) >= 2), 60_000);
    // Nothing renewed; only the issued versions' timestamp facts recorded (version 0), so no run reads them again.
    expect([...await versionsOf(a.code), ...await versionsOf(b.code)].map((v) => [v.version, v.previous_sha256])).toEqual([[0, ''], [0, '']]);
    services = await startTrustServices({ pkiDir: h.trustServices.store.dir, port: port(), url: h.trustServices.url });
    expect(await handle.result()).toEqual({ renewed: 2 });
    expect(await run({})).toEqual({ renewed: 0 });
    // A large register: one dossier per page, a new run after each page (continue-as-new), still nothing to do.
    expect(await run({ pageSize: 1, pagesPerRun: 1 })).toEqual({ renewed: 0 });

    const [v0, v1, ...more] = await versionsOf(a.code);
    expect(more).toEqual([]);
    expect(v0).toMatchObject({ version: 0, sha256: a.sealedPdf!.sha256, tsa_algorithm: 'sha256/rsa-2048' });
    expect(v1).toMatchObject({ version: 1, previous_sha256: a.sealedPdf!.sha256, tsa_algorithm: 'sha256/rsa-2048' });
    expect(v1.tsa_not_after.getTime() - Date.now()).toBeGreaterThan(3000 * 86_400_000);
    const renewed = await storage().get(v1.sha256);
    expect(await storage().has(a.sealedPdf!.sha256)).toBe(true); // the issued version is kept
    expect(renewed.subarray(0, issued.length).equals(issued)).toBe(true); // an incremental update of it
    console.info(`e-copy bytes: as issued (B-LTA) ${issued.length}, after one renewal ${renewed.length} (+${renewed.length - issued.length})`);

    // pyHanko: both signatures still B-LTA, LTV and AdES-LTA offline from the file alone; two document timestamps.
    const j = judgePdf(renewed, [await h.trustServices.store.caCertPem()], { ltv: true, ades: true });
    expect(j.signatures.map((s) => [s.type, s.bottomLine, s.ltv ?? null, s.ades ?? null, s.vri])).toEqual([
      ['Sig', true, 'ok', 'PASSED', true], ['Sig', true, 'ok', 'PASSED', true],
      ['DocTimeStamp', true, 'ok', null, true], ['DocTimeStamp', true, 'ok', null, true],
    ]);
    expect(j.signatures[1]).toMatchObject({ modificationLevel: 'LTA_UPDATES', docmdpOk: true });

    // History: the typed audit event, and "Xem tiến trình" in Vietnamese.
    const events = await h.db.selectFrom('dossier_events').selectAll().where('dossier_code', '=', a.code).where('type', '=', 'archive_renewed').execute();
    expect(events.map((e) => [e.actor, e.payload])).toEqual([['system', expect.objectContaining({ version: 1, sha256: v1.sha256, reason: 'expiring' })]]);
    const page = await fetch(`${h.baseUrl}/dang-nhap`);
    let cookie = (page.headers.getSetCookie() ?? []).map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    const login = await fetch(`${h.baseUrl}/dang-nhap`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, username: 'vanthu', password: 'demo' }) });
    cookie = (login.headers.getSetCookie() ?? []).map((c) => c.split(';')[0]).join('; ');
    const progress = await (await fetch(`${h.baseUrl}/ho-so/${encodeURIComponent(a.code)}/tien-trinh`, { headers: { cookie } })).text();
    expect(progress).toMatch(/Gia hạn dấu thời gian lưu trữ: Phiên bản 1, chứng thư số của đơn vị cấp dấu thời gian sắp hết hạn/);

    // Downloads give the new version.
    const vanthu = (await h.actor('vanthu'))!;
    expect((await h.service.currentPdf(vanthu, a.code)).ref.sha256).toBe(v1.sha256);
    const token = crypto.randomBytes(16).toString('hex'); // a link e-mailed before the renewal, for the issued version
    await h.db.insertInto('download_links').values({ token, dossier_code: a.code, file_sha256: a.sealedPdf!.sha256, expires_at: new Date(Date.now() + 86_400_000) }).execute();
    const link = Buffer.from(await (await fetch(`${h.baseUrl}/tai-ve/${token}`)).arrayBuffer());
    expect(crypto.createHash('sha256').update(link).digest('hex')).toBe(v1.sha256);

    // Public verification: the renewed file is the issued one, genuine; so is the version as first issued.
    for (const [file, identical] of [[renewed, true], [issued, true]] as const) {
      const res = await fetch(`${h.baseUrl}/api/v1/verify`, { method: 'POST', headers: { 'x-forwarded-for': '10.9.0.1' }, body: multipart({}, 'file', file, 'ban-sao.pdf', 'application/pdf') });
      const body = await res.json() as any;
      expect(body, JSON.stringify(body.reasons)).toMatchObject({ genuine: true, identical, intact: true, containsIssuedRevision: true, level: 'B-LTA', reasons: [] });
      expect(body.dossier).toMatchObject({ code: a.code });
    }
  }, 240_000);
});
