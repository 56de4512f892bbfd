// The account screens over plain HTTP, as a browser without JavaScript uses them (forms, _csrf, redirects):
// "Quản trị → Tài khoản người dùng" (list by agency, add, edit roles per agency, deactivate, reset the password;
// refusals shown again on the form in Vietnamese, changing nothing), "Đổi mật khẩu" (where every staff screen
// sends a user who must change the password), and the header's choice of working agency.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../lib/testing/harness.js';
import { csrfOf, loginStaff, WebClient } from '../../lib/testing/http.js';

let h: Harness;
let admin: WebClient;
let D: string;
const C = '000.03.25.B01'; // a commune under the demo agency
const OTHER = '000.00.55.X05'; // another root, with its own admin
const FIRST = 'MatKhauDau@2026';
const OWN = 'MatKhauRieng#2026';

const users = () => h.db.selectFrom('users').selectAll().orderBy('username').execute();
const roles = () => h.db.selectFrom('user_roles').selectAll().orderBy('username').orderBy('agency_code').orderBy('role').execute();
const events = () => h.db.selectFrom('admin_events').selectAll().orderBy('id').execute();
const world = async () => ({ users: await users(), roles: await roles(), events: await events() });
/** The list's row of a user, as text. */
function row(html: string, username: string): string | null {
  const m = new RegExp(`<tr data-username="${username.replace(/\./g, '\\.')}"[^>]*>([\\s\\S]*?)</tr>`).exec(html);
  return m ? m[1].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim() : null;
}
async function login(username: string, password: string): Promise<WebClient> {
  const b = new WebClient(h.baseUrl);
  const form = await b.get('/dang-nhap');
  const r = await b.post('/dang-nhap', { _csrf: csrfOf(form.html), username, password });
  expect(r.status, r.html.slice(0, 300)).toBe(303);
  return b;
}
/** The create form's fields plus the checked roles (repeated "roles" fields, as a browser sends checkboxes). */
function createForm(csrf: string, over: Record<string, string> = {}, checked: string[] = [`${C}|creator`]) {
  const f = new URLSearchParams({ _csrf: csrf, username: 'canbo.hoatu', password: FIRST, agencyCode: C, fullName: 'Trần Văn Tú', title: 'Công chức Tư pháp - Hộ tịch', idNumber: '079123456789', email: 'tu@example.vn', ...over });
  for (const c of checked) f.append('roles', c);
  return f;
}

beforeAll(async () => {
  h = await createHarness();
  D = h.agencyCode;
  await h.db.insertInto('agencies').values({ code: C, name: 'UBND xã Hòa Tú', portal_code: `G${crypto.randomBytes(3).toString('hex').toUpperCase()}`, parent_code: D, kind: 'commune' }).execute();
  await h.addAgency(OTHER, [{ username: 'quantri5', roles: ['admin'] }]);
  admin = await loginStaff(h.baseUrl, 'quantri');
});
afterAll(async () => { await h?.close(); });

describe('Quản trị → Tài khoản người dùng', () => {
  it('lists the accounts of the scope with their roles, filtered by agency; the menu leads there', async () => {
    const page = await admin.get('/quan-tri/tai-khoan');
    expect(page.status).toBe(200);
    expect(page.html).toContain('href="/quan-tri/tai-khoan"');
    expect(row(page.html, 'canbo')).toContain('Quyền tạo bản sao');
    expect(row(page.html, 'lanhdao')).toContain('Trưởng phòng Tư pháp');
    expect(row(page.html, 'quantri')).toContain('Đang hoạt động');
    expect(row(page.html, 'quantri5')).toBeNull(); // another tree
    const commune = await admin.get(`/quan-tri/tai-khoan?coQuan=${encodeURIComponent(C)}`);
    expect(commune.html).toContain('Tìm thấy 0 tài khoản');
    expect((await admin.get(`/quan-tri/tai-khoan?coQuan=${encodeURIComponent(OTHER)}`)).status).toBe(404);
    expect((await (await loginStaff(h.baseUrl, 'canbo')).get('/quan-tri/tai-khoan')).status).toBe(403);
  });

  it('adds an account with the form (CSRF checked); a refusal is shown again on the form with what was typed, and changes nothing', async () => {
    const blank = await admin.get(`/quan-tri/tai-khoan/them-moi?coQuan=${encodeURIComponent(C)}`);
    expect(blank.status).toBe(200);
    expect(blank.html).toMatch(new RegExp(`<option value="${C.replace(/\./g, '\\.')}" selected>`));
    expect(blank.html).toContain(`value="${C}|signer"`);
    const csrf = csrfOf(blank.html);
    const before = await world();

    expect((await admin.post('/quan-tri/tai-khoan', Object.fromEntries(createForm('')))).status).toBe(403);
    const short = await admin.post('/quan-tri/tai-khoan', createForm(csrf, { password: 'ngan', fullName: 'Trần <b>Tú</b>' }));
    expect(short.status).toBe(400);
    expect(short.html).toContain('Mật khẩu phải có ít nhất 10 ký tự.');
    expect(short.html).toContain('value="Trần &lt;b&gt;Tú&lt;/b&gt;"');
    expect(short.html).toMatch(new RegExp(`value="${C.replace(/\./g, '\\.')}\\|creator" checked`));
    const badName = await admin.post('/quan-tri/tai-khoan', createForm(csrf, { username: 'Cán Bộ' }));
    expect(badName.status).toBe(400);
    expect(badName.html).toContain('Tên đăng nhập gồm 3 đến 32 ký tự');
    expect(badName.html).toMatch(/name="username"[^>]*value="Cán Bộ"[^>]*aria-invalid="true"/);
    const taken = await admin.post('/quan-tri/tai-khoan', createForm(csrf, { username: 'canbo' }));
    expect(taken.status).toBe(409);
    expect(taken.html).toContain('Tên đăng nhập canbo đã được dùng');
    const outside = await admin.post('/quan-tri/tai-khoan', createForm(csrf, {}, [`${OTHER}|creator`]));
    expect(outside.status).toBe(404);
    expect(await world()).toEqual(before);

    const ok = await admin.post('/quan-tri/tai-khoan', createForm(csrf, {}, [`${C}|creator`, `${C}|signer`]));
    expect(ok.status, ok.html.slice(0, 300)).toBe(303);
    expect(ok.location).toBe('/quan-tri/tai-khoan');
    const list = await admin.get('/quan-tri/tai-khoan');
    expect(list.html).toContain('Đã thêm tài khoản canbo.hoatu (Trần Văn Tú).');
    expect(row(list.html, 'canbo.hoatu')).toMatch(/Quyền tạo bản sao.*Quyền ký bản sao.*Đang hoạt động.*Chưa đổi mật khẩu/);
    expect((await events()).map((e) => [e.entity, e.entity_id, e.action, e.actor])).toEqual([['user', 'canbo.hoatu', 'created', 'quantri']]);
  });

  it('a new account is sent to "Đổi mật khẩu" from every staff screen until it changes the password', async () => {
    const user = await login('canbo.hoatu', FIRST);
    for (const p of ['/', '/ho-so/theo-doi', '/ban-sao/them-moi', '/trang-ca-nhan']) {
      const r = await user.get(p);
      expect(r.status, p).toBe(303);
      expect(r.location, p).toBe('/doi-mat-khau');
    }
    const form = await user.get('/doi-mat-khau');
    expect(form.status).toBe(200);
    expect(form.html).toContain('Đổi mật khẩu');
    const csrf = csrfOf(form.html);
    const wrong = await user.post('/doi-mat-khau', { _csrf: csrf, currentPassword: 'sai', newPassword: OWN, confirmPassword: OWN });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('Mật khẩu hiện tại không đúng.');
    const mismatch = await user.post('/doi-mat-khau', { _csrf: csrf, currentPassword: FIRST, newPassword: OWN, confirmPassword: `${OWN}x` });
    expect(mismatch.html).toContain('Mật khẩu nhập lại không khớp');
    expect((await user.post('/doi-mat-khau', { currentPassword: FIRST, newPassword: OWN, confirmPassword: OWN })).status).toBe(403); // no CSRF token
    const elsewhere = await login('canbo.hoatu', FIRST); // another session with the old password
    const ok = await user.post('/doi-mat-khau', { _csrf: csrf, currentPassword: FIRST, newPassword: OWN, confirmPassword: OWN });
    expect(ok.status, ok.html.slice(0, 300)).toBe(303);
    const page = await user.get('/ho-so/theo-doi');
    expect(page.status).toBe(200); // this one goes on, in a fresh session
    expect(page.html).toContain('Đã đổi mật khẩu.');
    expect((await elsewhere.get('/ho-so/theo-doi')).location).toMatch(/^\/dang-nhap/); // the other one ended
    expect((await user.get('/trang-ca-nhan')).html).toContain('href="/doi-mat-khau"'); // later changes: from Trang cá nhân
    await login('canbo.hoatu', OWN);
  });

  it('edits title and roles with the form; deactivating ends the user\'s session at once; oneself is refused', async () => {
    const user = await login('canbo.hoatu', OWN);
    const edit = await admin.get('/quan-tri/tai-khoan/canbo.hoatu/sua');
    expect(edit.status).toBe(200);
    expect(edit.html).toMatch(new RegExp(`value="${C.replace(/\./g, '\\.')}\\|signer" checked`));
    const csrf = csrfOf(edit.html);
    const f = new URLSearchParams({ _csrf: csrf, fullName: 'Trần Văn Tú', title: 'Phó Chủ tịch UBND xã', idNumber: '079123456789', email: 'tu@example.vn', active: 'true' });
    f.append('roles', `${C}|signer`);
    const saved = await admin.post('/quan-tri/tai-khoan/canbo.hoatu/sua', f);
    expect(saved.status, saved.html.slice(0, 300)).toBe(303);
    expect(await h.db.selectFrom('user_roles').select('role').where('username', '=', 'canbo.hoatu').execute()).toEqual([{ role: 'signer' }]);
    expect((await h.db.selectFrom('users').select('title').where('username', '=', 'canbo.hoatu').executeTakeFirstOrThrow()).title).toBe('Phó Chủ tịch UBND xã');
    expect((await user.get('/ho-so/cho-ky')).status).toBe(200); // its roles changed under a live session

    // Deactivated (the box unticked): its next request finds no session.
    const off = new URLSearchParams({ _csrf: csrf, fullName: 'Trần Văn Tú', title: 'Phó Chủ tịch UBND xã', idNumber: '079123456789', email: 'tu@example.vn' });
    off.append('roles', `${C}|signer`);
    expect((await admin.post('/quan-tri/tai-khoan/canbo.hoatu/sua', off)).status).toBe(303);
    const after = await user.get('/ho-so/cho-ky');
    expect(after.status).toBe(303);
    expect(after.location).toMatch(/^\/dang-nhap/);
    expect(row((await admin.get('/quan-tri/tai-khoan')).html, 'canbo.hoatu')).toContain('Ngừng hoạt động');

    // The admin itself: neither deactivated nor stripped of its admin role; the refusal is shown on the form.
    const before = await world();
    const self = await admin.post('/quan-tri/tai-khoan/quantri/sua', new URLSearchParams({ _csrf: csrf, fullName: 'Quản trị hệ thống', title: 'Quản trị', roles: `${D}|admin` }));
    expect(self.status).toBe(409);
    expect(self.html).toContain('Bạn không tự ngừng hoạt động tài khoản của mình được');
    const strip = await admin.post('/quan-tri/tai-khoan/quantri/sua', new URLSearchParams({ _csrf: csrf, fullName: 'Quản trị hệ thống', title: 'Quản trị', active: 'true', roles: `${D}|supervisor` }));
    expect(strip.status).toBe(409);
    expect(strip.html).toContain('Bạn không tự bỏ quyền quản trị của mình được');
    expect(await world()).toEqual(before);
  });

  it('resets a password with the button: the user must change it at the next login', async () => {
    const edit = await admin.get('/quan-tri/tai-khoan/lanhdao/sua');
    const csrf = csrfOf(edit.html);
    const before = await world();
    const bad = await admin.post('/quan-tri/tai-khoan/lanhdao/dat-lai-mat-khau', { _csrf: csrf, password: 'ngan' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('Mật khẩu phải có ít nhất 10 ký tự.');
    expect(await world()).toEqual(before);
    const ok = await admin.post('/quan-tri/tai-khoan/lanhdao/dat-lai-mat-khau', { _csrf: csrf, password: FIRST });
    expect(ok.status).toBe(303);
    expect((await admin.get(ok.location!)).html).toContain('Đã đặt lại mật khẩu của lanhdao');
    const user = await login('lanhdao', FIRST);
    expect((await user.get('/ho-so/cho-ky')).location).toBe('/doi-mat-khau');
    const audit = (await events()).at(-1)!;
    expect(audit).toMatchObject({ entity: 'user', entity_id: 'lanhdao', action: 'updated', after: expect.objectContaining({ passwordReset: true }) });
    expect(JSON.stringify(audit)).not.toMatch(/hash|\$2[aby]\$/i);
    // The list shows the change as people read it.
    expect((await admin.get('/quan-tri/nhat-ky?entity=user&entityId=lanhdao')).html).toContain('Đặt lại mật khẩu');
  });

  it('outside the scope: 404 on the forms, nothing changes', async () => {
    const other = await loginStaff(h.baseUrl, 'quantri5');
    const page = await other.get('/quan-tri/tai-khoan');
    expect(row(page.html, 'quantri5')).not.toBeNull();
    expect(row(page.html, 'canbo')).toBeNull();
    expect((await other.get('/quan-tri/tai-khoan/canbo/sua')).status).toBe(404);
    const before = await world();
    const csrf = csrfOf(page.html);
    expect((await other.post('/quan-tri/tai-khoan/canbo/sua', { _csrf: csrf, fullName: 'Đổi tên', active: 'true' })).status).toBe(404);
    expect((await other.post('/quan-tri/tai-khoan/canbo/dat-lai-mat-khau', { _csrf: csrf, password: FIRST })).status).toBe(404);
    expect(await world()).toEqual(before);
  });
});

describe('the working agency in the header', () => {
  it('a user with roles in two agencies chooses where it works; menus and the agency follow; an agency without its roles is refused', async () => {
    const f = createForm(csrfOf((await admin.get('/quan-tri/tai-khoan/them-moi')).html), { username: 'hai.noi', agencyCode: D, fullName: 'Lê Hai Nơi' }, [`${D}|creator`, `${C}|signer`]);
    expect((await admin.post('/quan-tri/tai-khoan', f)).status).toBe(303);
    const user = await login('hai.noi', FIRST);
    const change = await user.get('/doi-mat-khau');
    expect((await user.post('/doi-mat-khau', { _csrf: csrfOf(change.html), currentPassword: FIRST, newPassword: OWN, confirmPassword: OWN })).status).toBe(303);

    const home = await user.get('/ho-so/theo-doi');
    expect(home.html).toContain('data-testid="working-agency"');
    expect(home.html).toContain('href="/ban-sao/them-moi"'); // creator in the home agency
    expect(home.html).not.toContain('href="/ho-so/cho-ky"');
    const csrf = csrfOf(home.html);
    expect((await user.post('/co-quan-lam-viec', { agencyCode: C })).status).toBe(403); // no CSRF token
    const chosen = await user.post('/co-quan-lam-viec', { _csrf: csrf, agencyCode: C });
    expect(chosen.status).toBe(303);
    const inC = await user.get('/ho-so/theo-doi');
    expect(inC.html).toContain('<strong>UBND xã Hòa Tú</strong>');
    expect(inC.html).toContain('href="/ho-so/cho-ky"');
    expect(inC.html).not.toContain('href="/ban-sao/them-moi"');
    expect((await user.get('/ban-sao/them-moi')).status).toBe(403);
    const refused = await user.post('/co-quan-lam-viec', { _csrf: csrf, agencyCode: OTHER });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('Bạn không có quyền nào tại cơ quan, đơn vị');
    expect((await user.get('/ho-so/theo-doi')).html).toContain('<strong>UBND xã Hòa Tú</strong>'); // the refusal changed nothing
    expect((await user.post('/co-quan-lam-viec', { _csrf: csrf, agencyCode: D })).status).toBe(303);
    expect((await user.get('/ho-so/theo-doi')).html).toContain('href="/ban-sao/them-moi"');
    // A user of one agency gets no choice.
    expect((await admin.get('/quan-tri/tai-khoan')).html).not.toContain('data-testid="working-agency"');
  });
});
