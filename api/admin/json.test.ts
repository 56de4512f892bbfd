// Administration of the agency tree through /api/v1/admin on the real stack (web app on a port, worker on the
// Temporal dev server, PostgreSQL): the seeded admin (quantri, admin of the demo agency, a root: the system admin
// of its tree) creates, edits and moves agencies; every refusal answers 4xx {error, message} in Vietnamese and
// changes nothing, audit included; an admin of a subtree sees and touches nothing outside it (404); every
// accepted change is one audit row with before and after, written in the transaction of the change.
import bcrypt from 'bcryptjs';
import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agency } from '../../domain/agency.js';
import type { Role } from '../../domain/types.js';
import { uploadedPdf } from '../../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, expectRefusal, type Reply } from '../../lib/testing/http.js';
import { recordedChange } from './service.js';

let h: Harness;
let D: string; // the demo agency: a root, quantri's
const OTHER = '000.00.77.X07'; // another root, with its own admin
const { call } = apiClient(() => h.baseUrl);
// Portal codes of this run's own (they open dossier codes, which are workflow ids on the shared Temporal server).
const P = `G${crypto.randomBytes(3).toString('hex').toUpperCase()}`;

/** Every accepted change so far, as its audit row must say. */
const accepted: { entityId: string; action: string; before: Agency | null; after: Agency }[] = [];

const agencies = () => h.db.selectFrom('agencies').selectAll().orderBy('code').execute();
const events = () => h.db.selectFrom('admin_events').selectAll().orderBy('id').execute();
/** The whole of what a refusal must leave alone: the agencies and the audit. */
const world = async () => ({ agencies: await agencies(), events: await events() });

async function addUser(username: string, agencyCode: string, roles: Role[]) {
  await h.db.insertInto('users').values({ username, full_name: `Cán bộ ${username}`, title: 'Cán bộ', password_hash: await bcrypt.hash('demo', 4), agency_code: agencyCode }).execute();
  for (const role of roles) await h.db.insertInto('user_roles').values({ username, agency_code: agencyCode, role }).execute();
}

/** A change that must be accepted: its answer, remembered with the state before it for the audit check. */
async function accept(r: Reply, status: number, before: Agency | null, action: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  accepted.push({ entityId: r.body.code, action, before, after: r.body });
  return r.body as Agency;
}
const get = async (code: string, user = 'quantri') => (await call(user, 'GET', `/admin/agencies/${encodeURIComponent(code)}`)).body as Agency;

const commune = (code: string, portalCode: string, parentCode = D) =>
  ({ code, name: `UBND xã ${code}`, parentCode, portalCode, kind: 'commune' as const, address: `Ấp 1, xã ${code}` });

beforeAll(async () => {
  h = await createHarness();
  D = h.agencyCode;
  await h.addAgency(OTHER, [{ username: 'quantri7', roles: ['admin'] }]);
});
afterAll(async () => { await h?.close(); });

// =====================================================================================================

describe('the agency tree', () => {
  it('the admin creates a commune under its agency, edits it and moves it; the tree shows each under its parent', async () => {
    const a = await accept(await call('quantri', 'POST', '/admin/agencies', { json: commune('000.03.25.C01', `${P}.01`) }), 201, null, 'created');
    expect(a).toEqual({ code: '000.03.25.C01', name: 'UBND xã 000.03.25.C01', parentCode: D, portalCode: `${P}.01`, kind: 'commune', address: 'Ấp 1, xã 000.03.25.C01', active: true });
    expect(await get(a.code)).toEqual(a);

    // Rename and a new address (kind and the rest kept).
    const renamed = await accept(await call('quantri', 'PATCH', `/admin/agencies/${a.code}`, { json: { name: 'UBND xã Phú Tân', address: 'Ấp Phú Hòa' } }), 200, a, 'updated');
    expect(renamed).toEqual({ ...a, name: 'UBND xã Phú Tân', address: 'Ấp Phú Hòa' });

    // A second commune, then the first moved under it (a tree of depth 2); the kind defaults to other.
    const b = await accept(await call('quantri', 'POST', '/admin/agencies', { json: { code: '000.03.25.C02', name: 'Cụm xã Châu Thành', parentCode: D, portalCode: `${P}.02` } }), 201, null, 'created');
    expect(b.kind).toBe('other');
    const moved = await accept(await call('quantri', 'PATCH', `/admin/agencies/${a.code}`, { json: { parentCode: b.code } }), 200, renamed, 'moved');
    expect(moved.parentCode).toBe(b.code);

    const tree = await call('quantri', 'GET', '/admin/agencies');
    expect(tree.status).toBe(200);
    const rows = tree.body.map((x: Agency & { depth: number }) => [x.code, x.depth]);
    expect(rows).toEqual([[D, 0], [b.code, 1], [a.code, 2]]);
  });

  it('a change that changes nothing answers 200 and records nothing', async () => {
    const before = await world();
    const a = await get('000.03.25.C01');
    const r = await call('quantri', 'PATCH', `/admin/agencies/${a.code}`, { json: { name: a.name, parentCode: a.parentCode, portalCode: a.portalCode } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual(a);
    expect(await world()).toEqual(before);
  });

  it('refuses a cycle, a duplicate code, a taken or malformed portal code, a root, a code change: nothing changes, nothing is recorded', async () => {
    const before = await world();
    const A = '000.03.25.C01', B = '000.03.25.C02'; // A is under B
    expectRefusal(await call('quantri', 'PATCH', `/admin/agencies/${B}`, { json: { parentCode: A } }), 400, 'validation', /vòng/);
    expectRefusal(await call('quantri', 'PATCH', `/admin/agencies/${B}`, { json: { parentCode: B } }), 400, 'validation', 'parentCode');
    expectRefusal(await call('quantri', 'PATCH', `/admin/agencies/${D}`, { json: { parentCode: A } }), 400, 'validation', 'parentCode');
    expectRefusal(await call('quantri', 'PATCH', `/admin/agencies/${A}`, { json: { parentCode: null } }), 400, 'validation', 'parentCode');
    expectRefusal(await call('quantri', 'PATCH', `/admin/agencies/${A}`, { json: { code: '000.03.25.C09' } }), 400, 'validation', 'code');

    expectRefusal(await call('quantri', 'POST', '/admin/agencies', { json: commune(A, `${P}.99`) }), 409, 'conflict', 'code');
    expectRefusal(await call('quantri', 'POST', '/admin/agencies', { json: commune(OTHER, `${P}.99`) }), 409, 'conflict', 'code'); // codes are unique everywhere
    expectRefusal(await call('quantri', 'POST', '/admin/agencies', { json: commune('000.03.25.C03', `${P}.01`) }), 409, 'conflict', 'portalCode');
    expectRefusal(await call('quantri', 'PATCH', `/admin/agencies/${A}`, { json: { portalCode: `${P}.02` } }), 409, 'conflict', 'portalCode');
    for (const bad of ['g22.29', 'G22-29', 'G22 29', '22.29', 'G22..29', 'G22.', 'G'.repeat(21)]) {
      expectRefusal(await call('quantri', 'POST', '/admin/agencies', { json: commune('000.03.25.C03', bad) }), 400, 'validation', 'portalCode');
    }
    expectRefusal(await call('quantri', 'PATCH', `/admin/agencies/${A}`, { json: { portalCode: 'G22-29' } }), 400, 'validation', 'portalCode');
    expectRefusal(await call('quantri', 'POST', '/admin/agencies', { json: commune('000 03', `${P}.03`) }), 400, 'validation', 'code');
    expectRefusal(await call('quantri', 'POST', '/admin/agencies', { json: { ...commune('000.03.25.C03', `${P}.03`), kind: 'district' } }), 400, 'validation', 'kind');
    expectRefusal(await call('quantri', 'POST', '/admin/agencies', { json: { ...commune('000.03.25.C03', `${P}.03`), name: '' } }), 400, 'validation', 'name');
    expectRefusal(await call('quantri', 'PATCH', `/admin/agencies/${A}`, { json: { active: 'có' } }), 400, 'validation', 'active');
    expect(await world()).toEqual(before);
  });

  it('refuses a portal code that opens another agency\'s dossier codes', async () => {
    // The demo agency takes the portal code P, makes a dossier under it, then takes another: P stays in that code.
    const demo = await get(D);
    await accept(await call('quantri', 'PATCH', `/admin/agencies/${D}`, { json: { portalCode: P } }), 200, demo, 'updated');
    const canbo = await h.actor('canbo');
    const d = await h.service.create(canbo, { applicantKind: 'no_account', fullName: 'Người Đổi Mã', email: 'doima@example.vn', documentType: 'GKS' }, uploadedPdf(h, await makePdf(1)), crypto.randomUUID());
    expect(d.code.startsWith(`${P}-`)).toBe(true);
    await accept(await call('quantri', 'PATCH', `/admin/agencies/${D}`, { json: { portalCode: `${P}.00` } }), 200, { ...demo, portalCode: P }, 'updated');
    const before = await world();
    expectRefusal(await call('quantri', 'POST', '/admin/agencies', { json: commune('000.03.25.C04', P) }), 409, 'conflict', /mã hồ sơ/);
    expect(await world()).toEqual(before);
    // The dossier is still the demo agency's, under its code.
    expect((await h.service.get(canbo, d.code)).code).toBe(d.code);
  });

  it('deactivating says what still holds the agency (open dossiers, active accounts, active agencies under it); reactivating follows the parent', async () => {
    const C = await accept(await call('quantri', 'POST', '/admin/agencies', { json: commune('000.03.25.C05', `${P}.05`) }), 201, null, 'created');
    await addUser('canbo5', C.code, ['creator']);
    const d = await h.service.create(await h.actor('canbo5'), { applicantKind: 'no_account', fullName: 'Người Ở Xã', email: 'oxa@example.vn', documentType: 'GKS' }, uploadedPdf(h, await makePdf(1)), crypto.randomUUID());
    expect(d.code.startsWith(`${P}.05-`)).toBe(true); // the portal code opens the commune's dossier codes

    let before = await world();
    const held = await call('quantri', 'PATCH', `/admin/agencies/${C.code}`, { json: { active: false } });
    expectRefusal(held, 409, 'wrong_state', 'active');
    expect(held.body.message).toContain('1 hồ sơ đang xử lý');
    expect(held.body.message).toContain(d.code);
    expect(held.body.message).toContain('canbo5');
    const parentHeld = await call('quantri', 'PATCH', '/admin/agencies/000.03.25.C02', { json: { active: false } });
    expectRefusal(parentHeld, 409, 'wrong_state', /cơ quan, đơn vị trực thuộc đang hoạt động \(UBND xã Phú Tân\)/);
    expect(await world()).toEqual(before);

    // Moving and renaming keep its dossiers and register books (they refer to the code, which never changes).
    await h.db.insertInto('register_books').values({ agency_code: C.code, name: '01/2026/ĐT', start_number: 1, current_number: 1, open_date: '2026-01-01', close_date: '2026-12-31', created_by: 'quantri' }).execute();
    const moved = await accept(await call('quantri', 'PATCH', `/admin/agencies/${C.code}`, { json: { parentCode: '000.03.25.C02', name: 'UBND phường Mới' } }), 200, C, 'moved');
    expect(moved.code).toBe(C.code);
    expect((await h.service.get(await h.actor('canbo5'), d.code)).code).toBe(d.code);
    expect(await h.db.selectFrom('dossiers').select('agency_code').where('code', '=', d.code).executeTakeFirstOrThrow()).toEqual({ agency_code: C.code });
    expect(await h.db.selectFrom('register_books').select('name').where('agency_code', '=', C.code).execute()).toEqual([{ name: '01/2026/ĐT' }]);

    // An empty agency stops; nothing can be added under it, and its own children must stop first.
    const E = await accept(await call('quantri', 'POST', '/admin/agencies', { json: commune('000.03.25.C06', `${P}.06`) }), 201, null, 'created');
    const stopped = await accept(await call('quantri', 'PATCH', `/admin/agencies/${E.code}`, { json: { active: false } }), 200, E, 'deactivated');
    expect(stopped.active).toBe(false);
    before = await world();
    expectRefusal(await call('quantri', 'POST', '/admin/agencies', { json: commune('000.03.25.C07', `${P}.07`, E.code) }), 409, 'wrong_state', 'parentCode');
    expectRefusal(await call('quantri', 'PATCH', `/admin/agencies/${C.code}`, { json: { parentCode: E.code } }), 409, 'wrong_state', 'parentCode');
    expect(await world()).toEqual(before);
    await accept(await call('quantri', 'PATCH', `/admin/agencies/${E.code}`, { json: { active: true } }), 200, stopped, 'reactivated');
  });
});

// =====================================================================================================

describe('scope', () => {
  it('an agency outside the scope is 404 for reads and writes, and the refusal changes nothing', async () => {
    const before = await world();
    expectRefusal(await call('quantri', 'GET', `/admin/agencies/${OTHER}`), 404, 'not_found');
    expectRefusal(await call('quantri', 'PATCH', `/admin/agencies/${OTHER}`, { json: { name: 'Đổi tên' } }), 404, 'not_found');
    expectRefusal(await call('quantri', 'POST', '/admin/agencies', { json: commune('000.03.25.C08', `${P}.08`, OTHER) }), 404, 'not_found', 'parentCode');
    expectRefusal(await call('quantri', 'PATCH', '/admin/agencies/000.03.25.C01', { json: { parentCode: OTHER } }), 404, 'not_found', 'parentCode');
    expectRefusal(await call('quantri', 'GET', '/admin/agencies/KHONG.CO'), 404, 'not_found');
    // The other root's admin sees its own tree only.
    const theirs = await call('quantri7', 'GET', '/admin/agencies');
    expect(theirs.body.map((a: Agency) => a.code)).toEqual([OTHER]);
    expectRefusal(await call('quantri7', 'GET', `/admin/agencies/${D}`), 404, 'not_found');
    expect((await call('quantri7', 'GET', '/admin/audit')).body.total).toBe(0);
    expect(await world()).toEqual(before);
  });

  it('an admin of a subtree sees and manages that subtree only', async () => {
    const B = '000.03.25.C02';
    await addUser('quantrixa', B, ['admin']);
    const seen = await call('quantrixa', 'GET', '/admin/agencies');
    expect(seen.status).toBe(200);
    expect(seen.body.map((a: Agency & { depth: number }) => [a.code, a.depth])).toEqual([[B, 0], ['000.03.25.C05', 1], ['000.03.25.C01', 1]]) // siblings by name: UBND phường Mới, UBND xã Phú Tân;

    const before = await world();
    for (const code of [D, '000.03.25.C06', OTHER]) {
      expectRefusal(await call('quantrixa', 'GET', `/admin/agencies/${code}`), 404, 'not_found');
      expectRefusal(await call('quantrixa', 'PATCH', `/admin/agencies/${code}`, { json: { address: 'Ngoài phạm vi' } }), 404, 'not_found');
    }
    expectRefusal(await call('quantrixa', 'POST', '/admin/agencies', { json: commune('000.03.25.C09', `${P}.09`, D) }), 404, 'not_found', 'parentCode');
    // Its own top cannot move: every parent it could name is outside its scope or under it.
    expectRefusal(await call('quantrixa', 'PATCH', `/admin/agencies/${B}`, { json: { parentCode: '000.03.25.C06' } }), 404, 'not_found', 'parentCode');
    expectRefusal(await call('quantrixa', 'PATCH', `/admin/agencies/${B}`, { json: { parentCode: '000.03.25.C01' } }), 400, 'validation', /vòng/);
    expect(await world()).toEqual(before);

    // Inside it: creates under its top and under its communes, edits them.
    const x = await get('000.03.25.C01', 'quantrixa');
    await accept(await call('quantrixa', 'PATCH', `/admin/agencies/${x.code}`, { json: { kind: 'province' } }), 200, x, 'updated');
    await accept(await call('quantrixa', 'POST', '/admin/agencies', { json: commune('000.03.25.C10', `${P}.10`, x.code) }), 201, null, 'created');

    // Its audit list: the events about agencies of its subtree only (not those of the demo agency or of C06).
    const audit = await call('quantrixa', 'GET', '/admin/audit?pageSize=100');
    expect(audit.status).toBe(200);
    const subtree = ['000.03.25.C01', '000.03.25.C02', '000.03.25.C05', '000.03.25.C10'];
    expect(audit.body.items.length).toBeGreaterThan(0);
    expect(audit.body.items.every((e: { entityId: string }) => subtree.includes(e.entityId))).toBe(true);
    expect(audit.body.total).toBe(accepted.filter((c) => subtree.includes(c.entityId)).length);
  });

  it('a staff member without the admin role gets 403 on every admin route, and changes nothing', async () => {
    const before = await world();
    for (const user of ['canbo', 'lanhdao', 'vanthu', 'giamsat']) {
      expectRefusal(await call(user, 'GET', '/admin/agencies'), 403, 'forbidden');
      expectRefusal(await call(user, 'GET', `/admin/agencies/${D}`), 403, 'forbidden');
      expectRefusal(await call(user, 'POST', '/admin/agencies', { json: commune('000.03.25.C11', `${P}.11`) }), 403, 'forbidden');
      expectRefusal(await call(user, 'PATCH', `/admin/agencies/${D}`, { json: { name: 'Đổi tên' } }), 403, 'forbidden');
      expectRefusal(await call(user, 'GET', '/admin/audit'), 403, 'forbidden');
      expectRefusal(await call(user, 'GET', '/admin/audit.xlsx'), 403, 'forbidden');
    }
    expectRefusal(await call(null, 'GET', '/admin/agencies'), 401, 'unauthenticated');
    expect(await world()).toEqual(before);
  });
});

// =====================================================================================================

describe('the audit of administration', () => {
  it('every accepted change is one row with the actor, before and after, in order; nothing else is recorded', async () => {
    const rows = await events();
    expect(rows.map((e) => ({ entityId: e.entity_id, action: e.action, before: e.before, after: e.after }))).toEqual(accepted);
    expect(rows.every((e) => e.entity === 'agency' && e.agency_code === e.entity_id)).toBe(true);
    expect(rows.filter((e) => e.actor === 'quantrixa').map((e) => e.entity_id)).toEqual(['000.03.25.C01', '000.03.25.C10']);
  });

  it('GET /admin/audit lists newest first, paged, filtered by entity and id', async () => {
    const all = await call('quantri', 'GET', '/admin/audit?pageSize=100');
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(accepted.length);
    const ids = all.body.items.map((e: { id: number }) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(all.body.items[0]).toMatchObject({ actor: 'quantrixa', actorName: 'Cán bộ quantrixa', entity: 'agency', entityId: '000.03.25.C10', action: 'created', before: null });

    const one = await call('quantri', 'GET', '/admin/audit?entity=agency&entityId=000.03.25.C01');
    expect(one.body.items.map((e: { action: string }) => e.action)).toEqual(['updated', 'moved', 'updated', 'created']);
    expect(one.body.items[2]).toMatchObject({ before: { name: 'UBND xã 000.03.25.C01', address: 'Ấp 1, xã 000.03.25.C01' }, after: { name: 'UBND xã Phú Tân', address: 'Ấp Phú Hòa' } });

    const page2 = await call('quantri', 'GET', '/admin/audit?pageSize=2&page=2');
    expect(page2.body).toMatchObject({ total: accepted.length, page: 2, pageSize: 2 });
    expect(page2.body.items.map((e: { id: number }) => e.id)).toEqual(ids.slice(2, 4));
    expectRefusal(await call('quantri', 'GET', '/admin/audit?entity=khac'), 400, 'validation', 'entity');
  });

  it('exports the list as Excel, newest first, with before and after', async () => {
    const r = await call('quantri', 'GET', '/admin/audit.xlsx?entity=agency&entityId=000.03.25.C01');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.bytes as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Nhật ký quản trị')!;
    const head = 3 + 4 + 1; // title, the header block of four rows, a blank row
    expect(ws.getRow(head).getCell(6).value).toBe('Thao tác');
    expect([1, 2, 3, 4].map((i) => ws.getRow(head + i).getCell(6).value)).toEqual(['Sửa thông tin', 'Chuyển cơ quan cấp trên', 'Sửa thông tin', 'Thêm mới']);
    expect(String(ws.getRow(head + 3).getCell(7).value)).toContain('Tên: UBND xã 000.03.25.C01');
    expect(String(ws.getRow(head + 3).getCell(8).value)).toContain('Tên: UBND xã Phú Tân');
    expect(ws.getRow(head + 5).getCell(1).value ?? null).toBeNull();
  });

  it('the change and its record are one transaction: when either fails, neither is kept', async () => {
    const quantri = await h.actor('quantri');
    const before = await world();
    // The change fails after the update: the update is undone.
    await expect(recordedChange(h.db, quantri, async (trx) => {
      await trx.updateTable('agencies').set({ name: 'Không được giữ' }).where('code', '=', '000.03.25.C01').execute();
      throw new Error('the change fails half way');
    })).rejects.toThrow('half way');
    // The record fails (its agency is no agency: admin_events.agency_code references agencies; the actor no longer
    // does, since citizens act too): the accepted change is undone with it.
    await expect(recordedChange(h.db, quantri, async (trx) => {
      await trx.updateTable('agencies').set({ name: 'Không được giữ' }).where('code', '=', '000.03.25.C01').execute();
      const agency = (await h.db.selectFrom('agencies').select('code').where('code', '=', '000.03.25.C01').executeTakeFirstOrThrow()).code;
      return { value: null, agencyCode: 'KHONG-TON-TAI', event: { entity: 'slots', entityId: agency, action: 'updated', before: {}, after: {} } };
    })).rejects.toThrow(/foreign key/);
    expect(await world()).toEqual(before);
  });
});
