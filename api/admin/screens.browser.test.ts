// The administration screens ("Quản trị") in a real browser, with JavaScript and without it: Debian's Chromium driven
// by playwright-core, on the real app, worker, Temporal dev server and PostgreSQL. The administrator adds a commune
// under the demo agency (a refused portal code shown on the form with what was typed), renames it, gives it a process
// with a review step and separation of duties (the same again refused), reads the audit with before and after and
// exports it to Excel; then the commune's reviewer finds a dossier of its creator in "Bản sao chờ kiểm tra" and
// passes it on to the signature.
// Chromium is REQUIRED: when /usr/bin/chromium is missing the suite fails with an install hint (never skips).
import bcrypt from 'bcryptjs';
import ExcelJS from 'exceljs';
import crypto from 'node:crypto';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../domain/types.js';
import {
  check, click, flash, login, openMenu, problemsOf, requireChromium, seeText, startBrowserWorld, type BrowserWorld,
} from '../../lib/testing/browser.js';
import { makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, multipart } from '../../lib/testing/http.js';

let world: BrowserWorld | null = null;
let h: Harness;
let tmp: string;
const { call } = apiClient(() => h.baseUrl);
// This run's portal codes: dossier codes start with them and are workflow ids on a shared Temporal server.
const P = `G${crypto.randomBytes(3).toString('hex').toUpperCase()}`;
const REVIEW = 'Lãnh đạo phòng kiểm tra';

beforeAll(async () => {
  // Without Chromium nothing is set up (null); each test then fails with the install hint (failed, not skipped).
  world = await startBrowserWorld('ctdt-admin-browser-', { acceptDownloads: true });
  if (world) ({ h, tmp } = world);
});

afterAll(async () => {
  await world?.close();
});

// ---------------------------------------------------------------------------------------------------------
// Helpers.

const agencyRow = (page: Page, code: string) => page.getByTestId('agency-tree').locator(`tr[data-code="${code}"]`);
const agencyInDb = (code: string) => h.db.selectFrom('agencies').selectAll().where('code', '=', code).executeTakeFirst();
const versionsInDb = (code: string) => h.db.selectFrom('process_definitions').select('version').where('agency_code', '=', code).execute();
const statusOf = async (code: string) => (await h.db.selectFrom('dossiers').select('status').where('code', '=', code).executeTakeFirstOrThrow()).status;

/** A staff account of the commune, password "demo" (there is no account screen yet). */
async function addUser(username: string, agencyCode: string, roles: Role[]) {
  await h.db.insertInto('users').values({ username, full_name: `Cán bộ ${username}`, title: 'Cán bộ xã', password_hash: await bcrypt.hash('demo', 4), agency_code: agencyCode }).execute();
  for (const role of roles) await h.db.insertInto('user_roles').values({ username, agency_code: agencyCode, role }).execute();
}

// ---------------------------------------------------------------------------------------------------------

describe.each([
  { js: true, n: 1, title: 'with JavaScript' },
  { js: false, n: 2, title: 'without JavaScript' },
])('administration screens in Chromium $title', ({ js, n }) => {
  const code = `000.03.25.W0${n}`;
  const portal = `${P}.0${n}`;
  const name = `UBND xã Tân Phú ${n}`;
  const renamed = `UBND xã Tân Phú Đông ${n}`;
  const users = { creator: `xa${n}_canbo`, reviewer: `xa${n}_kiemtra`, signer: `xa${n}_chutich` };

  it('adds a commune, renames it, publishes its process, reads and exports the audit; its reviewer passes a dossier on', async () => {
    requireChromium();
    const admin = await world!.newPage({ javaScriptEnabled: js });
    await login(admin, 'quantri');
    // The run is the one it says: htmx loaded (boosted links and forms) with JavaScript, plain HTML without.
    expect(await admin.evaluate(() => 'htmx' in window)).toBe(js);

    // 1. Cơ quan, đơn vị: add a commune under the demo agency with the form.
    await openMenu(admin, 'Cơ quan, đơn vị');
    await seeText(agencyRow(admin, h.agencyCode), 'Phòng Tư pháp cấp huyện');
    await agencyRow(admin, h.agencyCode).getByRole('link', { name: 'Thêm đơn vị trực thuộc', exact: true }).click();
    await seeText(admin.locator('.breadcrumb'), 'Thêm cơ quan, đơn vị');
    const form = admin.getByTestId('agency-form');
    await form.getByLabel('Mã cơ quan').fill(code);
    await form.getByLabel('Tên cơ quan, đơn vị').fill(name);
    expect(await form.getByLabel('Cơ quan cấp trên').inputValue(), 'the parent picked in the tree comes preselected').toBe(h.agencyCode);
    await form.getByLabel('Cơ quan cấp trên').selectOption(h.agencyCode);
    await form.getByLabel('Loại cơ quan').selectOption({ label: 'UBND xã, phường, đặc khu' });
    await form.getByLabel('Địa chỉ').fill('Ấp Tân Hòa');
    // A portal code the portal would not take: refused on the form, what was typed kept, nothing added.
    await form.getByLabel('Mã trên cổng dịch vụ công').fill('g22-29');
    await click(admin.getByTestId('save-agency'));
    await seeText(admin.getByTestId('error'), 'Mã trên cổng dịch vụ công phải bắt đầu bằng chữ in hoa');
    expect(await form.getByLabel('Mã trên cổng dịch vụ công').inputValue()).toBe('g22-29');
    expect(await form.getByLabel('Mã trên cổng dịch vụ công').getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByLabel('Mã cơ quan').inputValue()).toBe(code);
    expect(await form.getByLabel('Tên cơ quan, đơn vị').inputValue()).toBe(name);
    expect(await form.getByLabel('Cơ quan cấp trên').inputValue()).toBe(h.agencyCode);
    expect(await form.getByLabel('Loại cơ quan').inputValue()).toBe('commune');
    expect(await agencyInDb(code)).toBeUndefined();
    await form.getByLabel('Mã trên cổng dịch vụ công').fill(portal);
    await click(admin.getByTestId('save-agency'));
    await flash(admin, `Đã thêm “${name}” (mã ${code}).`);
    // In the tree, one level under its parent, right after the parent's earlier children.
    const row = agencyRow(admin, code);
    await seeText(row, name, code, 'UBND xã, phường, đặc khu', portal, 'Ấp Tân Hòa', 'Đang hoạt động');
    expect(await row.getAttribute('data-depth')).toBe('1');
    const order = await admin.getByTestId('agency-tree').locator('tr[data-code]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-code')));
    expect(order.indexOf(code)).toBeGreaterThan(order.indexOf(h.agencyCode));
    expect(await agencyInDb(code)).toMatchObject({ parent_code: h.agencyCode, kind: 'commune', portal_code: portal });

    // 2. Rename it with its form.
    await row.getByRole('link', { name: 'Sửa', exact: true }).click();
    await seeText(admin.locator('.breadcrumb'), 'Sửa cơ quan, đơn vị');
    expect(await form.getByLabel('Mã trên cổng dịch vụ công').inputValue()).toBe(portal);
    await form.getByLabel('Tên cơ quan, đơn vị').fill(renamed);
    await click(admin.getByTestId('save-agency'));
    await flash(admin, `Đã lưu “${renamed}” (mã ${code}).`);
    await seeText(agencyRow(admin, code), renamed);
    expect(await agencyRow(admin, code).getAttribute('data-depth')).toBe('1');
    expect((await agencyInDb(code))?.name).toBe(renamed);

    // 3. Cấu hình quy trình: the commune starts on the built-in process; a review step and separation of duties.
    await openMenu(admin, 'Cấu hình quy trình');
    const processRow = admin.getByTestId('process-list').locator(`tr[data-code="${code}"]`);
    await seeText(processRow, renamed, 'Quy trình mặc định');
    await processRow.getByRole('link', { name: 'Cấu hình', exact: true }).click();
    await seeText(admin.getByTestId('current-version'), 'Đang áp dụng: quy trình mặc định của hệ thống');
    const processForm = admin.getByTestId('process-form');
    await processForm.getByLabel('Tên bước kiểm tra 1').fill(REVIEW);
    await processForm.getByLabel('Quyền thực hiện bước kiểm tra 1').selectOption('reviewer');
    await check(processForm.getByLabel('Không cho một người thực hiện hai bước'));
    await click(admin.getByTestId('publish-process'));
    await flash(admin, 'Đã ban hành phiên bản 1 của quy trình.');
    await seeText(admin.getByTestId('current-version'), 'Đang áp dụng: phiên bản 1');
    const v1 = admin.getByTestId('process-versions').locator('tbody tr');
    expect(await v1.count()).toBe(1);
    await seeText(v1, `${REVIEW} (Quyền kiểm tra bản sao)`, 'Quản trị hệ thống');
    expect((await v1.locator('td').allInnerTexts()).slice(0, 4)).toEqual([
      '1', `Tiếp nhận, tạo bản sao và trình ký (Quyền tạo bản sao) → ${REVIEW} (Quyền kiểm tra bản sao) → Lãnh đạo ký chứng thực (Quyền ký bản sao) → Cấp số chứng thực và đóng dấu (Quyền đóng dấu bản sao) → Hoàn thành và chuyển bản sao điện tử (Quyền đóng dấu bản sao)`, 'Có', 'Không',
    ]);
    expect(await processForm.getByLabel('Không cho một người thực hiện hai bước').isChecked()).toBe(true);
    // The same again is no new version: said on the form, which keeps the step.
    await click(admin.getByTestId('publish-process'));
    await seeText(admin.getByTestId('error'), 'giống hệt phiên bản đang áp dụng (phiên bản 1)');
    expect(await processForm.getByLabel('Tên bước kiểm tra 1').inputValue()).toBe(REVIEW);
    expect(await versionsInDb(code)).toEqual([{ version: 1 }]);

    // 4. Nhật ký quản trị: the creation, the rename and the publication, with before and after.
    await openMenu(admin, 'Nhật ký quản trị');
    await admin.getByLabel('Mã đối tượng:').fill(code);
    await admin.getByRole('button', { name: 'TÌM KIẾM', exact: true }).click();
    await seeText(admin.getByTestId('result-count'), 'Tìm thấy 3 thay đổi');
    const events = admin.getByTestId('audit-list').locator('tr[data-event]');
    const created = events.filter({ hasText: 'Thêm mới' });
    await seeText(created, 'Quản trị hệ thống (quantri)', 'Cơ quan, đơn vị', code);
    await seeText(created.locator('td.before'), 'Tên: —');
    await seeText(created.locator('td.after'), `Tên: ${name}`, `Mã trên cổng dịch vụ công: ${portal}`);
    const renaming = events.filter({ hasText: 'Sửa thông tin' });
    expect(await renaming.count()).toBe(1);
    expect((await renaming.locator('td.before').innerText()).trim()).toBe(`Tên: ${name}`);
    expect((await renaming.locator('td.after').innerText()).trim()).toBe(`Tên: ${renamed}`);
    const published = events.filter({ hasText: 'Ban hành phiên bản mới' });
    await seeText(published.locator('td.before'), 'Phiên bản: —');
    await seeText(published.locator('td.after'), 'Phiên bản: 1', `${REVIEW} (Quyền kiểm tra bản sao)`, 'Tách người thực hiện các bước: Có');

    // The Excel export of what is shown (the same filter).
    const [download] = await Promise.all([admin.waitForEvent('download'), admin.getByTestId('audit-export').click()]);
    expect(download.suggestedFilename()).toBe(`nhat-ky-quan-tri-${h.agencyCode}.xlsx`);
    const again = await admin.context().request.get(download.url());
    expect(again.headers()['content-type']).toMatch(/^application\/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet/);
    const file = path.join(tmp, `nhat-ky-${n}.xlsx`);
    await download.saveAs(file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.getWorksheet('Nhật ký quản trị')!;
    const rows: unknown[][] = [];
    ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
    expect(rows.find((r) => r[0] === 'Số thay đổi')?.[1]).toBe(3);
    const renameRow = rows.find((r) => r[4] === code && r[5] === 'Sửa thông tin');
    expect(renameRow?.slice(2)).toEqual(['Quản trị hệ thống (quantri)', 'Cơ quan, đơn vị', code, 'Sửa thông tin', `Tên: ${name}`, `Tên: ${renamed}`]);
    expect(rows.filter((r) => r[4] === code).map((r) => r[5]).sort()).toEqual(['Ban hành phiên bản mới', 'Sửa thông tin', 'Thêm mới']);
    expect(problemsOf(admin)).toEqual([]);

    // 5. End to end: the commune's creator makes a dossier; its reviewer lands on the review queue and passes it on.
    await addUser(users.creator, code, ['creator']);
    await addUser(users.reviewer, code, ['reviewer']);
    await addUser(users.signer, code, ['signer']);
    const made = await call(users.creator, 'POST', '/dossiers', {
      form: multipart({ applicantKind: 'no_account', fullName: 'Lê Thị Hoa', email: 'hoa@example.vn', documentType: 'GKS' }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf'),
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const dossier: string = made.body.code;
    expect(dossier.startsWith(`${portal}-`), 'the dossier code starts with the commune portal code').toBe(true);
    expect(made.body).toMatchObject({ status: 'awaiting_review', process: { version: 1 } });

    const reviewer = await world!.newPage({ javaScriptEnabled: js });
    await login(reviewer, users.reviewer);
    expect(new URL(reviewer.url()).pathname, 'the reviewer starts on the review queue').toBe('/ho-so/cho-kiem-tra');
    await seeText(reviewer.locator('.breadcrumb'), 'Bản sao chờ kiểm tra');
    const queued = reviewer.locator(`tr[data-code="${dossier}"]`);
    await seeText(queued, 'Lê Thị Hoa');
    await queued.getByRole('link', { name: 'Xử lý', exact: true }).click();
    await seeText(reviewer.getByTestId('dossier-code'), dossier);
    await seeText(reviewer.getByTestId('status'), 'Chờ kiểm tra');
    await seeText(reviewer.getByTestId('review-step'), REVIEW);
    await seeText(reviewer.getByTestId('process-version'), 'Phiên bản 1 của quy trình đơn vị');
    await click(reviewer.getByRole('button', { name: 'ĐỒNG Ý, CHUYỂN TIẾP', exact: true }));
    await flash(reviewer, `Đã kiểm tra hồ sơ ${dossier} và trình lãnh đạo ký.`);
    expect(new URL(reviewer.url()).pathname).toBe('/ho-so/cho-kiem-tra');
    expect(await reviewer.locator(`tr[data-code="${dossier}"]`).count(), 'no longer in the review queue').toBe(0);
    expect(await statusOf(dossier)).toBe('awaiting_signature');
    await reviewer.goto(`/ho-so/${encodeURIComponent(dossier)}`);
    await seeText(reviewer.getByTestId('status'), 'Chờ ký');
    await seeText(reviewer.locator('table.kv'), `${REVIEW}`, `Đồng ý: Cán bộ ${users.reviewer}`);

    // The commune's signer now finds it waiting for the signature.
    const signer = await world!.newPage({ javaScriptEnabled: js });
    await login(signer, users.signer);
    await openMenu(signer, 'Bản sao chờ ký');
    await seeText(signer.locator(`tr[data-code="${dossier}"]`), 'Lê Thị Hoa');

    for (const p of [admin, reviewer, signer]) expect(problemsOf(p)).toEqual([]);
  });
});
