// "Mẫu lời chứng, mẫu sổ" over plain HTTP, as a browser without JavaScript uses it (forms, _csrf, redirects): the
// page shows the versions in use and the placeholders; "Xem trước" posts the draft and shows the page it would print
// (nothing published); "Ban hành phiên bản mới" publishes it (CSRF checked); a refusal shows the form again with the
// message and what was typed; the register layout's column form; an admin of a subtree previews but cannot publish.
import bcrypt from 'bcryptjs';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTESTATION_SENTENCE } from '../../domain/attestation.js';
import { createHarness, type Harness } from '../../lib/testing/harness.js';
import { csrfOf, loginStaff, type WebClient } from '../../lib/testing/http.js';

let h: Harness;
let admin: WebClient;
const SUB = '000.03.25.T02';
const templates = () => h.db.selectFrom('templates').selectAll().orderBy('kind').orderBy('version').execute();
const events = () => h.db.selectFrom('admin_events').selectAll().orderBy('id').execute();
const world = async () => ({ templates: await templates(), events: await events() });
const decoded = (s: string) => s.replace(/&#123;/g, '{').replace(/&#125;/g, '}');

const form = (over: Record<string, string> = {}) => ({
  header: '{agencyName}\r\nLỜI CHỨNG', body: `${ATTESTATION_SENTENCE}\r\nLoại giấy tờ: {documentTypeName}\r\nMã chứng thực: {dossierCode}\r\nGhi chú: bản sao điện tử`,
  dateLine: '{date}', ...over,
});

beforeAll(async () => {
  h = await createHarness();
  await h.db.insertInto('agencies').values({ code: SUB, name: 'UBND xã Mỹ Hương', parent_code: h.agencyCode, portal_code: `T${crypto.randomBytes(3).toString('hex').toUpperCase()}` }).execute();
  await h.db.insertInto('users').values({ username: 'quantrixa2', full_name: 'Quản trị xã', title: 'Công chức', password_hash: await bcrypt.hash('demo', 4), agency_code: SUB }).execute();
  await h.db.insertInto('user_roles').values({ username: 'quantrixa2', agency_code: SUB, role: 'admin' }).execute();
  admin = await loginStaff(h.baseUrl, 'quantri');
});
afterAll(async () => { await h?.close(); });

describe('Quản trị → Mẫu lời chứng, mẫu sổ', () => {
  it('the menu leads there; the page shows version 1 of each, its text in the form and the placeholders', async () => {
    const home = await admin.get('/quan-tri/co-quan');
    expect(home.html).toContain('href="/quan-tri/mau"');
    const page = await admin.get('/quan-tri/mau');
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/data-testid="attestation-version">phiên bản 1</);
    expect(page.html).toMatch(/data-testid="register-version">phiên bản 1</);
    expect(page.html).toContain(`<textarea name="body" rows="6" >${ATTESTATION_SENTENCE}\nLoại giấy tờ: {documentTypeName}`);
    for (const p of ['{agencyName}', '{documentTypeName}', '{dossierCode}', '{copies}', '{date}']) expect(decoded(page.html)).toContain(`<code>${p}</code>`);
    expect(page.html).toContain('data-testid="publish-attestation"');
    expect(page.html).toMatch(/<option value="applicantName" selected>/);
    const staff = await loginStaff(h.baseUrl, 'canbo');
    expect((await staff.get('/quan-tri/mau')).status).toBe(403);
  });

  it('"Xem trước" shows the page the draft would print, keeps what was typed and publishes nothing', async () => {
    const page = await admin.get('/quan-tri/mau');
    const before = await world();
    const shown = await admin.post('/quan-tri/mau/loi-chung', { _csrf: csrfOf(page.html), intent: 'preview', ...form() });
    expect(shown.status).toBe(200);
    const img = /<img src="data:image\/png;base64,([A-Za-z0-9+/=]+)"[^>]*data-testid="attestation-preview"/.exec(shown.html);
    expect(img).not.toBeNull();
    expect(Buffer.from(img![1], 'base64').subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(shown.html).toContain('Ghi chú: bản sao điện tử</textarea>');
    expect(await world()).toEqual(before);
  });

  it('refuses a draft without the law\'s sentence on the form, with the message and the text as typed (escaped)', async () => {
    const page = await admin.get('/quan-tri/mau');
    const before = await world();
    for (const intent of ['preview', 'publish']) {
      const bad = await admin.post('/quan-tri/mau/loi-chung', { _csrf: csrfOf(page.html), intent, ...form({ body: 'Bản sao <b>đúng</b>.' }) });
      expect(bad.status).toBe(400);
      expect(bad.html).toContain(`phải giữ nguyên câu “${ATTESTATION_SENTENCE}”`);
      expect(bad.html).toMatch(/<textarea name="body" rows="6" aria-invalid="true">Bản sao &lt;b&gt;đúng&lt;\/b&gt;\.<\/textarea>/);
      expect(bad.html).not.toContain('data-testid="attestation-preview"');
    }
    expect(await world()).toEqual(before);
  });

  it('"Ban hành phiên bản mới" publishes version 2 (CSRF checked); the page then shows it, and the audit lists it', async () => {
    const page = await admin.get('/quan-tri/mau');
    const before = await world();
    expect((await admin.post('/quan-tri/mau/loi-chung', { intent: 'publish', ...form() })).status).toBe(403);
    expect(await world()).toEqual(before);
    const done = await admin.post('/quan-tri/mau/loi-chung', { _csrf: csrfOf(page.html), intent: 'publish', ...form() });
    expect(done.status, done.html.slice(0, 300)).toBe(303);
    expect(done.location).toBe('/quan-tri/mau');
    const after = await admin.get('/quan-tri/mau');
    expect(after.html).toContain('Đã ban hành mẫu lời chứng phiên bản 2');
    expect(after.html).toMatch(/data-testid="attestation-version">phiên bản 2</);
    expect(after.html).toContain('Ghi chú: bản sao điện tử</textarea>');
    expect(after.html).toContain('href="/quan-tri/mau?loiChung=1"');
    const old = await admin.get('/quan-tri/mau?loiChung=1');
    expect(old.html).toContain('Đang xem phiên bản 1');
    expect(old.html).not.toContain('Ghi chú: bản sao điện tử</textarea>');
    const audit = await admin.get('/quan-tri/nhat-ky?entity=template');
    expect(audit.html).toContain('Ban hành phiên bản mới');
    expect(audit.html).toContain('Mẫu lời chứng, mẫu sổ');
    expect(audit.html).toContain('Ghi chú: bản sao điện tử');
  });

  it('the register layout: a column form; a repeated field is refused on the form, a good layout published as version 2', async () => {
    const page = await admin.get('/quan-tri/mau');
    const csrf = csrfOf(page.html);
    const rows = (cols: [string, string, string][]) => {
      const p = new URLSearchParams({ _csrf: csrf });
      for (const [f, hd, w] of cols) { p.append('field', f); p.append('header', hd); p.append('width', w); }
      return p;
    };
    const before = await world();
    const bad = await admin.post('/quan-tri/mau/so', rows([['dossierCode', 'Mã', '20'], ['dossierCode', 'Mã nữa', '20'], ['', '', '']]));
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('Cột 2');
    expect(bad.html).toContain('value="Mã nữa"');
    expect(await world()).toEqual(before);

    const ok = await admin.post('/quan-tri/mau/so', rows([['dossierCode', 'Mã hồ sơ', '22'], ['', 'bỏ qua', ''], ['fee', 'Lệ phí', '12']]));
    expect(ok.status, ok.html.slice(0, 300)).toBe(303);
    const latest = await h.db.selectFrom('templates').select(['version', 'body', 'published_by']).where('kind', '=', 'register_book').orderBy('version', 'desc').executeTakeFirstOrThrow();
    expect(latest).toEqual({ version: 2, published_by: 'quantri', body: { columns: [{ field: 'dossierCode', header: 'Mã hồ sơ', width: 22 }, { field: 'fee', header: 'Lệ phí', width: 12 }] } });
    const after = await admin.get('/quan-tri/mau');
    expect(after.html).toMatch(/data-testid="register-version">phiên bản 2</);
  });

  it('an admin of a subtree previews but has no publish button, and a forged publication is refused', async () => {
    const sub = await loginStaff(h.baseUrl, 'quantrixa2');
    const page = await sub.get('/quan-tri/mau');
    expect(page.status).toBe(200);
    expect(page.html).not.toContain('data-testid="publish-attestation"');
    expect(page.html).toContain('Chỉ quản trị viên hệ thống ban hành được mẫu mới.');
    const shown = await sub.post('/quan-tri/mau/loi-chung', { _csrf: csrfOf(page.html), intent: 'preview', ...form() });
    expect(shown.status).toBe(200);
    expect(shown.html).toContain('data-testid="attestation-preview"');
    const before = await world();
    const forged = await sub.post('/quan-tri/mau/loi-chung', { _csrf: csrfOf(page.html), intent: 'publish', ...form({ dateLine: 'Mỹ Hương, {date}' }) });
    expect(forged.status).toBe(403);
    expect(forged.html).toContain('quản trị viên hệ thống');
    expect(await world()).toEqual(before);
  });
});
