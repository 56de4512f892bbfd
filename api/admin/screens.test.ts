// The administration screens over plain HTTP, as a browser without JavaScript uses them (forms, _csrf, redirects):
// "Cơ quan, đơn vị" (the tree; add under an agency, edit, move, deactivate; refusals shown again on the form) and
// "Nhật ký quản trị" (before and after, the Excel export); staff without the admin role get 403.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../lib/testing/harness.js';
import { csrfOf, loginStaff, type WebClient } from '../../lib/testing/http.js';

let h: Harness;
let admin: WebClient;
const OTHER = '000.00.66.X06';
const P = `G${crypto.randomBytes(3).toString('hex').toUpperCase()}`;
const A = '000.03.25.S01', B = '000.03.25.S02';

const agencies = () => h.db.selectFrom('agencies').selectAll().orderBy('code').execute();
const events = () => h.db.selectFrom('admin_events').selectAll().orderBy('id').execute();
const world = async () => ({ agencies: await agencies(), events: await events() });
/** The tree's row of an agency: its depth and the text of its cells. */
function row(html: string, code: string): { depth: number; text: string } | null {
  const m = new RegExp(`<tr data-code="${code.replace(/\./g, '\\.')}" data-depth="(\\d+)"[^>]*>([\\s\\S]*?)</tr>`).exec(html);
  return m ? { depth: Number(m[1]), text: m[2].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim() } : null;
}
const form = (over: Record<string, string> = {}) => ({ code: A, name: 'UBND xã Hòa Tú', parentCode: h.agencyCode, portalCode: `${P}.01`, kind: 'commune', address: 'Ấp Hòa Thượng', ...over });

beforeAll(async () => {
  h = await createHarness();
  await h.addAgency(OTHER, []);
  admin = await loginStaff(h.baseUrl, 'quantri');
});
afterAll(async () => { await h?.close(); });

describe('Quản trị → Cơ quan, đơn vị', () => {
  it('lists the tree, and the menu leads there', async () => {
    const page = await admin.get('/quan-tri/co-quan');
    expect(page.status).toBe(200);
    expect(page.html).toContain('href="/quan-tri/co-quan"');
    expect(page.html).toContain('href="/quan-tri/nhat-ky"');
    expect(row(page.html, h.agencyCode)).toMatchObject({ depth: 0 });
    expect(row(page.html, h.agencyCode)!.text).toContain('Phòng Tư pháp cấp huyện');
    expect(row(page.html, OTHER)).toBeNull(); // another tree, outside the scope
  });

  it('adds a commune under an agency with the form (CSRF checked), and shows a refusal on the form with what was typed', async () => {
    const blank = await admin.get(`/quan-tri/co-quan/them-moi?capTren=${encodeURIComponent(h.agencyCode)}`);
    expect(blank.status).toBe(200);
    expect(blank.html).toMatch(new RegExp(`<option value="${h.agencyCode.replace(/\./g, '\\.')}" selected>`));
    const before = await world();

    const noToken = await admin.post('/quan-tri/co-quan', form());
    expect(noToken.status).toBe(403);
    const bad = await admin.post('/quan-tri/co-quan', { _csrf: csrfOf(blank.html), ...form({ portalCode: 'g22-29', name: 'UBND xã <b>Hòa Tú</b>' }) });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('Mã trên cổng dịch vụ công phải bắt đầu bằng chữ in hoa');
    expect(bad.html).toMatch(/name="portalCode"[^>]*value="g22-29"[^>]*aria-invalid="true"/);
    expect(bad.html).toContain('value="UBND xã &lt;b&gt;Hòa Tú&lt;/b&gt;"'); // what was typed, escaped
    const outside = await admin.post('/quan-tri/co-quan', { _csrf: csrfOf(blank.html), ...form({ parentCode: OTHER }) });
    expect(outside.status).toBe(404);
    expect(outside.html).toContain('Không tìm thấy cơ quan cấp trên');
    expect(await world()).toEqual(before);

    const ok = await admin.post('/quan-tri/co-quan', { _csrf: csrfOf(bad.html), ...form({ name: 'UBND xã <script>Hòa Tú</script>' }) });
    expect(ok.status, ok.html.slice(0, 300)).toBe(303);
    expect(ok.location).toBe('/quan-tri/co-quan');
    const tree = await admin.get('/quan-tri/co-quan');
    expect(tree.html).toContain('Đã thêm “UBND xã &lt;script&gt;Hòa Tú&lt;/script&gt;” (mã 000.03.25.S01).');
    expect(tree.html).not.toContain('<script>Hòa Tú');
    expect(row(tree.html, A)).toMatchObject({ depth: 1 });
    expect(row(tree.html, A)!.text).toContain('UBND xã, phường, đặc khu');
    expect(row(tree.html, A)!.text).toContain(`${P}.01`);
    expect(row(tree.html, A)!.text).toContain('Đang hoạt động');
    expect((await events()).map((e) => [e.entity_id, e.action, e.actor])).toEqual([[A, 'created', 'quantri']]);
  });

  it('edits and moves an agency with its form; a cycle is shown again on the form and changes nothing', async () => {
    const add = await admin.get('/quan-tri/co-quan/them-moi');
    expect((await admin.post('/quan-tri/co-quan', { _csrf: csrfOf(add.html), ...form({ code: B, name: 'Cụm Châu Thành', portalCode: `${P}.02`, kind: 'other' }) })).status).toBe(303);

    const edit = await admin.get(`/quan-tri/co-quan/${A}/sua`);
    expect(edit.status).toBe(200);
    expect(edit.html).toContain(`value="${A}" readonly`); // the code is shown, never sent
    const saved = await admin.post(`/quan-tri/co-quan/${A}/sua`, { _csrf: csrfOf(edit.html), name: 'UBND phường Hòa Tú', parentCode: B, portalCode: `${P}.01`, kind: 'commune', address: 'Ấp Hòa Thượng' });
    expect(saved.status, saved.html.slice(0, 300)).toBe(303);
    const tree = await admin.get('/quan-tri/co-quan');
    expect(row(tree.html, B)).toMatchObject({ depth: 1 });
    expect(row(tree.html, A)).toMatchObject({ depth: 2 });
    expect(row(tree.html, A)!.text).toContain('UBND phường Hòa Tú');

    const before = await world();
    const editB = await admin.get(`/quan-tri/co-quan/${B}/sua`);
    const cycle = await admin.post(`/quan-tri/co-quan/${B}/sua`, { _csrf: csrfOf(editB.html), name: 'Cụm Châu Thành', parentCode: A, portalCode: `${P}.02`, kind: 'other', address: '' });
    expect(cycle.status).toBe(400);
    expect(cycle.html).toContain('sẽ tạo thành vòng');
    expect(cycle.html).toMatch(/<select name="parentCode" required aria-invalid="true">/);
    const away = await admin.post(`/quan-tri/co-quan/${B}/sua`, { _csrf: csrfOf(editB.html), name: 'Cụm Châu Thành', parentCode: OTHER, portalCode: `${P}.02`, kind: 'other', address: '' });
    expect(away.status).toBe(404);
    expect(away.html).toContain('data-testid="agency-form"'); // the form again, with the refusal
    expect(away.html).toContain(`Không tìm thấy cơ quan cấp trên ${OTHER} trong phạm vi quản trị của bạn.`);
    // The demo agency is the top of quantri's scope: no parent to pick, so nothing to move.
    const top = await admin.get(`/quan-tri/co-quan/${h.agencyCode}/sua`);
    expect(top.html).not.toContain('name="parentCode"');
    expect(top.html).toContain('không chuyển được');
    expect((await admin.get(`/quan-tri/co-quan/${OTHER}/sua`)).status).toBe(404);
    expect(await world()).toEqual(before);
  });

  it('deactivates an empty agency; one that still holds accounts is refused with their names', async () => {
    const edit = await admin.get(`/quan-tri/co-quan/${A}/sua`);
    const stopped = await admin.post(`/quan-tri/co-quan/${A}/ngung-hoat-dong`, { _csrf: csrfOf(edit.html) });
    expect(stopped.status, stopped.html.slice(0, 300)).toBe(303);
    const tree = await admin.get('/quan-tri/co-quan');
    expect(row(tree.html, A)!.text).toContain('Ngừng hoạt động');
    expect(tree.html).not.toContain(`capTren=${encodeURIComponent(A)}`); // nothing added under a stopped agency

    const before = await world();
    const demo = await admin.get(`/quan-tri/co-quan/${h.agencyCode}/sua`);
    const held = await admin.post(`/quan-tri/co-quan/${h.agencyCode}/ngung-hoat-dong`, { _csrf: csrfOf(demo.html) });
    expect(held.status).toBe(409);
    expect(held.html).toMatch(/tài khoản đang hoạt động \(canbo, giamsat, kiemthu, lanhdao, quantri, …\)/);
    expect(held.html).toContain('cơ quan, đơn vị trực thuộc đang hoạt động (Cụm Châu Thành)');
    expect(await world()).toEqual(before);

    const again = await admin.get(`/quan-tri/co-quan/${A}/sua`);
    expect((await admin.post(`/quan-tri/co-quan/${A}/hoat-dong-lai`, { _csrf: csrfOf(again.html) })).status).toBe(303);
    expect(row((await admin.get('/quan-tri/co-quan')).html, A)!.text).toContain('Đang hoạt động');
  });
});

describe('Quản trị → Nhật ký quản trị', () => {
  it('lists every change with before and after, filters by agency, and exports Excel', async () => {
    const page = await admin.get('/quan-tri/nhat-ky');
    expect(page.status).toBe(200);
    const rows = [...page.html.matchAll(/<tr data-event="(\d+)">([\s\S]*?)<\/tr>/g)].map((m) => m[2].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
    expect(rows).toHaveLength((await events()).length);
    expect(rows[0]).toContain('Hoạt động trở lại');
    expect(rows[0]).toContain('Đang hoạt động: Không');
    expect(rows[0]).toContain('Đang hoạt động: Có');
    const move = rows.find((r) => r.includes('Chuyển cơ quan cấp trên'))!;
    expect(move).toContain('Quản trị hệ thống (quantri)');
    expect(move).toContain(`Cơ quan cấp trên: ${h.agencyCode}`);
    expect(move).toContain(`Cơ quan cấp trên: ${B}`);
    expect(move).toContain('Tên: UBND xã &lt;script&gt;Hòa Tú&lt;/script&gt;');
    expect(move).toContain('Tên: UBND phường Hòa Tú');

    const one = await admin.get(`/quan-tri/nhat-ky?entity=agency&entityId=${B}`);
    expect(one.html).toContain('Tìm thấy 1 thay đổi');
    const file = await admin.get(`/quan-tri/nhat-ky/xuat-excel?entity=agency&entityId=${B}`);
    expect(file.status).toBe(200);
    expect(file.type).toMatch(/spreadsheetml/);
    expect(file.bytes.subarray(0, 2).toString('latin1')).toBe('PK');
  });
});

describe('without the admin role', () => {
  it('staff get 403 on the screens and their forms change nothing; visitors go to the login page', async () => {
    const clerk = await loginStaff(h.baseUrl, 'canbo');
    const home = await clerk.get('/ho-so/theo-doi');
    expect(home.html).not.toContain('href="/quan-tri/co-quan"');
    const before = await world();
    for (const p of ['/quan-tri/co-quan', '/quan-tri/co-quan/them-moi', `/quan-tri/co-quan/${A}/sua`, '/quan-tri/nhat-ky', '/quan-tri/nhat-ky/xuat-excel']) {
      const r = await clerk.get(p);
      expect(r.status, p).toBe(403);
      expect(r.html).toContain('Chỉ quản trị viên được dùng chức năng quản trị.');
    }
    const csrf = csrfOf(home.html);
    expect((await clerk.post('/quan-tri/co-quan', { _csrf: csrf, ...form({ code: '000.03.25.S09', portalCode: `${P}.09` }) })).status).toBe(403);
    expect((await clerk.post(`/quan-tri/co-quan/${A}/sua`, { _csrf: csrf, name: 'Đổi tên' })).status).toBe(403);
    expect((await clerk.post(`/quan-tri/co-quan/${A}/ngung-hoat-dong`, { _csrf: csrf })).status).toBe(403);
    expect(await world()).toEqual(before);

    const visitor = await fetch(`${h.baseUrl}/quan-tri/co-quan`, { redirect: 'manual' });
    expect(visitor.status).toBe(303);
    expect(visitor.headers.get('location')).toMatch(/^\/dang-nhap/);
  });
});
