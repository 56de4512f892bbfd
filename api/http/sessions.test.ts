// Server-side sessions (api/sessions.ts): logging out ends the session for every copy of its cookie, deactivating
// a user ends its sessions and API tokens at once, a login gets a fresh session id, and sessions expire when idle
// and after a fixed time, for staff and the citizen portal alike.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../lib/testing/harness.js';
import { apiClient, csrfOf, loginCitizen, loginStaff, WebClient } from '../../lib/testing/http.js';
import { deactivateUser, endSessionsOf, SESSION_COOKIE } from './sessions.js';

let h: Harness;
beforeAll(async () => { h = await createHarness(); }, 120_000);
afterAll(async () => { await h?.close(); });

const { call, requestToken } = apiClient(() => h.baseUrl);

/** Logged in as staff: a page behind the login opens (no redirect to /dang-nhap). */
async function staffIn(b: WebClient): Promise<boolean> {
  const r = await b.get('/ho-so/theo-doi');
  if (r.status === 200) return true;
  expect(r.status).toBe(303);
  expect(r.location).toMatch(/^\/dang-nhap/);
  return false;
}

/** Logged in on the portal: the citizen's own page opens. */
async function citizenIn(b: WebClient): Promise<boolean> {
  const r = await b.get('/cong-dan/lich-hen');
  if (r.status === 200) return true;
  expect(r.status).toBe(303);
  expect(r.location).toMatch(/^\/cong-dan\/dang-nhap/);
  return false;
}

async function tokenOf(username: string): Promise<string> {
  const r = await requestToken(username, 'demo');
  expect(r.status).toBe(200);
  return r.body.token;
}

const sessionRows = async (key: 'uid' | 'pid', username: string) =>
  (await h.db.selectFrom('sessions').select('sid').where(sql<string>`sess->>${sql.lit(key)}`, '=', username).execute()).length;

describe('logging out', () => {
  it('ends the staff session: a copy of the cookie saved before /dang-xuat opens nothing after it', async () => {
    const b = await loginStaff(h.baseUrl, 'canbo');
    const saved = b.copy();
    expect(await staffIn(saved)).toBe(true);
    const page = await b.get('/ho-so/theo-doi');
    const out = await b.post('/dang-xuat', { _csrf: csrfOf(page.html) });
    expect(out.status).toBe(303);
    expect(await staffIn(b)).toBe(false);
    expect(await staffIn(saved)).toBe(false);
  });

  it('ends the portal session the same way', async () => {
    const b = await loginCitizen(h.baseUrl, 'congdan');
    const saved = b.copy();
    expect(await citizenIn(saved)).toBe(true);
    const page = await b.get('/cong-dan/lich-hen');
    const out = await b.post('/cong-dan/dang-xuat', { _csrf: csrfOf(page.html) });
    expect(out.status).toBe(303);
    expect(await citizenIn(b)).toBe(false);
    expect(await citizenIn(saved)).toBe(false);
  });
});

describe('ending a person\'s sessions and tokens', () => {
  it('deactivating a staff user ends its sessions and API tokens at once, and reactivating does not bring them back', async () => {
    const b1 = await loginStaff(h.baseUrl, 'lanhdao');
    const b2 = await loginStaff(h.baseUrl, 'lanhdao');
    const token = await tokenOf('lanhdao');
    const bearer = `Bearer ${token}`;
    expect((await call(null, 'GET', '/dossiers', { bearer })).status).toBe(200);
    const other = await loginStaff(h.baseUrl, 'vanthu');

    await deactivateUser(h.db, 'lanhdao');
    expect(await staffIn(b1)).toBe(false);
    expect(await staffIn(b2)).toBe(false);
    expect((await call(null, 'GET', '/dossiers', { bearer })).status).toBe(401);
    expect(await sessionRows('uid', 'lanhdao')).toBe(0);
    expect(await staffIn(other)).toBe(true); // nobody else's

    // Ended, not suspended: the user back in service logs in again; the old cookies and token stay dead.
    await h.db.updateTable('users').set({ active: true }).where('username', '=', 'lanhdao').execute();
    expect(await staffIn(b1)).toBe(false);
    expect((await call(null, 'GET', '/dossiers', { bearer })).status).toBe(401);
    expect(await staffIn(await loginStaff(h.baseUrl, 'lanhdao'))).toBe(true);
  });

  it('endSessionsOf ends a portal account\'s sessions and tokens, and only its own', async () => {
    const b = await loginCitizen(h.baseUrl, 'congdan');
    const bearer = `Bearer ${await tokenOf('congdan')}`;
    expect((await call(null, 'GET', '/appointments', { bearer })).status).toBe(200);
    const staff = await loginStaff(h.baseUrl, 'giamsat');
    const staffBearer = `Bearer ${await tokenOf('giamsat')}`;

    await endSessionsOf(h.db, 'congdan', 'portal');
    expect(await citizenIn(b)).toBe(false);
    expect((await call(null, 'GET', '/appointments', { bearer })).status).toBe(401);
    expect(await staffIn(staff)).toBe(true);
    expect((await call(null, 'GET', '/dossiers', { bearer: staffBearer })).status).toBe(200);

    await endSessionsOf(h.db, 'giamsat');
    expect(await staffIn(staff)).toBe(false);
    expect((await call(null, 'GET', '/dossiers', { bearer: staffBearer })).status).toBe(401);
  });
});

describe('the session cookie and its lifetime', () => {
  it('a login gets a fresh session id: the id held before logging in (e.g. planted) is not logged in', async () => {
    const b = new WebClient(h.baseUrl);
    const form = await b.get('/dang-nhap');
    const before = b.cookie(SESSION_COOKIE);
    expect(before).toBeTruthy();
    const planted = b.copy();
    const res = await b.post('/dang-nhap', { _csrf: csrfOf(form.html), username: 'canbo', password: 'demo' });
    expect(res.status).toBe(303);
    expect(b.cookie(SESSION_COOKIE)).not.toBe(before);
    expect(await staffIn(b)).toBe(true);
    expect(await staffIn(planted)).toBe(false);
  });

  it('is HttpOnly and SameSite=Lax, carries only an id, and lasts while used', async () => {
    const r = await fetch(`${h.baseUrl}/dang-nhap`);
    const cookie = r.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    expect(cookie).toBeTruthy();
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).toMatch(/;\s*Expires=/i);
    expect(cookie).not.toMatch(/;\s*Secure/i); // demo over plain http; Secure in production
    const value = decodeURIComponent(cookie!.split(';')[0].slice(SESSION_COOKIE.length + 1));
    expect(value).toMatch(/^s:[\w-]+\.[\w+/=-]+$/); // a signed id, no session data in the cookie
  });

  it('ends after the idle time and after the absolute time, however busy', async () => {
    const idle = await loginStaff(h.baseUrl, 'quantri');
    const busy = await loginStaff(h.baseUrl, 'quantri');
    expect(await staffIn(idle)).toBe(true);
    expect(await staffIn(busy)).toBe(true);
    const sid = (b: WebClient) => decodeURIComponent(b.cookie(SESSION_COOKIE)!).replace(/^s:/, '').replace(/\.[^.]*$/, '');

    // Idle: the store's expiry (moved forward by every request) has passed.
    await h.db.updateTable('sessions').set({ expire: new Date(Date.now() - 1000) }).where('sid', '=', sid(idle)).execute();
    expect(await staffIn(idle)).toBe(false);

    // Absolute: logged in 9 hours ago, used a moment ago.
    await sql`update sessions set sess = jsonb_set(sess, '{startedAt}', to_jsonb(${Date.now() - 9 * 3600_000}::bigint)) where sid = ${sid(busy)}`.execute(h.db);
    expect(await staffIn(busy)).toBe(false);
  });
});
