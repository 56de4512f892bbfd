// Accounts and roles through /api/v1/admin/users on the real stack (web app on a port, worker on the Temporal dev
// server, PostgreSQL): the seeded admin (quantri, admin of the demo agency, a root) creates a commune and its
// admin; that admin changes the password it was given, then creates the commune's three officers, who log in
// after their own forced change. Refusals answer 4xx {error, message} in Vietnamese and change nothing; an admin
// gets 404 outside its subtree; a deactivated user's session and token are refused on the very next request; a
// user with roles in two agencies works in the one its token (or its session) names; no hash is ever answered
// or recorded.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadedPdf } from '../../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, csrfOf, expectRefusal, multipart, WebClient, type Reply } from '../../lib/testing/http.js';
import { loadActor } from '../auth/service.js';

let h: Harness;
let D: string; // the demo agency, a root: quantri's
const C = '000.03.25.A01'; // a commune under it, made by the test
const OTHER = '000.00.88.X08'; // another root, with its own admin
const P = `G${crypto.randomBytes(3).toString('hex').toUpperCase()}`;
const { call, requestToken } = apiClient(() => h.baseUrl);

const FIRST = 'MatKhauDau@2026'; // what the admin gives
const OWN = 'MatKhauRieng#2026'; // what each user changes it to

const users = () => h.db.selectFrom('users').selectAll().orderBy('username').execute();
const roles = () => h.db.selectFrom('user_roles').selectAll().orderBy('username').orderBy('agency_code').orderBy('role').execute();
const events = () => h.db.selectFrom('admin_events').selectAll().orderBy('id').execute();
const world = async () => ({ users: await users(), roles: await roles(), events: await events() });

/** A call with a token of one's own (not the demo password's). */
const as = (token: string, method: string, p: string, json?: unknown) => call(null, method, p, { bearer: `Bearer ${token}`, ...(json !== undefined ? { json } : {}) });
async function tokenOf(username: string, password: string, agencyCode?: string): Promise<string> {
  const r = await call(null, 'POST', '/auth/token', { json: { username, password, ...(agencyCode ? { agencyCode } : {}) } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.token;
}
/** First login of an account made by an admin: refused everywhere but the password change, then let in. */
async function firstLogin(username: string): Promise<string> {
  const t = await tokenOf(username, FIRST);
  const refused = await as(t, 'GET', '/dossiers');
  expect(refused.status).toBe(403);
  expect(refused.body.error).toBe('password_change_required');
  expectRefusal(await as(t, 'POST', '/auth/password', { currentPassword: 'sai-mat-khau', newPassword: OWN }), 400, 'validation', 'currentPassword');
  expectRefusal(await as(t, 'POST', '/auth/password', { currentPassword: FIRST, newPassword: 'ngan' }), 400, 'validation', 'newPassword');
  const other = await tokenOf(username, FIRST); // another login with the old password
  const changed = await as(t, 'POST', '/auth/password', { currentPassword: FIRST, newPassword: OWN });
  expect(changed.status, JSON.stringify(changed.body)).toBe(200);
  expectRefusal(await as(t, 'GET', '/dossiers'), 401, 'unauthenticated'); // the old tokens end with the old password
  expectRefusal(await as(other, 'GET', '/dossiers'), 401, 'unauthenticated');
  expect((await as(changed.body.token, 'GET', '/dossiers')).status).toBe(200);
  expectRefusal(await requestToken(username, FIRST), 401, 'unauthenticated'); // the old password is gone
  return tokenOf(username, OWN);
}
const noHash = (r: Reply) => {
  const text = JSON.stringify(r.body);
  expect(text).not.toMatch(/hash|\$2[aby]\$/i);
  expect(text).not.toContain(FIRST);
};
const officer = (username: string, role: string, over: Record<string, unknown> = {}) => ({
  username, password: FIRST, fullName: `Cán bộ ${username}`, title: 'Công chức Tư pháp - Hộ tịch', idNumber: '079123456789', email: `${username}@example.vn`,
  roles: [{ agencyCode: C, role }], ...over,
});

let qtxa = ''; // the commune admin's token
const tokens: Record<string, string> = {}; // the commune officers' tokens, after their first login

beforeAll(async () => {
  h = await createHarness();
  D = h.agencyCode;
  await h.addAgency(OTHER, [{ username: 'quantri8', roles: ['admin'] }]);
  const made = await call('quantri', 'POST', '/admin/agencies', { json: { code: C, name: 'UBND xã An Hiệp', parentCode: D, portalCode: `${P}.01`, kind: 'commune' } });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
});
afterAll(async () => { await h?.close(); });

describe('a commune sets up its accounts', () => {
  it('the admin above creates the commune admin; it changes its password at the first login', async () => {
    const r = await call('quantri', 'POST', '/admin/users', { json: { ...officer('qtxa.anhiep', 'admin'), title: 'Phó Chủ tịch UBND xã', idNumber: '079123456' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    noHash(r);
    expect(r.body).toMatchObject({
      username: 'qtxa.anhiep', fullName: 'Cán bộ qtxa.anhiep', title: 'Phó Chủ tịch UBND xã', idNumber: '079123456', email: 'qtxa.anhiep@example.vn',
      agencyCode: C, active: true, mustChangePassword: true, roles: [{ agencyCode: C, role: 'admin' }],
    });
    expect((await call('quantri', 'GET', '/admin/users/qtxa.anhiep')).body).toEqual(r.body);
    qtxa = await firstLogin('qtxa.anhiep');
    expect((await call('quantri', 'GET', '/admin/users/qtxa.anhiep')).body.mustChangePassword).toBe(false);
  });

  it('the commune admin creates its three officers, who log in after their own change and act in the commune', async () => {
    for (const [username, role] of [['canbo.anhiep', 'creator'], ['lanhdao.anhiep', 'signer'], ['vanthu.anhiep', 'sealer']] as const) {
      const r = await as(qtxa, 'POST', '/admin/users', officer(username, role));
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      noHash(r);
      expect(r.body).toMatchObject({ username, agencyCode: C, roles: [{ agencyCode: C, role }], mustChangePassword: true });
      const t = await firstLogin(username);
      tokens[username] = t;
      const actor = await loadActor(h.db, username);
      expect(actor).toMatchObject({ agencyCode: C, roles: [role], title: 'Công chức Tư pháp - Hộ tịch' });
      expect((await as(t, 'GET', '/dossiers')).status).toBe(200);
    }
    const list = await as(qtxa, 'GET', '/admin/users');
    expect(list.status).toBe(200);
    noHash(list);
    expect(list.body.map((u: { username: string }) => u.username)).toEqual(['canbo.anhiep', 'lanhdao.anhiep', 'qtxa.anhiep', 'vanthu.anhiep']);
    // The demo admin's scope holds the commune's accounts and its own.
    const all = (await call('quantri', 'GET', '/admin/users')).body.map((u: { username: string }) => u.username);
    expect(all).toEqual(expect.arrayContaining(['canbo', 'quantri', 'canbo.anhiep', 'qtxa.anhiep']));
    expect(all).not.toContain('quantri8');
    expect((await call('quantri', 'GET', `/admin/users?agencyCode=${C}`)).body).toHaveLength(4);
  });

  it('the commune opens its first register book, adds a review step and certifies a dossier through it', async () => {
    // The commune admin adds a reviewer and a process with a review step for its commune (a delegated admin).
    expect((await as(qtxa, 'POST', '/admin/users', officer('kiemtra.anhiep', 'reviewer'))).status).toBe(201);
    tokens['kiemtra.anhiep'] = await firstLogin('kiemtra.anhiep');
    const steps = [
      { step: 'submit', role: 'creator' }, { step: 'review', role: 'reviewer', label: 'Công chức tư pháp kiểm tra' },
      { step: 'sign', role: 'signer' }, { step: 'seal', role: 'sealer' }, { step: 'deliver', role: 'sealer' },
    ];
    const published = await as(qtxa, 'POST', `/admin/agencies/${C}/process`, { steps, separationOfDuties: true, autoDeliver: false });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    // The seal keeper opens the commune's first book.
    const year = new Date().getFullYear();
    const book = await as(tokens['vanthu.anhiep'], 'POST', '/register-books', { name: `01/${year}/SCT-BS`, startNumber: 1, openDate: `${year}-01-01`, closeDate: `${year}-12-31` });
    expect(book.status, JSON.stringify(book.body)).toBe(201);
    // A dossier through the commune: created, reviewed, signed, sealed with number 1 of that book.
    const form = multipart({ applicantKind: 'no_account', fullName: 'Lê Thị Hoa', email: 'hoa@example.vn', documentType: 'GKS' }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf');
    const made = await call(null, 'POST', '/dossiers', { bearer: `Bearer ${tokens['canbo.anhiep']}`, form });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const code = made.body.code;
    expect(code.startsWith(`${P}.01-`)).toBe(true);
    expect(made.body).toMatchObject({ agencyCode: C, status: 'awaiting_review', process: { version: 1 } });
    expect((await as(tokens['kiemtra.anhiep'], 'POST', `/dossiers/${code}/approve`, {})).body.status).toBe('awaiting_signature');
    const signed = await as(tokens['lanhdao.anhiep'], 'POST', `/dossiers/${code}/sign`, {});
    expect(signed.body).toMatchObject({ status: 'awaiting_seal', signedBy: { username: 'lanhdao.anhiep', title: 'Công chức Tư pháp - Hộ tịch' } });
    const sealed = await as(tokens['vanthu.anhiep'], 'POST', `/dossiers/${code}/seal`, { registerBookId: book.body.id });
    expect(sealed.status, JSON.stringify(sealed.body)).toBe(200);
    expect(sealed.body).toMatchObject({ status: 'completed', certificationNumber: expect.stringMatching(/^1\//), registerBook: { id: book.body.id } });
  });

  it('edits an officer: title, CCCD, several roles in one agency; the audit keeps before and after without any hash', async () => {
    const r = await as(qtxa, 'PATCH', '/admin/users/lanhdao.anhiep', { title: 'Chủ tịch UBND xã', idNumber: '079987654321', roles: [{ agencyCode: C, role: 'signer' }, { agencyCode: C, role: 'reviewer' }] });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ title: 'Chủ tịch UBND xã', idNumber: '079987654321', roles: [{ agencyCode: C, role: 'reviewer' }, { agencyCode: C, role: 'signer' }] });
    expect((await loadActor(h.db, 'lanhdao.anhiep'))!.roles.sort()).toEqual(['reviewer', 'signer']);
    const before = await world();
    expect((await as(qtxa, 'PATCH', '/admin/users/lanhdao.anhiep', { title: 'Chủ tịch UBND xã' })).status).toBe(200); // nothing changes: nothing recorded
    expect(await world()).toEqual(before);

    const audit = await call('quantri', 'GET', '/admin/audit?entity=user&entityId=lanhdao.anhiep');
    expect(audit.body.items.map((e: { action: string; actor: string }) => [e.action, e.actor])).toEqual([['updated', 'qtxa.anhiep'], ['created', 'qtxa.anhiep']]);
    expect(audit.body.items[0].before).toMatchObject({ title: 'Công chức Tư pháp - Hộ tịch', roles: [{ agencyCode: C, role: 'signer' }] });
    expect(audit.body.items[0].after).toMatchObject({ title: 'Chủ tịch UBND xã', idNumber: '079987654321' });
    const rows = JSON.stringify(await events());
    expect(rows).not.toMatch(/hash|\$2[aby]\$/i);
  });
});

describe('refusals', () => {
  it('bad input, duplicates, weak passwords, oneself: 4xx in Vietnamese, nothing changes', async () => {
    const before = await world();
    for (const bad of ['ab', 'Canbo.Xa', 'cán bộ', 'a'.repeat(33), 'can bo', 'x@y']) {
      expectRefusal(await as(qtxa, 'POST', '/admin/users', officer(bad, 'creator')), 400, 'validation', 'username');
    }
    expectRefusal(await as(qtxa, 'POST', '/admin/users', officer('canbo.anhiep', 'creator')), 409, 'conflict', 'username');
    expectRefusal(await as(qtxa, 'POST', '/admin/users', officer('canbo', 'creator')), 409, 'conflict', 'username'); // in another scope: still taken
    expectRefusal(await as(qtxa, 'POST', '/admin/users', officer('congdan', 'creator')), 409, 'conflict', 'username'); // a portal account's name
    expectRefusal(await as(qtxa, 'POST', '/admin/users', officer('moi.anhiep', 'creator', { password: 'ngan123' })), 400, 'validation', 'password');
    expectRefusal(await as(qtxa, 'POST', '/admin/users', officer('moi.anhiep', 'creator', { password: 'moi.anhiep2026' })), 400, 'validation', 'password');
    expectRefusal(await as(qtxa, 'POST', '/admin/users', officer('moi.anhiep', 'creator', { idNumber: '0791234567' })), 400, 'validation', 'idNumber');
    expectRefusal(await as(qtxa, 'POST', '/admin/users', officer('moi.anhiep', 'creator', { email: 'khong-phai-thu' })), 400, 'validation', 'email');
    expectRefusal(await as(qtxa, 'POST', '/admin/users', officer('moi.anhiep', 'chairman')), 400, 'validation', 'roles.0.role');
    expectRefusal(await as(qtxa, 'POST', '/admin/users', officer('moi.anhiep', 'creator', { fullName: '' })), 400, 'validation', 'fullName');
    expectRefusal(await as(qtxa, 'POST', '/admin/users', officer('moi.anhiep', 'creator', { roles: [] })), 400, 'validation', 'roles');
    expectRefusal(await as(qtxa, 'PATCH', '/admin/users/canbo.anhiep', { password: 'ngan' }), 400, 'validation', 'password');
    expectRefusal(await as(qtxa, 'PATCH', '/admin/users/canbo.anhiep', { active: 'có' }), 400, 'validation', 'active');
    // Oneself: neither deactivated nor stripped of the admin role.
    expectRefusal(await as(qtxa, 'PATCH', '/admin/users/qtxa.anhiep', { active: false }), 409, 'conflict', 'active');
    expectRefusal(await as(qtxa, 'PATCH', '/admin/users/qtxa.anhiep', { roles: [{ agencyCode: C, role: 'creator' }] }), 409, 'conflict', 'roles');
    // Without the admin role: 403.
    const canbo = await tokenOf('canbo.anhiep', OWN);
    expectRefusal(await as(canbo, 'GET', '/admin/users'), 403, 'forbidden');
    expectRefusal(await as(canbo, 'POST', '/admin/users', officer('moi.anhiep', 'creator')), 403, 'forbidden');
    expectRefusal(await as(canbo, 'PATCH', '/admin/users/canbo.anhiep', { roles: [{ agencyCode: C, role: 'admin' }] }), 403, 'forbidden');
    expect(await world()).toEqual(before);
  });

  it('outside the scope: 404 for users and for agencies a role is given in, and nothing changes', async () => {
    const before = await world();
    expectRefusal(await as(qtxa, 'GET', '/admin/users/canbo'), 404, 'not_found'); // the demo agency is above the commune
    expectRefusal(await as(qtxa, 'PATCH', '/admin/users/canbo', { fullName: 'Đổi tên' }), 404, 'not_found');
    expectRefusal(await as(qtxa, 'PATCH', '/admin/users/quantri', { active: false }), 404, 'not_found');
    expectRefusal(await as(qtxa, 'GET', '/admin/users/khong-co'), 404, 'not_found');
    expectRefusal(await as(qtxa, 'POST', '/admin/users', officer('moi.anhiep', 'creator', { roles: [{ agencyCode: D, role: 'creator' }] })), 404, 'not_found', 'roles');
    expectRefusal(await as(qtxa, 'PATCH', '/admin/users/canbo.anhiep', { roles: [{ agencyCode: D, role: 'signer' }] }), 404, 'not_found', 'roles');
    expectRefusal(await as(qtxa, 'GET', `/admin/users?agencyCode=${D}`), 404, 'not_found', 'agencyCode');
    expectRefusal(await call('quantri', 'GET', '/admin/users/quantri8'), 404, 'not_found');
    expectRefusal(await call('quantri8', 'GET', '/admin/users/qtxa.anhiep'), 404, 'not_found');
    expectRefusal(await call('quantri', 'POST', '/admin/users', { json: officer('moi.anhiep', 'creator', { roles: [{ agencyCode: OTHER, role: 'creator' }] }) }), 404, 'not_found', 'roles');
    expect((await call('quantri8', 'GET', '/admin/users')).body.map((u: { username: string }) => u.username)).toEqual(['quantri8']);
    expect(await world()).toEqual(before);
  });

  it('a commune account that also holds a role above the commune is shown to the commune admin but not changed (403)', async () => {
    const made = await call('quantri', 'POST', '/admin/users', { json: { ...officer('kiemnhiem.anhiep', 'creator'), agencyCode: C, roles: [{ agencyCode: C, role: 'creator' }, { agencyCode: D, role: 'admin' }] } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect((await as(qtxa, 'GET', '/admin/users/kiemnhiem.anhiep')).body.roles).toEqual([{ agencyCode: C, role: 'creator' }, { agencyCode: D, role: 'admin' }]);
    const before = await world();
    expectRefusal(await as(qtxa, 'PATCH', '/admin/users/kiemnhiem.anhiep', { password: OWN }), 403, 'forbidden', /ngoài phạm vi quản trị/); // else it could log in as an admin above it
    expectRefusal(await as(qtxa, 'PATCH', '/admin/users/kiemnhiem.anhiep', { active: false }), 403, 'forbidden');
    expectRefusal(await as(qtxa, 'PATCH', '/admin/users/kiemnhiem.anhiep', { roles: [{ agencyCode: C, role: 'creator' }] }), 403, 'forbidden');
    expect(await world()).toEqual(before);
    // The admin above holds both agencies: it may.
    expect((await call('quantri', 'PATCH', '/admin/users/kiemnhiem.anhiep', { json: { roles: [{ agencyCode: C, role: 'creator' }] } })).body.roles).toEqual([{ agencyCode: C, role: 'creator' }]);
  });

  it('an agency that stopped takes no new account or role (409), and nothing changes', async () => {
    const S = '000.03.25.A09';
    expect((await call('quantri', 'POST', '/admin/agencies', { json: { code: S, name: 'UBND xã Đã Nhập', parentCode: D, portalCode: `${P}.09`, kind: 'commune' } })).status).toBe(201);
    expect((await call('quantri', 'PATCH', `/admin/agencies/${S}`, { json: { active: false } })).status).toBe(200);
    const before = await world();
    expectRefusal(await call('quantri', 'POST', '/admin/users', { json: officer('moi.danhap', 'creator', { roles: [{ agencyCode: S, role: 'creator' }] }) }), 409, 'wrong_state', 'roles');
    expectRefusal(await call('quantri', 'PATCH', '/admin/users/canbo.anhiep', { json: { roles: [{ agencyCode: C, role: 'creator' }, { agencyCode: S, role: 'signer' }] } }), 409, 'wrong_state', 'roles');
    expect(await world()).toEqual(before);
  });
});

describe('deactivation and password reset', () => {
  it('a deactivated user\'s logged-in session and bearer token are refused on the very next request', async () => {
    const token = await tokenOf('vanthu.anhiep', OWN);
    const web = new WebClient(h.baseUrl);
    const form = await web.get('/dang-nhap');
    expect((await web.post('/dang-nhap', { _csrf: csrfOf(form.html), username: 'vanthu.anhiep', password: OWN })).status).toBe(303);
    expect((await web.get('/ho-so/cho-dong-dau')).status).toBe(200);
    expect((await as(token, 'GET', '/dossiers')).status).toBe(200);

    const r = await as(qtxa, 'PATCH', '/admin/users/vanthu.anhiep', { active: false });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.active).toBe(false);
    expectRefusal(await as(token, 'GET', '/dossiers'), 401, 'unauthenticated');
    const page = await web.get('/ho-so/cho-dong-dau');
    expect(page.status).toBe(303);
    expect(page.location).toMatch(/^\/dang-nhap/);
    expectRefusal(await requestToken('vanthu.anhiep', OWN), 401, 'unauthenticated');
    expect(await h.db.selectFrom('api_tokens').select('id').where('subject', '=', 'vanthu.anhiep').execute()).toEqual([]);
    expect((await call('quantri', 'GET', '/admin/audit?entity=user&entityId=vanthu.anhiep')).body.items[0]).toMatchObject({ action: 'deactivated', before: { active: true }, after: { active: false } });

    // Reactivated: logs in again with its password.
    expect((await as(qtxa, 'PATCH', '/admin/users/vanthu.anhiep', { active: true })).body.active).toBe(true);
    expect((await as(await tokenOf('vanthu.anhiep', OWN), 'GET', '/dossiers')).status).toBe(200);
  });

  it('a password reset ends the user\'s tokens and forces a change at the next login; the audit says passwordReset, never the hash', async () => {
    const token = await tokenOf('canbo.anhiep', OWN);
    const r = await as(qtxa, 'PATCH', '/admin/users/canbo.anhiep', { password: FIRST });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    noHash(r);
    expect(r.body.mustChangePassword).toBe(true);
    expectRefusal(await as(token, 'GET', '/dossiers'), 401, 'unauthenticated');
    await firstLogin('canbo.anhiep');
    const e = (await call('quantri', 'GET', '/admin/audit?entity=user&entityId=canbo.anhiep')).body.items[0];
    expect(e).toMatchObject({ action: 'updated', after: { passwordReset: true } });
    expect(e.before.passwordReset).toBeUndefined();
    expect(JSON.stringify(await events())).not.toMatch(/hash|\$2[aby]\$/i);
  });
});

describe('the working agency', () => {
  it('a user with creator in one agency and signer in another sees each one\'s queue with it chosen, and may not act on the other\'s dossier', async () => {
    const made = await call('quantri', 'POST', '/admin/users', { json: { ...officer('hai.donvi', 'creator'), agencyCode: D, roles: [{ agencyCode: D, role: 'creator' }, { agencyCode: C, role: 'signer' }] } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.agencyCode).toBe(D);
    await firstLogin('hai.donvi');

    const applicant = { applicantKind: 'no_account' as const, fullName: 'Người Hai Đơn Vị', email: 'haidonvi@example.vn', documentType: 'GKS' };
    const inD = await h.service.create(await h.actor('canbo'), applicant, uploadedPdf(h, await makePdf(1)), crypto.randomUUID());
    const inC = await h.service.create((await loadActor(h.db, 'canbo.anhiep'))!, applicant, uploadedPdf(h, await makePdf(1)), crypto.randomUUID());
    const codes = async (t: string) => (await as(t, 'GET', '/dossiers?pageSize=100')).body.items.map((d: { code: string }) => d.code);

    const home = await tokenOf('hai.donvi', OWN); // default: the home agency
    const workingD = await tokenOf('hai.donvi', OWN, D);
    const workingC = await tokenOf('hai.donvi', OWN, C);
    for (const t of [home, workingD]) {
      expect(await codes(t)).toContain(inD.code);
      expect(await codes(t)).not.toContain(inC.code);
    }
    expect(await codes(workingC)).toContain(inC.code);
    expect(await codes(workingC)).not.toContain(inD.code);
    expect(await loadActor(h.db, 'hai.donvi', C)).toMatchObject({ agencyCode: C, roles: ['signer'] });
    expect(await loadActor(h.db, 'hai.donvi', D)).toMatchObject({ agencyCode: D, roles: ['creator'] });

    // Working in D, the commune's dossier is not its to see or sign.
    const status = async () => (await h.db.selectFrom('dossiers').select('status').where('code', '=', inC.code).executeTakeFirstOrThrow()).status;
    const was = await status();
    expectRefusal(await as(workingD, 'GET', `/dossiers/${inC.code}`), 403, 'wrong_agency');
    const sign = await as(workingD, 'POST', `/dossiers/${inC.code}/sign`, {});
    expect([403, 404]).toContain(sign.status);
    expect(await status()).toBe(was);

    // An agency where it holds no role: refused with a clear error.
    expectRefusal(await call(null, 'POST', '/auth/token', { json: { username: 'hai.donvi', password: OWN, agencyCode: OTHER } }), 403, 'forbidden', 'agencyCode');
  });
});
