// The templates through /api/v1/admin/templates on the real stack (web app on a port, worker on the Temporal dev
// server, PostgreSQL): every admin reads the latest version and the list, only a system administrator (quantri,
// admin of a root agency) publishes version N+1; versions never change; a refused draft (the law's sentence
// missing, an unknown placeholder, a repeated register field, nothing new) answers 4xx {error, message} and changes
// nothing, audit included; each publication is one audit row; the preview draws a draft without publishing it.
import bcrypt from 'bcryptjs';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTESTATION_SENTENCE } from '../../domain/attestation.js';
import { ATTESTATION_TEMPLATE_V1, REGISTER_LAYOUT_V1 } from '../../domain/templates.js';
import { createHarness, type Harness } from '../../lib/testing/harness.js';
import { apiClient, expectRefusal } from '../../lib/testing/http.js';

let h: Harness;
const { call } = apiClient(() => h.baseUrl);
const SUB = '000.03.25.T01'; // a commune under the demo agency, with its own admin (not a system administrator)

const templates = () => h.db.selectFrom('templates').selectAll().orderBy('kind').orderBy('version').execute();
const events = () => h.db.selectFrom('admin_events').selectAll().orderBy('id').execute();
const world = async () => ({ templates: await templates(), events: await events() });

const v2 = { header: ['{agencyName}', 'LỜI CHỨNG'], body: [ATTESTATION_SENTENCE, 'Giấy tờ được chứng thực: {documentTypeName}', 'Mã chứng thực: {dossierCode}'], dateLine: 'Sóc Trăng, {date}' };

beforeAll(async () => {
  h = await createHarness();
  await h.db.insertInto('agencies').values({ code: SUB, name: 'UBND xã Thuận Hòa', parent_code: h.agencyCode, portal_code: `T${crypto.randomBytes(3).toString('hex').toUpperCase()}` }).execute();
  await h.db.insertInto('users').values({ username: 'quantrixa', full_name: 'Quản trị xã', title: 'Công chức', password_hash: await bcrypt.hash('demo', 4), agency_code: SUB }).execute();
  await h.db.insertInto('user_roles').values({ username: 'quantrixa', agency_code: SUB, role: 'admin' }).execute();
});
afterAll(async () => { await h?.close(); });

describe('reading the templates', () => {
  it('version 1 of each is installed: the text and the layout the product printed before', async () => {
    const a = await call('quantri', 'GET', '/admin/templates/attestation');
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(a.body).toMatchObject({ kind: 'attestation', latest: { kind: 'attestation', version: 1, body: ATTESTATION_TEMPLATE_V1, publishedBy: null }, canPublish: true });
    expect(a.body.versions.map((v: { version: number }) => v.version)).toEqual([1]);
    const r = await call('quantri', 'GET', '/admin/templates/register_book/1');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ kind: 'register_book', version: 1, body: REGISTER_LAYOUT_V1 });
  });

  it('an admin of a subtree reads them but may not publish; staff without the admin role get 403', async () => {
    const sub = await call('quantrixa', 'GET', '/admin/templates/attestation');
    expect(sub.status).toBe(200);
    expect(sub.body.canPublish).toBe(false);
    expectRefusal(await call('canbo', 'GET', '/admin/templates/attestation'), 403, 'forbidden');
    const before = await world();
    expectRefusal(await call('quantrixa', 'POST', '/admin/templates/attestation', { json: v2 }), 403, 'forbidden', /quản trị viên hệ thống/);
    expectRefusal(await call('canbo', 'POST', '/admin/templates/attestation', { json: v2 }), 403, 'forbidden');
    expect(await world()).toEqual(before);
  });

  it('an unknown kind is 400 and a version never published 404', async () => {
    expectRefusal(await call('quantri', 'GET', '/admin/templates/letter'), 400, 'validation');
    expectRefusal(await call('quantri', 'GET', '/admin/templates/attestation/99'), 404, 'not_found');
    expectRefusal(await call('quantri', 'GET', '/admin/templates/attestation/abc'), 400, 'validation');
  });
});

describe('publishing a version', () => {
  it('refuses a draft that breaks a rule, changing and recording nothing', async () => {
    const before = await world();
    const post = (json: unknown, kind = 'attestation') => call('quantri', 'POST', `/admin/templates/${kind}`, { json });
    const noSentence = await post({ ...v2, body: ['Bản sao này đúng với bản chính.', 'Mã: {dossierCode}'] });
    expectRefusal(noSentence, 400, 'validation', 'body');
    expect(noSentence.body.message).toContain(ATTESTATION_SENTENCE);
    expectRefusal(await post({ ...v2, body: [ATTESTATION_SENTENCE, 'Người yêu cầu: {applicantName}'] }), 400, 'validation', /\{applicantName\}/);
    expectRefusal(await post({ ...v2, dateLine: 'x'.repeat(201) }), 400, 'validation', 'dateLine');
    expectRefusal(await post(ATTESTATION_TEMPLATE_V1), 409, 'conflict', /phiên bản 1/);
    expectRefusal(await post({ columns: [{ field: 'fee', header: 'Lệ phí', width: 12 }, { field: 'fee', header: 'Phí', width: 12 }] }, 'register_book'), 400, 'validation', /Cột 2/);
    expectRefusal(await post({ columns: [{ field: 'applicant_password', header: 'x', width: 12 }] }, 'register_book'), 400, 'validation');
    expectRefusal(await post([], 'register_book'), 400, 'validation');
    expect(await world()).toEqual(before);
  });

  it('makes version 2, keeps version 1 as it was, and records the publication with before and after', async () => {
    const before = await events();
    const made = await call('quantri', 'POST', '/admin/templates/attestation', { json: v2 });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toEqual({ version: 2 });

    const now = await call('quantri', 'GET', '/admin/templates/attestation');
    expect(now.body.latest).toMatchObject({ version: 2, body: v2, publishedBy: 'quantri' });
    expect(now.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect((await call('quantri', 'GET', '/admin/templates/attestation/1')).body.body).toEqual(ATTESTATION_TEMPLATE_V1);

    const added = (await events()).slice(before.length);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      actor: 'quantri', agency_code: h.agencyCode, entity: 'template', entity_id: 'attestation', action: 'published',
      before: { version: 1, body: ATTESTATION_TEMPLATE_V1.body.join('\n') }, after: { version: 2, body: v2.body.join('\n'), dateLine: 'Sóc Trăng, {date}' },
    });
    const audit = await call('quantri', 'GET', '/admin/audit?entity=template');
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((e: { entityId: string; action: string }) => [e.entityId, e.action])).toEqual([['attestation', 'published']]);

    // The register layout: its own versions.
    const layout = { columns: [{ field: 'certificationNumber', header: 'Số CT', width: 12 }, { field: 'applicantName', header: 'Người yêu cầu', width: 30 }] };
    const reg = await call('quantri', 'POST', '/admin/templates/register_book', { json: layout });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    expect(reg.body).toEqual({ version: 2 });
    expect((await call('quantrixa', 'GET', '/admin/templates/register_book')).body.latest.body).toEqual(layout);
  });
});

describe('the preview of a draft (POST /admin/templates/attestation/preview)', () => {
  it('draws the page a draft would print as a PNG without publishing it; a bad draft is 400', async () => {
    const before = await world();
    const draft = { ...v2, body: [...v2.body, 'Dòng thử nghiệm xem trước'] };
    const png = await call('quantrixa', 'POST', '/admin/templates/attestation/preview', { json: draft });
    expect(png.status, png.body?.toString?.().slice(0, 200)).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(png.bytes.readUInt32BE(16)).toBeGreaterThan(800); // an A4 page, as the dossier's preview draws it
    // Another draft, another picture: the text is the draft's.
    const other = await call('quantrixa', 'POST', '/admin/templates/attestation/preview', { json: { ...draft, body: [ATTESTATION_SENTENCE] } });
    expect(other.status).toBe(200);
    expect(other.bytes.equals(png.bytes)).toBe(false);
    expectRefusal(await call('quantrixa', 'POST', '/admin/templates/attestation/preview', { json: { ...draft, body: ['Không có câu bắt buộc'] } }), 400, 'validation');
    expectRefusal(await call('canbo', 'POST', '/admin/templates/attestation/preview', { json: draft }), 403, 'forbidden');
    expect(await world()).toEqual(before);
  });
});
