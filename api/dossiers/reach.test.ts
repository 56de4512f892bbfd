// A supervisor of a parent agency reads its children's dossiers (lists, pages, history) and not a sibling's; it
// cannot act on them; "Theo dõi" offers the agencies of its reach as a filter. Staff read their own agency only.
import bcrypt from 'bcryptjs';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../domain/types.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, expectRefusal, loginStaff, multipart } from '../../lib/testing/http.js';

let h: Harness;
const { call } = apiClient(() => h.baseUrl);
const P = `G${crypto.randomBytes(3).toString('hex').toUpperCase()}`;
const CHILD = '000.03.25.R01';
const SIBLING_ROOT = '000.00.33.X03';

async function addUser(username: string, agencyCode: string, roles: Role[]) {
  await h.db.insertInto('users').values({ username, full_name: `Cán bộ ${username}`, title: 'Cán bộ', password_hash: await bcrypt.hash('demo', 4), agency_code: agencyCode }).execute();
  for (const role of roles) await h.db.insertInto('user_roles').values({ username, agency_code: agencyCode, role }).execute();
}
const create = async (user: string, name: string) => {
  const r = await call(user, 'POST', '/dossiers', { form: multipart({ applicantKind: 'no_account', fullName: name, email: 'a@example.vn', documentType: 'GKS' }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf') });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.code as string;
};

let own: string, child: string, sibling: string;

beforeAll(async () => {
  h = await createHarness();
  expect((await call('quantri', 'POST', '/admin/agencies', { json: { code: CHILD, name: 'UBND xã Thiện Mỹ', parentCode: h.agencyCode, portalCode: `${P}.01`, kind: 'commune' } })).status).toBe(201);
  await addUser('xa_canbo', CHILD, ['creator']);
  await h.addAgency(SIBLING_ROOT, [{ username: 'khac_canbo', roles: ['creator'] }, { username: 'khac_giamsat', roles: ['supervisor'] }]);
  own = await create('canbo', 'Hồ sơ của huyện');
  child = await create('xa_canbo', 'Hồ sơ của xã');
  sibling = await create('khac_canbo', 'Hồ sơ nơi khác');
});
afterAll(async () => { await h?.close(); });

describe("a supervisor's reach", () => {
  it('lists its agency and the agencies under it, one of them when asked; never a sibling tree', async () => {
    const all = await call('giamsat', 'GET', '/dossiers?pageSize=100');
    const codes = all.body.items.map((d: { code: string }) => d.code);
    expect(codes).toEqual(expect.arrayContaining([own, child]));
    expect(codes).not.toContain(sibling);
    const one = await call('giamsat', 'GET', `/dossiers?agencyCode=${CHILD}`);
    expect(one.body.items.map((d: { code: string }) => d.code)).toEqual([child]);
    expectRefusal(await call('giamsat', 'GET', `/dossiers?agencyCode=${SIBLING_ROOT}`), 404, 'not_found');
    // Staff read their own agency only, and cannot widen it.
    expect((await call('canbo', 'GET', '/dossiers?pageSize=100')).body.items.map((d: { code: string }) => d.code)).not.toContain(child);
    expectRefusal(await call('canbo', 'GET', `/dossiers?agencyCode=${CHILD}`), 404, 'not_found');
    // The other tree's supervisor sees its own only.
    expect((await call('khac_giamsat', 'GET', '/dossiers')).body.items.map((d: { code: string }) => d.code)).toEqual([sibling]);
  });

  it("reads a child agency's dossier and its history, but may not act on it", async () => {
    expect((await call('giamsat', 'GET', `/dossiers/${child}`)).body).toMatchObject({ code: child, agencyCode: CHILD });
    expect((await call('giamsat', 'GET', `/dossiers/${child}/history`)).status).toBe(200);
    expectRefusal(await call('giamsat', 'GET', `/dossiers/${sibling}`), 403, 'wrong_agency');
    expectRefusal(await call('khac_giamsat', 'GET', `/dossiers/${child}/history`), 404, 'not_found');
    expectRefusal(await call('lanhdao', 'GET', `/dossiers/${child}`), 403, 'wrong_agency');
    expectRefusal(await call('giamsat', 'POST', `/dossiers/${child}/cancel`, { json: { reason: 'Không được phép' } }), 403, 'forbidden');
  });

  it('"Theo dõi hồ sơ" offers the agencies of the reach as a filter and names each row\'s agency', async () => {
    const b = await loginStaff(h.baseUrl, 'giamsat');
    const page = await b.get('/ho-so/theo-doi?pageSize=100');
    expect(page.html).toContain('data-testid="agency-filter"');
    expect(page.html).toContain(`<option value="${CHILD}">— UBND xã Thiện Mỹ</option>`);
    expect(page.html).toContain(child);
    expect(page.html).not.toContain(sibling);
    const filtered = await b.get(`/ho-so/theo-doi?agencyCode=${CHILD}`);
    expect(filtered.html).toContain(child);
    expect(filtered.html).not.toContain(own);
    expect((await b.get(`/ho-so/${child}`)).status).toBe(200);
    const clerk = await loginStaff(h.baseUrl, 'canbo');
    expect((await clerk.get('/ho-so/theo-doi')).html).not.toContain('data-testid="agency-filter"');
  });
});
