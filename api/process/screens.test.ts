// "Quản trị → Cấu hình quy trình" over plain HTTP, as a browser without JavaScript uses it: the scope's agencies
// with the version in force, the form that publishes a new version (CSRF checked), a refusal shown again on the
// form with what was chosen, the versions published before; staff without the admin role get 403.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../lib/testing/harness.js';
import { csrfOf, loginStaff, type WebClient } from '../../lib/testing/http.js';

let h: Harness;
let admin: WebClient;
const OTHER = '000.00.55.X05';
const definitions = () => h.db.selectFrom('process_definitions').selectAll().orderBy('version').execute();
const FORM = (code: string) => `/quan-tri/quy-trinh/${encodeURIComponent(code)}`;

beforeAll(async () => {
  h = await createHarness();
  await h.addAgency(OTHER, []);
  admin = await loginStaff(h.baseUrl, 'quantri');
});
afterAll(async () => { await h?.close(); });

describe('Quản trị → Cấu hình quy trình', () => {
  it('lists the agencies of the scope with the process their new dossiers start under', async () => {
    const page = await admin.get('/quan-tri/quy-trinh');
    expect(page.status).toBe(200);
    expect(page.html).toContain('href="/quan-tri/quy-trinh"'); // the menu
    expect(page.html).toMatch(new RegExp(`data-code="${h.agencyCode.replace(/\./g, '\\.')}"[\\s\\S]*?Quy trình mặc định`));
    expect(page.html).not.toContain(OTHER);
    expect((await admin.get(FORM(OTHER))).status).toBe(404);
    const clerk = await loginStaff(h.baseUrl, 'canbo');
    expect((await clerk.get('/quan-tri/quy-trinh')).status).toBe(403);
  });

  it('publishes a version with a review step from the form, and shows a refusal on the form', async () => {
    const blank = await admin.get(FORM(h.agencyCode));
    expect(blank.status).toBe(200);
    expect(blank.html).toContain('quy trình mặc định của hệ thống');
    const fields = { review1Label: 'Lãnh đạo phòng kiểm tra', review1Role: 'reviewer', separationOfDuties: 'on' };
    expect((await admin.post(FORM(h.agencyCode), fields)).status).toBe(403); // no CSRF token

    // An admin-only role for a review step: refused, shown with what was typed, nothing published.
    const bad = await admin.post(FORM(h.agencyCode), { _csrf: csrfOf(blank.html), ...fields, review1Role: 'admin' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('chỉ giao được cho');
    expect(bad.html).toContain('value="Lãnh đạo phòng kiểm tra"');
    expect(await definitions()).toEqual([]);

    const ok = await admin.post(FORM(h.agencyCode), { _csrf: csrfOf(blank.html), ...fields });
    expect(ok.status).toBe(303);
    const page = await admin.get(ok.location!);
    expect(page.html).toContain('Đã ban hành phiên bản 1 của quy trình');
    expect(page.html).toContain('Đang áp dụng: phiên bản 1');
    expect(page.html).toMatch(/<input type="checkbox" name="separationOfDuties" checked>/);
    expect(page.html).toContain('Lãnh đạo phòng kiểm tra (Quyền kiểm tra bản sao)');
    expect((await definitions()).map((d) => d.version)).toEqual([1]);

    // The same again: no new version, said on the form.
    const same = await admin.post(FORM(h.agencyCode), { _csrf: csrfOf(page.html), ...fields });
    expect(same.status).toBe(409);
    expect(same.html).toContain('giống hệt phiên bản đang áp dụng (phiên bản 1)');

    // The audit names it.
    const audit = await admin.get('/quan-tri/nhat-ky?entity=process');
    expect(audit.html).toContain('Ban hành phiên bản mới');
  });
});
