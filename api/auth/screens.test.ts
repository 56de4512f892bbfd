// The screens' request guards (api/http/csrf.ts, api/auth/screens.ts): the CSRF check on every state-changing request whatever its content
// type (every POST route of the Express router is tried, so a new route is covered without touching this file), a
// multipart body on a form that takes no file, and the after-login redirect that stays on this site.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalStorage } from '../../activities/storage.js';
import { workingDays } from '../../lib/testing/time.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, csrfOf, loginCitizen, loginStaff, multipart, WebClient } from '../../lib/testing/http.js';
import { createApp } from '../app.js';
import { CSRF_MESSAGE } from '../http/csrf.js';
import { localPath } from '../http/local-path.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  // One staff user with every role, so that no route's own role check could stand in for the CSRF check.
  for (const role of ['signer', 'sealer', 'admin', 'supervisor']) {
    await h.db.insertInto('user_roles').values({ username: 'canbo', agency_code: h.agencyCode, role }).onConflict((oc) => oc.doNothing()).execute();
  }
}, 120_000);
afterAll(async () => { await h?.close(); });

const { call } = apiClient(() => h.baseUrl);

/** The state-changing routes of the app's router (method, path), the JSON API aside (bearer tokens, no cookies). */
function stateChangingScreenRoutes(): { method: string; path: string }[] {
  const app = createApp({ config: h.config, db: h.db, temporal: h.client, storage: createLocalStorage(path.join(h.config.dataDir, 'files')) });
  const out: { method: string; path: string }[] = [];
  const walk = (stack: any[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const p of [layer.route.path].flat()) {
          for (const m of Object.keys(layer.route.methods)) out.push({ method: m.toUpperCase(), path: `${prefix}${p}` });
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, prefix + (layer.rawPath === '/' ? '' : String(layer.rawPath)));
      }
    }
  };
  walk((app as any).router.stack, '');
  return out.filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method) && !r.path.startsWith('/api/'));
}

/** Every table's content but the sessions', as one digest: "changes nothing" means this stays the same. */
async function fingerprint(): Promise<string> {
  const tables = await sql<{ t: string }>`select table_name as t from information_schema.tables
    where table_schema = 'public' and table_name not in ('sessions', 'kysely_migration', 'kysely_migration_lock') order by 1`.execute(h.db);
  const parts: string[] = [];
  for (const { t } of tables.rows) {
    const r = await sql<{ d: string | null }>`select md5(string_agg(x::text, '|' order by x::text)) as d from ${sql.table(t)} x`.execute(h.db);
    parts.push(`${t}:${r.rows[0].d}`);
  }
  return parts.join(',');
}

const tmpFiles = () => {
  const dir = path.join(h.config.dataDir, 'files', 'tmp');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
};

describe('CSRF on every state-changing screen route, whatever the content type', () => {
  it('a cross-site multipart POST without a token is refused on each route and changes nothing', async () => {
    // Real targets, so that each request would act if it were let through.
    const dossier = await call('canbo', 'POST', '/dossiers', { form: multipart({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, 'scan', await makePdf(1), 'a.pdf', 'application/pdf') });
    expect(dossier.status, JSON.stringify(dossier.body)).toBe(201);
    const [day] = workingDays(1, 3);
    // The citizen's appointment as a row only: appointment codes (and so workflow ids) are numbered per day on the
    // shared Temporal server, and no request here may reach the workflow anyway.
    const appointment = { body: { code: `CTĐT-T${crypto.randomBytes(4).toString('hex')}` } };
    await h.db.insertInto('appointments').values({
      code: appointment.body.code, agency_code: h.agencyCode, account_username: 'congdan', document_type_code: 'GKS', day, start_time: '09:00',
      status: 'booked', original_day: day, original_start_time: '09:00',
    }).execute();
    const book = await h.db.insertInto('register_books').values({
      agency_code: h.agencyCode, name: `99/${day.slice(0, 4)}/ĐT`, start_number: 1, current_number: 1, open_date: `${day.slice(0, 4)}-01-01`,
      close_date: `${day.slice(0, 4)}-12-31`, created_by: 'vanthu',
    }).returning('id').executeTakeFirstOrThrow(); // empty, so it could be deleted
    const params: Record<string, (route: string) => string> = {
      code: (route) => (/^\/(cong-dan\/)?lich-hen\//.test(route) ? appointment.body.code : dossier.body.code),
      id: () => String(book.id),
      fingerprint: () => 'a'.repeat(64), // a certificate's SHA-256: the refusal comes before any lookup
      username: () => 'canbo', // an account (Quản trị → Tài khoản người dùng)
      day: () => day, // an agency's day off (Quản trị → Lịch làm việc)
    };

    const staff = await loginStaff(h.baseUrl, 'canbo');
    const citizen = await loginCitizen(h.baseUrl, 'congdan');
    const routes = stateChangingScreenRoutes();
    expect(routes.map((r) => r.path)).toEqual(expect.arrayContaining(['/ban-sao', '/ho-so/:code/ky-so', '/so-chung-thuc/:id/xoa', '/cong-dan/lich-hen/:code/huy', '/dang-xuat', '/cong-dan/dang-xuat']));
    const before = await fingerprint();
    const scan = await makePdf(1);
    for (const route of routes) {
      const url = route.path.replace(/:(\w+)/g, (_m, name: string) => {
        const value = params[name];
        if (!value) throw new Error(`${route.method} ${route.path}: give this test a value for :${name}`);
        return encodeURIComponent(value(route.path));
      });
      const who = url.startsWith('/cong-dan/') ? citizen : staff;
      const form = multipart({ _key: crypto.randomUUID(), reason: 'Lý do', name: 'Sổ mới', slot: '10:00', date: day, applicantMode: 'account', idNumber: '151804051', documentType: 'GKS' },
        url.includes('chu-ky') || url.includes('con-dau') ? 'image' : url.startsWith('/xac-thuc') ? 'file' : 'scan', scan, 'a.pdf', 'application/pdf');
      const r = await who.post(url, form, { origin: 'https://evil.example', referer: 'https://evil.example/' });
      expect(r.status, `${route.method} ${url}: ${r.html.slice(0, 200)}`).toBe(403);
      expect(r.html, `${route.method} ${url}`).toContain(CSRF_MESSAGE);
    }
    expect(await fingerprint()).toBe(before);
    expect(tmpFiles()).toEqual([]);
    // Nobody was logged out.
    expect((await staff.get('/ho-so/theo-doi')).status).toBe(200);
    expect((await citizen.get('/cong-dan/lich-hen')).status).toBe(200);
  });

  it('the upload forms keep working with the token as their first field (no JavaScript) or in the htmx header', async () => {
    const staff = await loginStaff(h.baseUrl, 'canbo');
    const csrf = csrfOf((await staff.get('/ban-sao/them-moi')).html);
    const pdf = await makePdf(3);
    const noJs = await staff.post('/ban-sao/tinh-phi', multipart({ _csrf: csrf, copies: '2' }, 'scan', pdf, 'a.pdf', 'application/pdf'));
    expect(noJs.status, noJs.html).toBe(200);
    expect(noJs.html).toContain('3');
    const htmx = await staff.post('/ban-sao/tinh-phi', multipart({ copies: '2' }, 'scan', pdf, 'a.pdf', 'application/pdf'), { 'x-csrf-token': csrf, 'hx-request': 'true' });
    expect(htmx.status, htmx.html).toBe(200);
    // A token after the file does not count: the check happens before the file is read.
    const late = new FormData();
    late.append('copies', '2');
    late.append('scan', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'a.pdf');
    late.append('_csrf', csrf);
    expect((await staff.post('/ban-sao/tinh-phi', late)).status).toBe(403);
    expect(tmpFiles()).toEqual([]);
  });
});

describe('the upload forms in views/', () => {
  it('send the CSRF token as their first field, where the check reads it (before the file)', () => {
    const views = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../views');
    let forms = 0;
    for (const f of fs.readdirSync(views).filter((n) => n.endsWith('.njk'))) {
      const text = fs.readFileSync(path.join(views, f), 'utf8');
      for (const m of text.matchAll(/<form\b[^>]*enctype="multipart\/form-data"[^>]*>([\s\S]*?)<\/form>/g)) {
        forms++;
        const firstField = /\bname="([^"]+)"/.exec(m[1]);
        expect(firstField?.[1], `${f}: ${m[0].slice(0, 80)}`).toBe('_csrf');
      }
    }
    expect(forms).toBeGreaterThanOrEqual(5);
  });
});

describe('a multipart body sent to a form that takes no file', () => {
  it('is a 400 with a Vietnamese message, with the right token too, and changes nothing', async () => {
    const sealer = await loginStaff(h.baseUrl, 'vanthu');
    const book = await h.db.selectFrom('register_books').selectAll().where('agency_code', '=', h.agencyCode).orderBy('id').executeTakeFirstOrThrow();
    const page = await sealer.get(`/so-chung-thuc/${book.id}/sua`);
    expect(page.status).toBe(200);
    const csrf = csrfOf(page.html);
    const before = await fingerprint();
    const asField = await sealer.post(`/so-chung-thuc/${book.id}/sua`, multipart({ _csrf: csrf, name: 'Sổ đổi tên', openDate: '01/01/2026', closeDate: '31/12/2026' }, 'scan', null, '', ''));
    expect(asField.status, asField.html.slice(0, 300)).toBe(400);
    expect(asField.html).toContain('không nhận dữ liệu dạng tải tệp lên');
    const asHeader = await sealer.post(`/so-chung-thuc/${book.id}/sua`, multipart({ name: 'Sổ đổi tên' }, 'scan', null, '', ''), { 'x-csrf-token': csrf });
    expect(asHeader.status).toBe(400);
    const citizen = await loginCitizen(h.baseUrl, 'congdan');
    const booking = await citizen.get('/cong-dan/dat-lich');
    const portal = await citizen.post('/cong-dan/dat-lich', multipart({ _csrf: csrfOf(booking.html), agencyCode: h.agencyCode }, 'scan', null, '', ''));
    expect(portal.status).toBe(400);
    expect(await fingerprint()).toBe(before);
  });
});

describe('the after-login redirect stays on this site', () => {
  const hostile = ['/\\evil.example', '//evil.example', '/\\/evil.example', '/\t/evil.example', '/%09/evil.example/..', 'https://evil.example/', '\\\\evil.example', '/ho-so\n//evil.example'];

  it('localPath keeps paths of this site only, as a browser resolves them', () => {
    for (const v of hostile) {
      const p = localPath(v);
      if (p !== null) expect(new URL(p, 'http://app.example').origin, JSON.stringify(v)).toBe('http://app.example');
    }
    expect(localPath('/\\evil.example')).toBeNull();
    expect(localPath('//evil.example')).toBeNull();
    expect(localPath('/ho-so/theo-doi?page=2')).toBe('/ho-so/theo-doi?page=2');
    expect(localPath('/cong-dan/lich-hen', '/cong-dan')).toBe('/cong-dan/lich-hen');
    expect(localPath('/cong-dan/../ho-so', '/cong-dan')).toBeNull();
    expect(localPath('/cong-dan-gia/', '/cong-dan')).toBeNull();
  });

  async function staffLoginTo(next: string): Promise<string | null> {
    const b = new WebClient(h.baseUrl);
    const form = await b.get('/dang-nhap');
    const r = await b.post(`/dang-nhap?next=${encodeURIComponent(next)}`, { _csrf: csrfOf(form.html), username: 'giamsat', password: 'demo' });
    // A control character in the query string is refused outright by the input guard: no login, no redirect.
    if (/[\u0000-\u001f]/.test(next)) {
      expect(r.status).toBe(400);
      return null;
    }
    expect(r.status).toBe(303);
    return r.location;
  }
  async function portalLoginTo(next: string): Promise<string | null> {
    const b = new WebClient(h.baseUrl);
    const form = await b.get('/cong-dan/dang-nhap');
    const r = await b.post('/cong-dan/dang-nhap', { _csrf: csrfOf(form.html), username: 'congdan', password: 'demo', next });
    expect(r.status).toBe(303);
    return r.location;
  }

  it('on the staff login (/dang-nhap?next=/\\evil.example) and on the portal login', async () => {
    // Where a browser would go from the Location header: always this site (and, from the portal, the portal).
    const staysHere = (location: string | null, within = '/') => {
      expect(location).toMatch(/^\/(?![/\\])/);
      expect(location).not.toMatch(/[\\\u0000-\u001f]/);
      const u = new URL(location!, h.baseUrl);
      expect(u.origin).toBe(new URL(h.baseUrl).origin);
      expect(u.pathname.startsWith(within)).toBe(true);
    };
    for (const next of hostile) {
      const staff = await staffLoginTo(next);
      if (staff !== null) staysHere(staff);
      staysHere(await portalLoginTo(next), '/cong-dan');
      staysHere(await portalLoginTo(`/cong-dan/${next}`), '/cong-dan');
    }
    expect(await staffLoginTo('/\\evil.example')).toBe('/');
    expect(await staffLoginTo('//evil.example')).toBe('/');
    expect(await portalLoginTo('/cong-dan/\\evil.example')).toBe('/cong-dan');
    expect(await staffLoginTo('/ho-so/theo-doi?page=2')).toBe('/ho-so/theo-doi?page=2');
    expect(await portalLoginTo('/cong-dan/thong-bao')).toBe('/cong-dan/thong-bao');
  });
});
