// The catalogue screens over plain HTTP, as a browser without JavaScript uses them (forms with _csrf, redirects):
// "Danh mục loại giấy tờ" (add, rename, deactivate: the type leaves "Thêm mới bản sao" and the citizen's booking
// form; refusals shown on the page; read-only for an admin who is not a system administrator) and "Lịch làm việc,
// khung giờ hẹn" (the slots table, the agency's days, the national holidays of the year; 404 outside the scope).
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../lib/testing/harness.js';
import { apiClient, csrfOf, loginCitizen, loginStaff, type WebClient } from '../../lib/testing/http.js';
import { workingDays } from '../../lib/testing/time.js';

let h: Harness;
let admin: WebClient;
let subAdmin: WebClient;
const SUB = '000.03.25.K02';
const OTHER = '000.00.44.X04';
const { call } = apiClient(() => h.baseUrl);
const [DAY_OFF, DAY_SLOTS] = workingDays(2, 4);
const dmy = (iso: string) => iso.split('-').reverse().join('/');
const enc = encodeURIComponent;

const world = async () => ({
  types: await h.db.selectFrom('document_types').selectAll().orderBy('code').execute(),
  slots: await h.db.selectFrom('appointment_slots').selectAll().orderBy('agency_code').orderBy('start_time').execute(),
  days: await h.db.selectFrom('agency_days').selectAll().orderBy('day').execute(),
  events: await h.db.selectFrom('admin_events').selectAll().orderBy('id').execute(),
});
/** The options of the page's document type select. */
const typeOptions = (html: string) => [...html.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)<\/option>/g)].map((m) => m[1]).filter(Boolean);
const calendar = (code: string) => `/quan-tri/co-quan/${enc(code)}/lich`;

beforeAll(async () => {
  h = await createHarness();
  await h.db.insertInto('agencies').values({ code: SUB, name: 'UBND xã Hồ Đắc Kiện', portal_code: `K${Date.now() % 100000}`, parent_code: h.agencyCode, kind: 'commune' }).execute();
  await h.db.insertInto('users').values({ username: 'quantri3', full_name: 'Quản trị xã', title: 'Quản trị', password_hash: await bcrypt.hash('demo', 4), agency_code: SUB }).execute();
  await h.db.insertInto('user_roles').values({ username: 'quantri3', agency_code: SUB, role: 'admin' }).execute();
  await h.addAgency(OTHER, []);
  admin = await loginStaff(h.baseUrl, 'quantri');
  subAdmin = await loginStaff(h.baseUrl, 'quantri3');
});
afterAll(async () => { await h?.close(); });

describe('Quản trị → Danh mục loại giấy tờ', () => {
  it('adds, renames and deactivates a type with the forms; the type then leaves "Thêm mới bản sao" and the booking form', async () => {
    const page = await admin.get('/quan-tri/loai-giay-to');
    expect(page.status).toBe(200);
    expect(page.html).toContain('href="/quan-tri/loai-giay-to"');
    expect(page.html).toContain('href="/quan-tri/lich"');
    expect(page.html).toContain('data-code="GKS"');

    const before = await world();
    expect((await admin.post('/quan-tri/loai-giay-to', { code: 'GXN', name: 'Giấy xác nhận' })).status).toBe(403); // no _csrf
    const bad = await admin.post('/quan-tri/loai-giay-to', { _csrf: csrfOf(page.html), code: 'G X N', name: 'Giấy <b>xác nhận</b>' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('Mã loại giấy tờ chỉ gồm chữ cái không dấu');
    expect(bad.html).toMatch(/name="code"[^>]*value="G X N"[^>]*aria-invalid="true"/);
    expect(bad.html).toContain('value="Giấy &lt;b&gt;xác nhận&lt;/b&gt;"');
    const taken = await admin.post('/quan-tri/loai-giay-to', { _csrf: csrfOf(page.html), code: 'GKS', name: 'Trùng' });
    expect(taken.status).toBe(409);
    expect(taken.html).toContain('đã được dùng cho “Giấy khai sinh”');
    expect(await world()).toEqual(before);

    const ok = await admin.post('/quan-tri/loai-giay-to', { _csrf: csrfOf(page.html), code: 'GXN', name: 'Giấy xác nhận' });
    expect(ok.status, ok.html.slice(0, 300)).toBe(303);
    expect(ok.location).toBe('/quan-tri/loai-giay-to');
    const list = await admin.get('/quan-tri/loai-giay-to');
    expect(list.html).toContain('Đã thêm loại giấy tờ “Giấy xác nhận” (mã GXN).');
    const creator = await loginStaff(h.baseUrl, 'canbo');
    expect(typeOptions((await creator.get('/ban-sao/them-moi')).html)).toContain('GXN');

    const renamed = await admin.post('/quan-tri/loai-giay-to/GXN/sua', { _csrf: csrfOf(list.html), name: 'Giấy xác nhận tình trạng hôn nhân', sort: '3' });
    expect(renamed.status, renamed.html.slice(0, 300)).toBe(303);
    const blank = await admin.post('/quan-tri/loai-giay-to/GXN/sua', { _csrf: csrfOf(list.html), name: '', sort: '3' });
    expect(blank.status).toBe(400);
    expect(blank.html).toContain('Vui lòng nhập tên loại giấy tờ.');

    const stopped = await admin.post('/quan-tri/loai-giay-to/GXN/ngung-su-dung', { _csrf: csrfOf(list.html) });
    expect(stopped.status).toBe(303);
    const after = await admin.get('/quan-tri/loai-giay-to');
    expect(after.html).toMatch(/<tr data-code="GXN" class="inactive">[\s\S]*?Ngừng sử dụng/);
    expect(typeOptions((await creator.get('/ban-sao/them-moi')).html)).not.toContain('GXN');
    expect(typeOptions((await creator.get('/ban-sao/them-moi')).html)).toContain('GKS');
    const citizen = await loginCitizen(h.baseUrl, 'congdan');
    const booking = await citizen.get('/cong-dan/dat-lich');
    expect(booking.status).toBe(200);
    expect(typeOptions(booking.html)).toContain('GKS');
    expect(typeOptions(booking.html)).not.toContain('GXN');

    const audit = await admin.get('/quan-tri/nhat-ky?entity=document_type');
    expect(audit.status).toBe(200);
    expect(audit.html).toContain('Loại giấy tờ');
    expect(audit.html).toContain('Giấy xác nhận tình trạng hôn nhân');
    expect((await h.db.selectFrom('admin_events').select(['entity_id', 'action']).where('entity', '=', 'document_type').orderBy('id').execute()))
      .toEqual([{ entity_id: 'GXN', action: 'created' }, { entity_id: 'GXN', action: 'updated' }, { entity_id: 'GXN', action: 'deactivated' }]);
  });

  it('an admin who is not a system administrator sees the list without forms, and a change is refused on the page', async () => {
    const page = await subAdmin.get('/quan-tri/loai-giay-to');
    expect(page.status).toBe(200);
    expect(page.html).toContain('data-code="GKS"');
    expect(page.html).not.toContain('data-testid="document-type-form"');
    expect(page.html).toContain('chỉ quản trị viên hệ thống được thay đổi');
    const before = await world();
    const refused = await subAdmin.post('/quan-tri/loai-giay-to/GKS/ngung-su-dung', { _csrf: csrfOf(page.html) });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('Chỉ quản trị viên hệ thống');
    expect((await subAdmin.post('/quan-tri/loai-giay-to', { _csrf: csrfOf(page.html), code: 'MOI', name: 'Mới' })).status).toBe(403);
    expect(await world()).toEqual(before);
    expect((await (await loginStaff(h.baseUrl, 'canbo')).get('/quan-tri/loai-giay-to')).status).toBe(403);
  });
});

describe('Quản trị → Lịch làm việc, khung giờ hẹn', () => {
  it('the menu leads to the calendar of the scope\'s top: slots, days, the year\'s national holidays', async () => {
    const go = await admin.get('/quan-tri/lich');
    expect(go.status).toBe(303);
    expect(go.location).toBe(calendar(h.agencyCode));
    const page = await admin.get(`${calendar(h.agencyCode)}?nam=2026`);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<tr data-slot="08:00">[\s\S]*?value="2"/);
    expect(page.html).toContain('data-holiday="2026-09-02"');
    expect(page.html).toContain('Quốc khánh (2/9)');
    expect(page.html).toContain(`<option value="${SUB}"`); // the picker offers the scope's agencies
    const picked = await admin.get(`/quan-tri/lich/chon?coQuan=${enc(SUB)}&nam=2026`);
    expect(picked.location).toBe(`${calendar(SUB)}?nam=2026`);
  });

  it('saves the slots table (booking follows), shows a refusal with the rows as typed, and changes nothing then', async () => {
    const page = await admin.get(calendar(h.agencyCode));
    const csrf = csrfOf(page.html);
    const times = ['08:00', '09:00', '10:00', '13:00', '14:00', '15:00', '', '17:00'];
    const caps = ['4', '2', '2', '2', '2', '2', '2', '1'];
    const form = () => { const f = new URLSearchParams({ _csrf: csrf }); times.forEach((t, i) => { f.append('time', t); f.append('capacity', caps[i]); }); return f; };

    const before = await world();
    caps[7] = '0';
    const bad = await admin.post(`${calendar(h.agencyCode)}/khung-gio`, form());
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('phải là số nguyên từ 1 đến 500');
    expect(bad.html).toMatch(/<tr data-slot="17:00">[\s\S]*?name="capacity"[^>]*value="0"[^>]*aria-invalid="true"/);
    expect(await world()).toEqual(before);

    caps[7] = '1';
    const ok = await admin.post(`${calendar(h.agencyCode)}/khung-gio`, form());
    expect(ok.status, ok.html.slice(0, 500)).toBe(303);
    const free = (await call('congdan', 'GET', `/appointments/slots?agencyCode=${enc(h.agencyCode)}&date=${DAY_SLOTS}`)).body.slots;
    expect(free).toEqual([
      { slot: '08:00', remaining: 4 }, { slot: '09:00', remaining: 2 }, { slot: '10:00', remaining: 2 }, { slot: '13:00', remaining: 2 },
      { slot: '14:00', remaining: 2 }, { slot: '15:00', remaining: 2 }, { slot: '17:00', remaining: 1 },
    ]); // 16:00 cleared: removed
    const saved = await admin.get(calendar(h.agencyCode));
    expect(saved.html).toContain('Đã lưu khung giờ hẹn');
    expect(saved.html).not.toContain('data-slot="16:00"');
  });

  it('adds a day off with the form (booking closes that day), removes it; a bad day is shown on the form', async () => {
    const page = await admin.get(calendar(h.agencyCode));
    const before = await world();
    const bad = await admin.post(`${calendar(h.agencyCode)}/ngay`, { _csrf: csrfOf(page.html), day: '30/02/2026', working: 'false', note: 'Sai' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('Ngày không hợp lệ');
    expect(bad.html).toMatch(/name="day"[^>]*value="30\/02\/2026"[^>]*aria-invalid="true"/);
    expect(await world()).toEqual(before);

    const added = await admin.post(`${calendar(h.agencyCode)}/ngay`, { _csrf: csrfOf(page.html), day: dmy(DAY_OFF), working: 'false', note: 'Nghỉ <sơ kết>' });
    expect(added.status, added.html.slice(0, 300)).toBe(303);
    expect(added.location).toBe(`${calendar(h.agencyCode)}?nam=${DAY_OFF.slice(0, 4)}`);
    const shown = await admin.get(added.location!);
    expect(shown.html).toMatch(new RegExp(`<tr data-day="${DAY_OFF}">[\\s\\S]*?Ngày nghỉ[\\s\\S]*?Nghỉ &lt;sơ kết&gt;`));
    expect((await call('congdan', 'GET', `/appointments/slots?agencyCode=${enc(h.agencyCode)}&date=${DAY_OFF}`)).body.slots).toEqual([]);

    const removed = await admin.post(`${calendar(h.agencyCode)}/ngay/${DAY_OFF}/xoa`, { _csrf: csrfOf(shown.html) });
    expect(removed.status).toBe(303);
    expect((await admin.get(removed.location!)).html).not.toContain(`data-day="${DAY_OFF}"`);
    expect((await call('congdan', 'GET', `/appointments/slots?agencyCode=${enc(h.agencyCode)}&date=${DAY_OFF}`)).body.slots.length).toBeGreaterThan(0);
  });

  it('outside the scope is 404, for the page and its forms; the commune admin has no national holiday form', async () => {
    expect((await admin.get(calendar(OTHER))).status).toBe(404);
    expect((await subAdmin.get(calendar(h.agencyCode))).status).toBe(404);
    const own = await subAdmin.get(calendar(SUB));
    expect(own.status).toBe(200);
    expect(own.html).not.toContain('data-testid="holiday-form"');
    const before = await world();
    expect((await subAdmin.post(`${calendar(h.agencyCode)}/ngay`, { _csrf: csrfOf(own.html), day: dmy(DAY_OFF), working: 'false', note: '' })).status).toBe(404);
    expect((await subAdmin.post(`${calendar(h.agencyCode)}/khung-gio`, { _csrf: csrfOf(own.html), time: '08:00', capacity: '1' })).status).toBe(404);
    const holiday = await subAdmin.post('/quan-tri/ngay-le', { _csrf: csrfOf(own.html), day: dmy(DAY_OFF), name: 'Lễ', working: 'false' });
    expect(holiday.status).toBe(403);
    expect(holiday.html).toContain('Chỉ quản trị viên hệ thống');
    expect(await world()).toEqual(before);
  });
});
