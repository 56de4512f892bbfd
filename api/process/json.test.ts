// Each agency's process as data (issue 10 point 4), on the real stack (web app, worker on the Temporal dev server,
// PostgreSQL): publishing versions through /api/v1/admin/agencies/{code}/process (refusals change nothing), a
// commune whose dossiers pass a review step, an embassy whose one consul does every step with automatic delivery, a
// district office whose signer may not seal what it signed, and a dossier started under version 1 that finishes
// under version 1 after version 2 is published, its history replaying against the workflow code.
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import bcrypt from 'bcryptjs';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vnYear } from '../../domain/vn-time.js';
import type { Role } from '../../domain/types.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { fetchDecodedHistory } from '../../lib/payload-codec.js';
import { apiClient, csrfOf, expectRefusal, loginStaff, multipart } from '../../lib/testing/http.js';
import { eventually } from '../../lib/testing/time.js';
import { workflowIdFor } from '../../workflows/messages.js';

let h: Harness;
let D: string; // the demo district office (a root: quantri is its system admin)
const { call } = apiClient(() => h.baseUrl);
const P = `G${crypto.randomBytes(3).toString('hex').toUpperCase()}`; // this run's portal codes (dossier codes are workflow ids)
const COMMUNE = '000.03.25.K01';
const EMBASSY = '000.03.25.E01';
const YEAR = vnYear(new Date());

const REVIEW = { step: 'review', role: 'reviewer', label: 'Lãnh đạo phòng kiểm tra' };
const fixed = (reviews: Record<string, string>[] = []): Record<string, string>[] => [
  { step: 'submit', role: 'creator' }, ...reviews, { step: 'sign', role: 'signer' }, { step: 'seal', role: 'sealer' }, { step: 'deliver', role: 'sealer' },
];
const processUrl = (code: string) => `/admin/agencies/${encodeURIComponent(code)}/process`;
const at = (code: string, action = '') => `/dossiers/${encodeURIComponent(code)}${action}`;

async function addUser(username: string, agencyCode: string, roles: Role[]) {
  await h.db.insertInto('users').values({ username, full_name: `Cán bộ ${username}`, title: 'Chủ tịch UBND xã', password_hash: await bcrypt.hash('demo', 4), agency_code: agencyCode }).execute();
  for (const role of roles) await h.db.insertInto('user_roles').values({ username, agency_code: agencyCode, role }).execute();
}
async function addBook(agencyCode: string) {
  return h.db.insertInto('register_books').values({
    agency_code: agencyCode, name: `01/${YEAR}/ĐT`, start_number: 1, current_number: 1, open_date: `${YEAR}-01-01`, close_date: `${YEAR}-12-31`, created_by: 'quantri',
  }).returning('id').executeTakeFirstOrThrow();
}
async function createDossier(user: string) {
  const r = await call(user, 'POST', '/dossiers', { form: multipart({ applicantKind: 'no_account', fullName: 'Trần Văn Bình', email: 'binh@example.vn', documentType: 'GKS' }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf') });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
const definitions = () => h.db.selectFrom('process_definitions').selectAll().orderBy('agency_code').orderBy('version').execute();
const adminEvents = () => h.db.selectFrom('admin_events').selectAll().orderBy('id').execute();

/** RECORD_HISTORIES=1 writes the dossier's history for workflows/replay.test.ts (a new path of the workflow). */
async function recordHistory(code: string, name: string) {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await fetchDecodedHistory(h.client, workflowIdFor(code));
  fs.writeFileSync(path.resolve('workflows/histories', `${name}.json`), `${historyToJSON(history)}\n`);
}

beforeAll(async () => {
  h = await createHarness();
  D = h.agencyCode;
  for (const [code, kind] of [[COMMUNE, 'commune'], [EMBASSY, 'embassy']] as const) {
    const r = await call('quantri', 'POST', '/admin/agencies', { json: { code, name: `Cơ quan ${code}`, parentCode: D, portalCode: `${P}.${code.slice(-3)}`, kind } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  await addUser('xa_canbo', COMMUNE, ['creator']);
  await addUser('xa_kiemtra', COMMUNE, ['reviewer']);
  await addUser('xa_chutich', COMMUNE, ['signer']);
  await addUser('xa_vanthu', COMMUNE, ['sealer']);
  await addUser('lanhsu', EMBASSY, ['creator', 'signer', 'sealer']);
  await addUser('lanhdao2', D, ['signer', 'sealer']);
  await h.addAgency('000.00.77.X07', [{ username: 'quantri7', roles: ['admin'] }]);
});
afterAll(async () => { await h?.close(); });

describe('publishing a process', () => {
  it('an agency without one has the built-in process, version 0', async () => {
    const r = await call('quantri', 'GET', processUrl(COMMUNE));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ agencyCode: COMMUNE, version: 0, steps: fixed(), separationOfDuties: false, autoDeliver: false, versions: [] });
  });

  it('refusals answer 4xx in Vietnamese and change nothing, audit included', async () => {
    const before = { defs: await definitions(), events: await adminEvents() };
    const bad = [
      { steps: fixed().slice(1), separationOfDuties: false, autoDeliver: false }, // no submit
      { steps: [...fixed().slice(0, 2), REVIEW, ...fixed().slice(2)], separationOfDuties: false, autoDeliver: false }, // review after sign
      { steps: fixed([{ step: 'review', role: 'reviewer' }]), separationOfDuties: false, autoDeliver: false }, // review without a name
      { steps: fixed([{ ...REVIEW, role: 'admin' }]), separationOfDuties: false, autoDeliver: false }, // an admin reviewing
      { steps: fixed().map((s) => (s.step === 'seal' ? { ...s, role: 'signer' } : s)), separationOfDuties: false, autoDeliver: false }, // the leader sealing
      { steps: fixed(), autoDeliver: false }, // separationOfDuties missing
      { steps: fixed(Array.from({ length: 6 }, (_, i) => ({ ...REVIEW, label: `Kiểm tra ${i}` }))), separationOfDuties: false, autoDeliver: false },
    ];
    for (const body of bad) expectRefusal(await call('quantri', 'POST', processUrl(COMMUNE), { json: body }), 400, 'validation');
    // The built-in process again is no new version.
    expectRefusal(await call('quantri', 'POST', processUrl(COMMUNE), { json: { steps: fixed(), separationOfDuties: false, autoDeliver: false } }), 409, 'conflict');
    // Outside the admin's scope: as if it did not exist; without the admin role: 403.
    expectRefusal(await call('quantri7', 'POST', processUrl(COMMUNE), { json: { steps: fixed([REVIEW]), separationOfDuties: false, autoDeliver: false } }), 404, 'not_found');
    expectRefusal(await call('quantri7', 'GET', processUrl(COMMUNE)), 404, 'not_found');
    expectRefusal(await call('canbo', 'POST', processUrl(D), { json: { steps: fixed([REVIEW]), separationOfDuties: true, autoDeliver: false } }), 403, 'forbidden');
    expect({ defs: await definitions(), events: await adminEvents() }).toEqual(before);
  });

  it('publishes immutable versions, each recorded in the admin audit with before and after', async () => {
    const v1 = await call('quantri', 'POST', processUrl(COMMUNE), { json: { steps: fixed([REVIEW]), separationOfDuties: false, autoDeliver: false } });
    expect(v1.status, JSON.stringify(v1.body)).toBe(201);
    expect(v1.body).toEqual({ version: 1 });
    const got = await call('quantri', 'GET', processUrl(COMMUNE));
    expect(got.body).toMatchObject({ version: 1, steps: fixed([REVIEW]), versions: [{ version: 1, publishedBy: 'quantri' }] });
    const audit = await call('quantri', 'GET', `/admin/audit?entity=process&entityId=${encodeURIComponent(COMMUNE)}`);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ actor: 'quantri', action: 'published', before: null, after: { version: 1, steps: fixed([REVIEW]) } });
    // The same again: no new version.
    expectRefusal(await call('quantri', 'POST', processUrl(COMMUNE), { json: { steps: fixed([REVIEW]), separationOfDuties: false, autoDeliver: false } }), 409, 'conflict');
    expect((await call('quantri', 'GET', `${processUrl(COMMUNE)}/versions/1`)).body).toMatchObject({ version: 1, steps: fixed([REVIEW]) });
    expectRefusal(await call('quantri', 'GET', `${processUrl(COMMUNE)}/versions/9`), 404, 'not_found');
  });
});

describe('dossiers follow their process', () => {
  let underV1: string;

  it('a commune dossier passes its review step before the signature; the reviewer may return it', async () => {
    const book = await addBook(COMMUNE);
    const d = await createDossier('xa_canbo');
    underV1 = d.code;
    expect(d).toMatchObject({ status: 'awaiting_review', process: { version: 1 }, reviewStep: { index: 0, label: REVIEW.label, role: 'reviewer' } });
    // Not yet the leader's: the signature is refused, and the signer has no review right.
    expectRefusal(await call('xa_chutich', 'POST', at(d.code, '/sign'), { json: {} }), 409, 'wrong_state');
    expectRefusal(await call('xa_chutich', 'POST', at(d.code, '/approve'), { json: {} }), 403, 'forbidden');

    // The reviewer's queue on screen lists it; the signer's queue does not.
    const reviewer = await loginStaff(h.baseUrl, 'xa_kiemtra');
    const home = await reviewer.get('/');
    expect(home.location).toBe('/ho-so/cho-kiem-tra');
    const queue = await reviewer.get('/ho-so/cho-kiem-tra');
    expect(queue.html).toContain(d.code);
    const page = await reviewer.get(`/ho-so/${encodeURIComponent(d.code)}`);
    expect(page.html).toContain('Lãnh đạo phòng kiểm tra');
    expect(page.html).toContain('data-testid="approve"');
    expect(page.html).toContain('Phiên bản 1 của quy trình đơn vị');
    const signerQueue = await (await loginStaff(h.baseUrl, 'xa_chutich')).get('/ho-so/cho-ky');
    expect(signerQueue.html).not.toContain(d.code);

    // Approved on screen (CSRF form): on to the signature.
    const approved = await reviewer.post(`/ho-so/${encodeURIComponent(d.code)}/kiem-tra`, { _csrf: csrfOf(page.html), _key: crypto.randomUUID() });
    expect(approved.status).toBe(303);
    expect(approved.location).toBe('/ho-so/cho-kiem-tra');
    const v = (await call('xa_chutich', 'GET', at(d.code))).body;
    expect(v).toMatchObject({ status: 'awaiting_signature', reviewStep: null, reviews: [{ index: 0, label: REVIEW.label, username: 'xa_kiemtra' }] });
    expect(v.history.map((e: { action: string }) => e.action)).toEqual(['submit', 'approve']);

    // The leader signs, the seal keeper seals and delivers.
    expect((await call('xa_chutich', 'POST', at(d.code, '/sign'), { json: {} })).body.status).toBe('awaiting_seal');
    const sealed = await call('xa_vanthu', 'POST', at(d.code, '/seal'), { json: { registerBookId: book.id } });
    expect(sealed.status, JSON.stringify(sealed.body)).toBe(200);
    expect(sealed.body).toMatchObject({ status: 'completed', certificationNumber: expect.stringMatching(/^1\//) });

    // A second one, returned by the reviewer with a reason, comes back to the review after resubmission.
    const e = await createDossier('xa_canbo');
    expectRefusal(await call('xa_kiemtra', 'POST', at(e.code, '/return'), { json: { reason: '' } }), 400, 'validation');
    const returned = await call('xa_kiemtra', 'POST', at(e.code, '/return'), { json: { reason: 'Bản scan thiếu trang 2' } });
    expect(returned.body).toMatchObject({ status: 'returned', returnReason: 'Bản scan thiếu trang 2' });
    const again = await call('xa_canbo', 'POST', at(e.code, '/resubmit'), { json: {} });
    expect(again.body).toMatchObject({ status: 'awaiting_review', reviewStep: { index: 0 } });
  });

  it('an embassy with one consul holding every role completes a dossier alone, delivered as soon as sealed', async () => {
    const v = await call('quantri', 'POST', processUrl(EMBASSY), { json: { steps: fixed(), separationOfDuties: false, autoDeliver: true } });
    expect(v.status).toBe(201);
    const book = await addBook(EMBASSY);
    const d = await createDossier('lanhsu');
    expect(d).toMatchObject({ status: 'awaiting_signature', process: { version: 1, autoDeliver: true } });
    expect((await call('lanhsu', 'POST', at(d.code, '/sign'), { json: {} })).body.status).toBe('awaiting_seal');
    expect((await call('lanhsu', 'POST', at(d.code, '/seal'), { json: { registerBookId: book.id } })).body.status).toBe('completed');
    // Nobody pressed "Hoàn thành và chuyển": the process sent it.
    const delivered = await eventually(async () => (await call('lanhsu', 'GET', at(d.code))).body, (x) => x.delivery?.status === 'sent', 'the automatic delivery', 30_000);
    expect(delivered.history.map((e: { action: string; actor: string }) => `${e.action}:${e.actor}`)).toEqual(
      ['submit:lanhsu', 'sign:lanhsu', 'seal:lanhsu', 'deliver:system', 'delivered:system'],
    );
    await recordHistory(d.code, 'dossier-one-consul-auto-delivered');
  });

  it("the district office's signer may not seal the dossier it signed; another seal keeper may", async () => {
    const v = await call('quantri', 'POST', processUrl(D), { json: { steps: fixed(), separationOfDuties: true, autoDeliver: false } });
    expect(v.status).toBe(201);
    const d = await createDossier('canbo');
    expect((await call('lanhdao2', 'POST', at(d.code, '/sign'), { json: {} })).body.status).toBe('awaiting_seal');
    const book = (await call('vanthu', 'GET', '/register-books')).body.find((b: { name: string }) => b.name === `01/${YEAR}/ĐT`);
    const before = (await call('vanthu', 'GET', at(d.code))).body;
    const refused = await call('lanhdao2', 'POST', at(d.code, '/seal'), { json: { registerBookId: book.id } });
    expectRefusal(refused, 403, 'forbidden', /hai bước/);
    expect(refused.body.message).toContain('Lãnh đạo ký chứng thực');
    expect((await call('vanthu', 'GET', at(d.code))).body).toEqual(before);
    expect((await call('vanthu', 'POST', at(d.code, '/seal'), { json: { registerBookId: book.id } })).body.status).toBe('completed');
  });

  it('a dossier started under version 1 finishes under version 1 after version 2 is published, and its history replays', async () => {
    const started = await createDossier('xa_canbo');
    const v2 = await call('quantri', 'POST', processUrl(COMMUNE), { json: { steps: fixed(), separationOfDuties: true, autoDeliver: false } });
    expect(v2.body).toEqual({ version: 2 });
    // A new dossier goes straight to the leader under version 2 …
    const later = await createDossier('xa_canbo');
    expect(later).toMatchObject({ status: 'awaiting_signature', process: { version: 2 } });
    // … while the one started before still waits on its review step, under version 1.
    expect((await call('xa_kiemtra', 'GET', at(started.code))).body).toMatchObject({ status: 'awaiting_review', process: { version: 1 } });
    expect((await call('xa_kiemtra', 'POST', at(started.code, '/approve'), { json: {} })).body.status).toBe('awaiting_signature');
    expect((await call('xa_chutich', 'POST', at(started.code, '/sign'), { json: {} })).body.status).toBe('awaiting_seal');
    const book = (await call('xa_vanthu', 'GET', '/register-books')).body[0];
    expect((await call('xa_vanthu', 'POST', at(started.code, '/seal'), { json: { registerBookId: book.id } })).body).toMatchObject({ status: 'completed', process: { version: 1 } });

    for (const code of [underV1, started.code]) {
      const history = await fetchDecodedHistory(h.client, workflowIdFor(code));
      await Worker.runReplayHistory({ workflowsPath: path.resolve('workflows/index.ts') }, history, workflowIdFor(code));
    }
    await recordHistory(started.code, 'dossier-reviewed-under-v1-after-v2');
  });
});
