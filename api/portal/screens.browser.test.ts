// The citizen portal in a real browser: Debian's Chromium driven by playwright-core, on the real app, worker,
// Temporal dev server and PostgreSQL (lib/testing/harness.ts). A citizen books an appointment from the free slots,
// canbo reschedules it ("Dời lịch hẹn": SMS + portal notification), then takes it over ("Xử lý") into a dossier that
// lanhdao signs and vanthu seals and delivers; the citizen downloads the e-copy from "Bản sao điện tử của tôi" and
// pdfsig finds two valid signatures. Dates are typed as dd/mm/yyyy into text fields. With UPDATE_SCREENSHOTS=1, saves
// docs/screenshots/13..16.
// Chromium is REQUIRED: when /usr/bin/chromium is missing the suite fails with an install hint (never skips).
import bcrypt from 'bcryptjs';
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContextOptions, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppointmentService } from '../appointments/service.js';
import type { PortalUser } from '../auth/service.js';
import { formatSlot } from '../../domain/appointments.js';
import { vnIsoDate } from '../../domain/vn-time.js';
import {
  click, fill, flash, login as staffLogin, problemsOf, requireChromium, seeText, shot, startBrowserWorld, type BrowserWorld,
} from '../../lib/testing/browser.js';
import { pdfsig } from '../../lib/testing/files.js';
import { makePdf, type Harness } from '../../lib/testing/harness.js';
import { until, workingDays } from '../../lib/testing/time.js';
import { appointmentWorkflowId } from '../../workflows/appointment-messages.js';

const CMND = '151804051';
const CITIZEN = 'Nguyễn Thị Thu';
const PHONE = '0942077843';
const PORTAL_MENU = 'Cổng dịch vụ công — Công dân';

const [DAY_BOOK, DAY_MOVED, DAY_NOJS] = workingDays(3, 2);

let world: BrowserWorld | null = null;
let h: Harness;
let tmp: string;
let others: PortalUser[] = [];

beforeAll(async () => {
  // Without Chromium nothing is set up (null); each test then fails with the install hint (failed, not skipped).
  world = await startBrowserWorld('ctdt-portal-browser-', { acceptDownloads: true });
  if (!world) return;
  ({ h, tmp } = world);
  // Two other citizens, to fill slots "meanwhile".
  const hash = await bcrypt.hash('demo', 4);
  others = [
    { username: 'congdan2', fullName: 'Trần Văn Hai', kind: 'citizen', idNumber: '079090000222' },
    { username: 'congdan3', fullName: 'Lê Thị Ba', kind: 'citizen', idNumber: '079090000333' },
  ];
  for (const [i, o] of others.entries()) {
    await h.db.insertInto('portal_accounts').values({ username: o.username, kind: 'citizen', full_name: o.fullName, id_number: o.idNumber, email: null, phone: `09000002${i}${i}`, password_hash: hash }).execute();
  }
});

afterAll(async () => {
  if (!world) return;
  // Appointment workflow ids come from the codes, which every test database counts from 0000: end this file's
  // open appointments so a later file on the same Temporal server can use the same codes.
  const codes = await h.db.selectFrom('appointments').select('code').execute().catch(() => []);
  await Promise.all(codes.map((c) => h.client.workflow.getHandle(appointmentWorkflowId(c.code)).terminate('test file finished').catch(() => {})));
  await world.close();
});

// ---------------------------------------------------------------------------------------------------------
// Helpers: what a person does on a screen (the common ones in lib/testing/browser.ts).

const newPage = (opts?: BrowserContextOptions) => world!.newPage(opts);

/** The citizen comes through the staff login page's "Cổng công dân" link and logs in with the portal account. */
async function citizenLogin(page: Page, username = 'congdan') {
  await page.goto('/dang-nhap');
  await page.getByRole('link', { name: 'Cổng công dân', exact: true }).click();
  await page.waitForURL(/\/cong-dan\/dang-nhap/);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill('demo');
  await page.getByRole('button', { name: 'ĐĂNG NHẬP', exact: true }).click();
  await seeText(page.getByTestId('current-citizen'), username);
  expect(await page.getByRole('navigation', { name: 'Chứng thực điện tử' }).count(), 'no staff menu on the portal').toBe(0);
}

/** Opens a screen from the staff menu (unlike lib/testing/browser.ts's openMenu, no check of the item marked active). */
async function openMenu(page: Page, label: string) {
  await page.getByRole('navigation', { name: 'Chứng thực điện tử' }).getByRole('link', { name: label, exact: true }).click();
  await seeText(page.locator('.breadcrumb'), label);
}

async function openPortalMenu(page: Page, label: string) {
  await page.getByRole('navigation', { name: PORTAL_MENU }).getByRole('link', { name: label }).click();
  await seeText(page.locator('.breadcrumb'), label);
  await expect.poll(() => page.getByRole('navigation', { name: PORTAL_MENU }).locator('a.active').innerText()).toContain(label);
}

const service = () => new AppointmentService(h.db, h.client, h.config.taskQueue);
/** yyyy-MM-dd as people write it here: dd/mm/yyyy. */
const vn = (iso: string) => iso.split('-').reverse().join('/');

/** Types a day into a date field as dd/mm/yyyy and leaves the field (Tab), as a person does: htmx loads the slots. */
async function typeDate(field: Locator, iso: string) {
  expect(await field.getAttribute('type'), "a text field in dd/mm/yyyy, not the browser's date picker (month first in some locales)").toBe('text');
  expect(await field.getAttribute('placeholder')).toBe('dd/mm/yyyy');
  await fill(field, vn(iso));
  // Leaving the field loads that day's free slots (htmx): wait for them, or a slot chosen from the list still on
  // screen (today's) is wiped when the new list lands, and the form will not submit.
  const day = encodeURIComponent(vn(iso));
  const loaded = field.page().waitForResponse((r) => r.url().includes('/khung-gio') && r.url().includes(day) && r.ok());
  await field.press('Tab');
  await loaded;
}
const smsDir = () => path.join(h.config.dataDir, 'sms-outbox');
const smsMessages = () => (fs.existsSync(smsDir()) ? fs.readdirSync(smsDir()) : [])
  .map((f) => JSON.parse(fs.readFileSync(path.join(smsDir(), f), 'utf8')) as { to: string; message: string; reference: string });

// ---------------------------------------------------------------------------------------------------------

describe('citizen portal in Chromium', () => {
  it('books from the free slots, is rescheduled with SMS and notification, and receives the signed e-copy', async () => {
    requireChromium();
    // Before: 09:00 is full (two others), 10:00 has one place left.
    await service().book(others[0], { agencyCode: h.agencyCode, documentType: 'GKS', date: DAY_BOOK, slot: '09:00' });
    await service().book(others[1], { agencyCode: h.agencyCode, documentType: 'GKS', date: DAY_BOOK, slot: '09:00' });
    await service().book(others[0], { agencyCode: h.agencyCode, documentType: 'BTN', date: DAY_BOOK, slot: '10:00' });

    // 1. The citizen books: agency, document type, day; the free slots come with htmx, each with its places left.
    const citizen = await newPage();
    await citizenLogin(citizen);
    await openPortalMenu(citizen, 'Đặt lịch hẹn chứng thực');
    await seeText(citizen.getByTestId('slots-hint'), 'Chọn cơ quan tiếp nhận và ngày hẹn');
    expect(await citizen.getByLabel('Cơ quan tiếp nhận').locator('option:checked').innerText()).toContain('Châu Thành');
    await citizen.getByLabel('Loại giấy tờ cần chứng thực').selectOption({ label: 'Giấy khai sinh' });
    await typeDate(citizen.locator('#date'), DAY_BOOK);
    const free = citizen.getByTestId('free-slots');
    await seeText(free, '08:00 (còn 2 chỗ)', '10:00 (còn 1 chỗ)', '16:00 (còn 2 chỗ)');
    expect(await citizen.locator('#date').inputValue()).toBe(vn(DAY_BOOK));
    expect(await citizen.getByRole('radio', { name: /09:00/ }).count(), 'a full slot is not offered').toBe(0);
    expect(new URL(citizen.url()).search, 'the slots are an htmx swap, not a page load').toBe('');
    await citizen.getByRole('radio', { name: /08:00/ }).check();
    await shot(citizen, '13-cong-dan-dat-lich');
    await click(citizen.getByTestId('book'));
    await flash(citizen, 'Đã đặt lịch hẹn CTĐT-');
    const flashText = await citizen.locator('.flash.ok').innerText();
    const code = /CTĐT-\d{8}-\d{4}/.exec(flashText)![0];
    expect(flashText).toContain(formatSlot(DAY_BOOK, '08:00'));
    expect(new URL(citizen.url()).pathname).toBe('/cong-dan/lich-hen');
    let row = citizen.locator(`tr[data-code="${code}"]`);
    await seeText(row, 'Giấy khai sinh', formatSlot(DAY_BOOK, '08:00'), 'Chờ xử lý', 'Hủy lịch hẹn');

    // 2. canbo sees it in "Lịch hẹn chờ duyệt" and moves it: new day, a free slot, a reason.
    const canbo = await newPage();
    await staffLogin(canbo, 'canbo');
    await openMenu(canbo, 'Lịch hẹn chờ duyệt');
    const staffRow = canbo.locator(`tr[data-code="${code}"]`);
    await seeText(staffRow, CITIZEN, CMND, formatSlot(DAY_BOOK, '08:00'), 'Công dân');
    await shot(canbo, '14-lich-hen-cho-duyet');
    await staffRow.getByRole('link', { name: 'Dời lịch hẹn', exact: true }).click();
    await seeText(canbo.locator('.breadcrumb'), 'Dời lịch hẹn');
    await seeText(canbo.locator('main'), CITIZEN, PHONE, 'Giấy khai sinh');
    expect(await canbo.locator('input[name=date]').inputValue(), 'today, as dd/mm/yyyy').toBe(vn(vnIsoDate(new Date())));
    await typeDate(canbo.locator('input[name=date]'), DAY_MOVED);
    const slotSelect = canbo.locator('select#slot');
    await expect.poll(() => slotSelect.locator('option[value="10:00"]').count()).toBe(1);
    await seeText(slotSelect, '10:00 (còn 2 chỗ)');
    await slotSelect.selectOption('10:00');
    const reason = 'Cán bộ tư pháp đi công tác đột xuất';
    await canbo.getByLabel('Lý do hẹn').fill(reason);
    await shot(canbo, '15-doi-lich-hen');
    const smsBefore = smsMessages().length;
    await click(canbo.getByTestId('reschedule'));
    await flash(canbo, `Đã dời lịch hẹn ${code} sang ${formatSlot(DAY_MOVED, '10:00')}`);
    await seeText(canbo.locator(`tr[data-code="${code}"]`), formatSlot(DAY_MOVED, '10:00'), reason);

    // ... the SMS is in the outbox, once.
    const sms = smsMessages().filter((m) => m.reference.startsWith(`${code}:reschedule`));
    expect(sms).toHaveLength(1);
    expect(smsMessages().length - smsBefore).toBe(1);
    expect(sms[0].to).toBe(PHONE);
    expect(sms[0].message).toContain(formatSlot(DAY_MOVED, '10:00'));

    // 3. The citizen sees the new time, the reason and the notification.
    await openPortalMenu(citizen, 'Lịch hẹn của tôi');
    row = citizen.locator(`tr[data-code="${code}"]`);
    await seeText(row.getByTestId('new-time'), formatSlot(DAY_MOVED, '10:00'), reason);
    await seeText(row, formatSlot(DAY_BOOK, '08:00'));
    await seeText(citizen.getByTestId('unread'), '1');
    await openPortalMenu(citizen, 'Thông báo');
    const note = citizen.getByTestId('notification');
    await seeText(note, `Lịch hẹn ${code} đã được dời`, formatSlot(DAY_MOVED, '10:00'), reason, 'Mới');
    expect(await citizen.getByTestId('unread').count(), 'read once opened').toBe(0);

    // 4. canbo takes it over: "Xử lý" opens the new-copy form filled from the appointment; attach the scan, TRÌNH KÝ.
    await openMenu(canbo, 'Lịch hẹn chờ duyệt');
    await canbo.locator(`tr[data-code="${code}"]`).getByRole('link', { name: 'Xử lý', exact: true }).click();
    await seeText(canbo.locator('main'), `Xử lý lịch hẹn ${code}`);
    await seeText(canbo.getByTestId('account'), CITIZEN, CMND);
    expect(await canbo.getByLabel('Loại giấy tờ cần chứng thực').locator('option:checked').innerText()).toBe('Giấy khai sinh');
    const scan = path.join(tmp, 'giay-khai-sinh.pdf');
    fs.writeFileSync(scan, await makePdf(2));
    await canbo.locator('input[name=scan]').setInputFiles(scan);
    await click(canbo.getByRole('button', { name: 'TRÌNH KÝ', exact: true }));
    await seeText(canbo.getByTestId('status'), 'Chờ ký');
    const dossierCode = (await canbo.getByTestId('dossier-code').innerText()).trim();
    await flash(canbo, `Đã tạo hồ sơ ${dossierCode}`);
    const taken = await h.db.selectFrom('appointments').select(['status', 'dossier_code']).where('code', '=', code).executeTakeFirstOrThrow();
    expect(taken).toEqual({ status: 'processed', dossier_code: dossierCode });

    // 5. lanhdao signs.
    const lanhdao = await newPage();
    await staffLogin(lanhdao, 'lanhdao');
    await openMenu(lanhdao, 'Bản sao chờ ký');
    await lanhdao.locator(`tr[data-code="${dossierCode}"]`).getByRole('link', { name: 'Xử lý', exact: true }).click();
    await seeText(lanhdao.getByTestId('dossier-code'), dossierCode);
    await click(lanhdao.getByTestId('sign'));
    await flash(lanhdao, `Đã ký số hồ sơ ${dossierCode}`);

    // 6. vanthu seals, then "HOÀN THÀNH VÀ CHUYỂN".
    const vanthu = await newPage();
    await staffLogin(vanthu, 'vanthu');
    await openMenu(vanthu, 'Bản sao chờ đóng dấu');
    await vanthu.locator(`tr[data-code="${dossierCode}"]`).getByRole('link', { name: 'Xử lý', exact: true }).click();
    await seeText(vanthu.getByTestId('dossier-code'), dossierCode);
    await click(vanthu.getByTestId('seal'));
    await flash(vanthu, `và đóng dấu hồ sơ ${dossierCode}`);
    const certificationNumber = (await vanthu.getByTestId('certification-number').innerText()).trim();
    await click(vanthu.getByTestId('deliver'));
    await flash(vanthu, `Đã hoàn thành và chuyển bản CTĐT của hồ sơ ${dossierCode}`);
    await until('the e-copy in the portal inbox', () => h.db.selectFrom('portal_inbox').select('id').where('dossier_code', '=', dossierCode).executeTakeFirst(), 30_000);

    // 7. The citizen's "Bản sao điện tử của tôi" lists it; the download is the e-copy with two valid signatures.
    await openPortalMenu(citizen, 'Bản sao điện tử của tôi');
    const copy = citizen.locator(`tr[data-code="${dossierCode}"]`);
    await seeText(copy, 'Giấy khai sinh', certificationNumber, 'Châu Thành');
    await shot(citizen, '16-cong-dan-ban-sao');
    const [download] = await Promise.all([citizen.waitForEvent('download'), click(copy.getByTestId('download'))]);
    expect(download.suggestedFilename()).toBe(`ban-sao-dien-tu-${dossierCode}.pdf`);
    const file = path.join(tmp, 'ban-sao.pdf');
    await download.saveAs(file);
    expect(fs.readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const sig = pdfsig(file);
    expect(sig.count, sig.out).toBe(2);
    expect(sig.valid, sig.out).toBe(2);
    expect(sig.out).not.toMatch(/Digest Mismatch|Signature is Invalid/);

    // The appointment now reads "Đã tiếp nhận", with its dossier, and can no longer be cancelled.
    await openPortalMenu(citizen, 'Lịch hẹn của tôi');
    row = citizen.locator(`tr[data-code="${code}"]`);
    await seeText(row.getByTestId('status'), 'Đã tiếp nhận', dossierCode);
    expect(await row.getByText('Hủy lịch hẹn').count()).toBe(0);

    for (const p of [citizen, canbo, lanhdao, vanthu]) expect(problemsOf(p)).toEqual([]);
  });

  it('works without JavaScript: "Xem giờ trống" reloads the form; a slot taken meanwhile is refused on the form; cancel', async () => {
    requireChromium();
    const citizen = await newPage({ javaScriptEnabled: false });
    await citizenLogin(citizen);
    await openPortalMenu(citizen, 'Đặt lịch hẹn chứng thực');
    await citizen.getByLabel('Loại giấy tờ cần chứng thực').selectOption({ label: 'Bằng tốt nghiệp' });
    expect(await citizen.locator('#date').getAttribute('type')).toBe('text');
    await citizen.locator('#date').fill(vn(DAY_NOJS));
    await citizen.getByRole('button', { name: 'Xem giờ trống', exact: true }).click();
    await seeText(citizen.getByTestId('free-slots'), '13:00 (còn 2 chỗ)');
    expect(new URL(citizen.url()).searchParams.get('date'), 'without JavaScript the button reloads the page').toBe(vn(DAY_NOJS));
    expect(await citizen.locator('#date').inputValue(), 'the day as typed, dd/mm/yyyy').toBe(vn(DAY_NOJS));
    expect(await citizen.getByLabel('Loại giấy tờ cần chứng thực').locator('option:checked').innerText()).toBe('Bằng tốt nghiệp');
    await citizen.getByRole('radio', { name: /13:00/ }).check();

    // Meanwhile two others take the last places of 13:00.
    for (const o of others) await service().book(o, { agencyCode: h.agencyCode, documentType: 'GKS', date: DAY_NOJS, slot: '13:00' });
    const before = await h.db.selectFrom('appointments').select('code').where('account_username', '=', 'congdan').execute();
    const [refused] = await Promise.all([
      citizen.waitForResponse((r) => new URL(r.url()).pathname === '/cong-dan/dat-lich' && r.request().method() === 'POST'),
      citizen.getByTestId('book').click(),
    ]);
    expect(refused.status()).toBe(409);
    await seeText(citizen.getByTestId('error'), 'Khung giờ đã chọn đã đủ người');
    expect(await citizen.getByRole('radio', { name: /13:00/ }).count(), 'the full slot is gone from the form').toBe(0);
    expect(await citizen.locator('#date').inputValue()).toBe(vn(DAY_NOJS));
    expect(await citizen.getByLabel('Loại giấy tờ cần chứng thực').locator('option:checked').innerText()).toBe('Bằng tốt nghiệp');
    expect(await h.db.selectFrom('appointments').select('code').where('account_username', '=', 'congdan').execute()).toEqual(before);

    await citizen.getByRole('radio', { name: /14:00/ }).check();
    await citizen.getByTestId('book').click();
    await flash(citizen, 'Đã đặt lịch hẹn CTĐT-');
    const code = /CTĐT-\d{8}-\d{4}/.exec(await citizen.locator('.flash.ok').innerText())![0];
    const row = citizen.locator(`tr[data-code="${code}"]`);
    await seeText(row, 'Bằng tốt nghiệp', formatSlot(DAY_NOJS, '14:00'), 'Chờ xử lý');

    // Cancel before the time: the confirmation, then the place is free again.
    await row.locator('summary', { hasText: 'Hủy lịch hẹn' }).click();
    await row.getByRole('button', { name: 'XÁC NHẬN HỦY', exact: true }).click();
    await flash(citizen, `Đã hủy lịch hẹn ${code}`);
    await seeText(citizen.locator(`tr[data-code="${code}"]`).getByTestId('status'), 'Đã hủy');
    const usage = await h.db.selectFrom('slot_usage').select('used').where('day', '=', DAY_NOJS).where('start_time', '=', '14:00').executeTakeFirstOrThrow();
    expect(usage.used).toBe(0);

    expect(problemsOf(citizen)).toEqual([]);
  });
});
