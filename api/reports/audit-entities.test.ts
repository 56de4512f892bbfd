// The audit of administration beyond the agency tree, against the real stack (web app, worker, PostgreSQL): register
// books and a year's closing, the seal and signature images, certificates, appointments (a citizen books and
// cancels, staff reschedule and take over). Each accepted action writes exactly one admin_events row with its
// before/after and actor (a citizen's marked as such); a refused one writes none; Nhật ký quản trị and the audit
// export say them in words.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../../activities/pdf/fixtures.js';
import { vnIsoDate } from '../../domain/vn-time.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, expectRefusal, loginStaff, multipart } from '../../lib/testing/http.js';
import { eventually, workingDays } from '../../lib/testing/time.js';

let h: Harness;
const { call } = apiClient(() => h.baseUrl);
const today = vnIsoDate(new Date());
const [D_BOOK, D_MOVE, D_CANCEL, D_PROCESS] = workingDays(4, 30);

type Row = { id: number; actor: string; actor_kind: string; agency_code: string; entity: string; entity_id: string; action: string; before: any; after: any };
const events = async (entity: string, entityId?: string): Promise<Row[]> => {
  let q = h.db.selectFrom('admin_events').select(['id', 'actor', 'actor_kind', 'agency_code', 'entity', 'entity_id', 'action', 'before', 'after']).where('entity', '=', entity);
  if (entityId) q = q.where('entity_id', '=', entityId);
  return q.orderBy('id').execute() as Promise<Row[]>;
};
const allCount = async () => Number((await h.db.selectFrom('admin_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
/** Runs an action and returns the admin events it wrote (the rows after the last one before it). */
async function written(action: () => Promise<unknown>): Promise<Row[]> {
  const last = Number((await h.db.selectFrom('admin_events').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst())?.m ?? 0);
  await action();
  return h.db.selectFrom('admin_events').select(['id', 'actor', 'actor_kind', 'agency_code', 'entity', 'entity_id', 'action', 'before', 'after'])
    .where('id', '>', last).orderBy('id').execute() as Promise<Row[]>;
}
const ok = <R extends { status: number; body: any }>(r: R, status = 200): R => { expect(r.status, JSON.stringify(r.body)).toBe(status); return r; };

beforeAll(async () => {
  h = await createHarness();
}, 240_000);
afterAll(async () => { await h?.close(); });

describe('register books and years', () => {
  it('created, updated (before/after), closed, deleted, a year closed: one event each, by the seal keeper; refusals none', async () => {
    let id = 0;
    const created = await written(async () => {
      id = ok(await call('vanthu', 'POST', '/register-books', { json: { name: 'Sổ 2020', openDate: '01/01/2020', closeDate: '30/06/2020' } }), 201).body.id;
    });
    expect(created).toEqual([expect.objectContaining({
      entity: 'register_book', entity_id: String(id), action: 'created', actor: 'vanthu', actor_kind: 'staff', agency_code: h.agencyCode, before: null,
      after: expect.objectContaining({ name: 'Sổ 2020/ĐT', startNumber: 1, openDate: '2020-01-01', closeDate: '2020-06-30', closedAt: null }),
    })]);

    // A second open book of the year is refused, and records nothing.
    const before = await allCount();
    expectRefusal(await call('vanthu', 'POST', '/register-books', { json: { name: 'Sổ 2020 thứ hai', openDate: '01/07/2020', closeDate: '31/12/2020' } }), 409, 'conflict');
    expect(await allCount()).toBe(before);

    const updated = await written(async () => ok(await call('vanthu', 'PATCH', `/register-books/${id}`, { json: { closeDate: '31/12/2020' } })));
    expect(updated).toHaveLength(1);
    expect(updated[0]).toMatchObject({ action: 'updated', actor: 'vanthu', before: { closeDate: '2020-06-30', name: 'Sổ 2020/ĐT' }, after: { closeDate: '2020-12-31', name: 'Sổ 2020/ĐT' } });
    // Saved unchanged: nothing happened, nothing recorded.
    expect(await written(async () => ok(await call('vanthu', 'PATCH', `/register-books/${id}`, { json: { closeDate: '31/12/2020' } })))).toEqual([]);

    const year = await written(async () => ok(await call('vanthu', 'POST', '/register-books/years/2020/close')));
    expect(year).toEqual([expect.objectContaining({
      entity: 'register_year', entity_id: '2020', action: 'closed', actor: 'vanthu', agency_code: h.agencyCode,
      before: expect.objectContaining({ year: 2020, closedAt: null, closedBooks: [] }),
      after: expect.objectContaining({ year: 2020, certificationCount: 0, closedAt: expect.any(String), closedBooks: ['Sổ 2020/ĐT'] }),
    })]);
    // Closed twice: refused, nothing recorded.
    const n = await allCount();
    expectRefusal(await call('vanthu', 'POST', '/register-books/years/2020/close'), 409, 'conflict');
    expect(await allCount()).toBe(n);

    const b2021 = ok(await call('vanthu', 'POST', '/register-books', { json: { name: 'Sổ 2021', openDate: '01/01/2021', closeDate: '31/12/2021' } }), 201).body.id;
    const closed = await written(async () => ok(await call('vanthu', 'POST', `/register-books/${b2021}/close`)));
    expect(closed).toEqual([expect.objectContaining({ entity: 'register_book', entity_id: String(b2021), action: 'closed', before: expect.objectContaining({ closedAt: null }), after: expect.objectContaining({ closedAt: expect.any(String), closedCount: 0 }) })]);
    const again = await allCount();
    expectRefusal(await call('vanthu', 'POST', `/register-books/${b2021}/close`), 409, 'conflict');
    expectRefusal(await call('vanthu', 'PATCH', `/register-books/${b2021}`, { json: { name: 'Sổ đã khóa' } }), 409, 'conflict');
    expect(await allCount()).toBe(again);

    const b2022 = ok(await call('vanthu', 'POST', '/register-books', { json: { name: 'Sổ 2022', openDate: '01/01/2022', closeDate: '31/12/2022' } }), 201).body.id;
    const deleted = await written(async () => expect((await call('vanthu', 'DELETE', `/register-books/${b2022}`)).status).toBe(204));
    expect(deleted).toEqual([expect.objectContaining({ entity: 'register_book', entity_id: String(b2022), action: 'deleted', actor: 'vanthu', before: expect.objectContaining({ name: 'Sổ 2022/ĐT' }), after: null })]);
  });
});

describe('seal and signature images', () => {
  const png = (w: number, hgt: number, rgb: [number, number, number]) => makePng(w, hgt, () => [...rgb, 255]);
  const form = (image: Buffer) => multipart({}, 'image', image, 'anh.png', 'image/png');

  it('saved, then replaced: one event each with kind, owner, size, dimensions and SHA-256 (no bytes); a bad PNG none', async () => {
    const first = png(120, 120, [200, 0, 0]);
    const saved = await written(async () => ok(await call('vanthu', 'POST', '/images/seal', { form: form(first) })));
    const had = (await h.db.selectFrom('images').select('sha256').where('kind', '=', 'seal').execute()).length;
    expect(had).toBe(1);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ entity: 'image', entity_id: `seal:${h.agencyCode}`, actor: 'vanthu', agency_code: h.agencyCode });
    expect(saved[0].after).toEqual({ kind: 'seal', owner: h.agencyCode, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), size: first.length, width: 120, height: 120 });
    // The first seal of the agency is 'created' (the demo seed has none), the next 'replaced' with what it replaces.
    expect(saved[0].action).toBe('created');

    const second = png(150, 100, [0, 0, 200]);
    const replaced = await written(async () => ok(await call('vanthu', 'POST', '/images/seal', { form: form(second) })));
    expect(replaced).toEqual([expect.objectContaining({ action: 'replaced', before: saved[0].after, after: expect.objectContaining({ size: second.length, width: 150, height: 100 }) })]);
    expect(JSON.stringify(replaced)).not.toContain(second.subarray(16, 40).toString('base64'));

    const n = await allCount();
    expectRefusal(await call('vanthu', 'POST', '/images/seal', { form: form(Buffer.concat([second.subarray(0, 60), Buffer.alloc(40)])) }), 400, 'bad_file');
    expectRefusal(await call('canbo', 'POST', '/images/seal', { form: form(first) }), 403, 'forbidden');
    expect(await allCount()).toBe(n);

    const sig = await written(async () => ok(await call('lanhdao', 'POST', '/images/signature', { form: form(png(300, 100, [10, 10, 10])) })));
    expect(sig).toEqual([expect.objectContaining({ entity: 'image', entity_id: 'signature:lanhdao', action: 'created', actor: 'lanhdao', agency_code: h.agencyCode, after: expect.objectContaining({ kind: 'signature', owner: 'lanhdao', width: 300, height: 100 }) })]);
  });
});

describe('certificates', () => {
  const p12Form = (p12: Buffer, fields: Record<string, string>) => multipart(fields, 'file', p12, 'chung-thu.p12', 'application/x-pkcs12');

  it('uploaded, chosen for signing, approved: one event each with the certificate\'s facts, never its key; a wrong passphrase none', async () => {
    const leader = await h.actor('lanhdao');
    const k1 = await h.trustServices.store.leaderKey({ username: 'lanhdao-a1', fullName: leader.fullName });
    const n = await allCount();
    expectRefusal(await call('lanhdao', 'POST', '/certificates', { form: p12Form(k1.p12, { purpose: 'personal', passphrase: 'sai mật khẩu' }) }), 400, 'validation', 'passphrase');
    expect(await allCount()).toBe(n);

    let fp1 = '';
    const up1 = await written(async () => { fp1 = ok(await call('lanhdao', 'POST', '/certificates', { form: p12Form(k1.p12, { purpose: 'personal', passphrase: k1.passphrase }) }), 201).body.fingerprint; });
    expect(up1).toEqual([expect.objectContaining({
      entity: 'certificate', entity_id: fp1, action: 'created', actor: 'lanhdao', agency_code: h.agencyCode, before: null,
      after: expect.objectContaining({ fingerprint: fp1, purpose: 'personal', owner: 'lanhdao', commonName: leader.fullName, inUse: true, needsApproval: false, notBefore: expect.any(String), notAfter: expect.any(String), issuer: expect.any(String) }),
    })]);
    const stored = JSON.stringify(up1[0]);
    expect(stored).not.toContain(k1.passphrase);
    expect(stored).not.toMatch(/key|wrapped|der/i);
    // The same file again: refused, nothing recorded.
    const m = await allCount();
    expectRefusal(await call('lanhdao', 'POST', '/certificates', { form: p12Form(k1.p12, { purpose: 'personal', passphrase: k1.passphrase }) }), 409, 'conflict');
    expect(await allCount()).toBe(m);

    const k2 = await h.trustServices.store.leaderKey({ username: 'lanhdao-a2', fullName: leader.fullName });
    const fp2 = ok(await call('lanhdao', 'POST', '/certificates', { form: p12Form(k2.p12, { purpose: 'personal', passphrase: k2.passphrase }) }), 201).body.fingerprint;
    const used = await written(async () => ok(await call('lanhdao', 'POST', `/certificates/${fp1}/use`)));
    expect(used).toEqual([expect.objectContaining({ entity: 'certificate', entity_id: fp1, action: 'put_in_use', actor: 'lanhdao', before: expect.objectContaining({ inUse: false }), after: expect.objectContaining({ inUse: true }) })]);
    expect(fp2).not.toBe(fp1);

    const alias = await h.trustServices.store.leaderKey({ username: 'lanhdao-a3', fullName: 'Lâm P. Thọ' });
    const fp3 = ok(await call('lanhdao', 'POST', '/certificates', { form: p12Form(alias.p12, { purpose: 'personal', passphrase: alias.passphrase }) }), 201).body.fingerprint;
    expect((await events('certificate', fp3))[0].after).toMatchObject({ needsApproval: true, inUse: false });
    const k = await allCount();
    expectRefusal(await call('lanhdao', 'POST', `/certificates/${fp3}/approve`), 403, 'forbidden');
    expect(await allCount()).toBe(k);
    const approved = await written(async () => ok(await call('quantri', 'POST', `/certificates/${fp3}/approve`)));
    expect(approved).toEqual([expect.objectContaining({ entity: 'certificate', entity_id: fp3, action: 'approved', actor: 'quantri', agency_code: h.agencyCode, before: expect.objectContaining({ needsApproval: true, inUse: false }), after: expect.objectContaining({ needsApproval: false, inUse: true, commonName: 'Lâm P. Thọ' }) })]);
  });
});

describe('appointments', () => {
  const book = (user: string, date: string, slot: string) => call(user, 'POST', '/appointments', { json: { agencyCode: h.agencyCode, documentType: 'GKS', date, slot } });

  it('a citizen books and cancels (actor_kind citizen), staff reschedule and take over; refusals none', async () => {
    let code = '';
    const booked = await written(async () => { code = ok(await book('congdan', D_BOOK, '08:00'), 201).body.code; });
    expect(booked).toEqual([expect.objectContaining({
      entity: 'appointment', entity_id: code, action: 'booked', actor: 'congdan', actor_kind: 'citizen', agency_code: h.agencyCode, before: null,
      after: { agencyCode: h.agencyCode, account: 'congdan', documentType: 'Giấy khai sinh', day: D_BOOK, time: '08:00', status: 'booked', rescheduleReason: null, dossierCode: null },
    })]);

    const n = await allCount();
    expectRefusal(await book('congdan', '2020-06-24', '08:00'), 400, 'validation');
    expectRefusal(await call('congdan', 'POST', `/appointments/${encodeURIComponent(code)}/reschedule`, { json: { date: D_MOVE, slot: '09:00', reason: 'Tôi bận việc' } }), 403, 'forbidden');
    expect(await allCount()).toBe(n);

    // The activity records the change: wait for the event, then check there is exactly one.
    ok(await call('canbo', 'POST', `/appointments/${encodeURIComponent(code)}/reschedule`, { json: { date: D_MOVE, slot: '09:00', reason: 'Cán bộ bận họp' } }));
    const moved = await eventually(() => events('appointment', code), (e) => e.length === 2, 'the reschedule recorded', 20_000);
    expect(moved[1]).toMatchObject({ action: 'rescheduled', actor: 'canbo', actor_kind: 'staff', before: { day: D_BOOK, time: '08:00', rescheduleReason: null }, after: { day: D_MOVE, time: '09:00', rescheduleReason: 'Cán bộ bận họp' } });

    const other = ok(await book('congdan', D_CANCEL, '08:00'), 201).body.code;
    ok(await call('congdan', 'POST', `/appointments/${encodeURIComponent(other)}/cancel`));
    const cancelled = await eventually(() => events('appointment', other), (e) => e.length === 2, 'the cancellation recorded', 20_000);
    expect(cancelled[1]).toMatchObject({ action: 'cancelled', actor: 'congdan', actor_kind: 'citizen', before: { status: 'booked' }, after: { status: 'cancelled' } });
    const m = await allCount();
    expectRefusal(await call('congdan', 'POST', `/appointments/${encodeURIComponent(other)}/cancel`), 409, 'wrong_state');
    expect(await allCount()).toBe(m);

    const third = ok(await book('congdan', D_PROCESS, '08:00'), 201).body.code;
    const form = multipart({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS', appointmentCode: third }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf');
    const dossier = ok(await call('canbo', 'POST', '/dossiers', { form }), 201).body.code;
    const processed = await eventually(() => events('appointment', third), (e) => e.length === 2, 'the take-over recorded', 20_000);
    expect(processed[1]).toMatchObject({ action: 'processed', actor: 'canbo', actor_kind: 'staff', before: { status: 'booked', dossierCode: null }, after: { status: 'processed', dossierCode: dossier } });
    // Nothing more comes (a retried activity records once).
    await new Promise((r) => setTimeout(r, 500));
    expect(await events('appointment', code)).toHaveLength(2);
    expect(await events('appointment', other)).toHaveLength(2);
    expect(await events('appointment', third)).toHaveLength(2);
  }, 120_000);
});

describe('shown in words', () => {
  it('Nhật ký quản trị offers the new entities and shows them, a citizen as "Công dân …"', async () => {
    const list = ok(await call('quantri', 'GET', '/admin/audit?entity=appointment&pageSize=100')).body;
    const byCitizen = list.items.find((e: any) => e.action === 'booked');
    expect(byCitizen).toMatchObject({ actor: 'congdan', actorKind: 'citizen', actorName: 'Nguyễn Thị Thu', actorText: 'Công dân Nguyễn Thị Thu (congdan)' });
    expectRefusal(await call('quantri', 'GET', '/admin/audit?entity=hinh-anh'), 400, 'validation');

    const web = await loginStaff(h.baseUrl, 'quantri');
    const page = await web.get('/quan-tri/nhat-ky');
    for (const [value, label] of [['register_book', 'Sổ chứng thực'], ['register_year', 'Khóa sổ năm'], ['image', 'Hình ảnh con dấu, chữ ký'], ['certificate', 'Chứng thư số'], ['appointment', 'Lịch hẹn']]) {
      expect(page.html).toContain(`<option value="${value}" >${label}</option>`);
    }
    const books = await web.get('/quan-tri/nhat-ky?entity=register_year');
    expect(books.html).toContain('Khóa sổ');
    expect(books.html).toContain('Các sổ được khóa: Sổ 2020/ĐT');
    const appts = await web.get('/quan-tri/nhat-ky?entity=appointment');
    expect(appts.html).toContain('Công dân Nguyễn Thị Thu (congdan)');
    expect(appts.html).toContain('Trạng thái: Đã hủy');
    expect(appts.html).toContain('Lý do dời lịch: Cán bộ bận họp');
  });

  it('the audit export lists them in words, the citizen\'s as "Công dân …"', async () => {
    const r = ok(await call('giamsat', 'GET', '/audit'));
    const admin = r.body.items.filter((i: any) => i.source === 'admin');
    const subjects = admin.map((i: any) => i.subject.split(' ').slice(0, 2).join(' '));
    for (const s of ['Sổ chứng', 'Khóa sổ', 'Hình ảnh', 'Chứng thư', 'Lịch hẹn']) expect(subjects).toContain(s);
    const year = admin.find((i: any) => i.subject === 'Khóa sổ năm 2020');
    expect(year?.what).toMatch(/^Khóa sổ: .*Các sổ được khóa: — → Sổ 2020\/ĐT/);
    const seal = admin.find((i: any) => i.subject === `Hình ảnh con dấu, chữ ký seal:${h.agencyCode}` && i.type === 'replaced');
    expect(seal?.what).toMatch(/^Thay thế: .*Chiều rộng \(điểm ảnh\): 120 → 150/);
    const cancel = admin.find((i: any) => i.subject.startsWith('Lịch hẹn') && i.type === 'cancelled');
    expect(cancel).toMatchObject({ actor: 'congdan', actorKind: 'citizen', what: expect.stringContaining('Trạng thái: Chờ xử lý → Đã hủy') });

    const csv = await call('giamsat', 'GET', `/audit?format=csv&from=${today}&to=${today}`);
    expect(csv.status).toBe(200);
    const text = csv.bytes.subarray(3).toString('utf8');
    expect(text).toContain('Công dân Nguyễn Thị Thu (congdan)');
    expect(text).toContain('Chọn dùng để ký');
  });
});
