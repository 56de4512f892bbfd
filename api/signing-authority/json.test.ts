// A deputy signs for the head (ký thay, issue 13 point 2), on the real stack (web, worker, Temporal, PostgreSQL): an
// admin names the agency's head; the head's signed PDF prints the head's title, a deputy's prints "KT. <HEAD>" then the
// deputy's title, a planned "TL." delegation prints "TL." for its period and no longer once revoked (pdftotext reads
// the signed PDFs); a collective body puts "TM." above; bad input is refused with its reason and changes nothing;
// every accepted change is in the admin audit; the leaders' queue says who signs today.
import bcrypt from 'bcryptjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vnIsoDate } from '../../domain/vn-time.js';
import { poppler } from '../../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, expectRefusal, loginStaff, multipart } from '../../lib/testing/http.js';

let h: Harness;
let tmp: string;
const { call } = apiClient(() => h.baseUrl);
const AUTHORITY = () => `/admin/agencies/${h.agencyCode}/signing-authority`;
const DELEGATIONS = () => `/admin/agencies/${h.agencyCode}/delegations`;
const day = (offset: number) => vnIsoDate(new Date(Date.now() + offset * 86_400_000));

beforeAll(async () => {
  h = await createHarness();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ctdt-kythay-'));
  // A deputy with the signer role beside the demo head (lanhdao, "Trưởng phòng Tư pháp").
  await h.db.insertInto('users').values({ username: 'phophong', full_name: 'Đỗ Minh Phó', title: 'Phó Trưởng phòng Tư pháp', password_hash: await bcrypt.hash('demo', 4), agency_code: h.agencyCode }).execute();
  await h.db.insertInto('user_roles').values({ username: 'phophong', agency_code: h.agencyCode, role: 'signer' }).execute();
});
afterAll(async () => { await h?.close(); if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

/** A new dossier signed by `signer`; the text of its signed PDF (whitespace folded) and its signedBy. */
async function signedBy(signer: string): Promise<{ text: string; title: string }> {
  const form = multipart({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf');
  const created = await call('canbo', 'POST', '/dossiers', { form });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const at = `/dossiers/${encodeURIComponent(created.body.code)}`;
  const signed = await call(signer, 'POST', `${at}/sign`);
  expect(signed.status, JSON.stringify(signed.body)).toBe(200);
  expect(signed.body.signedBy.username).toBe(signer);
  const pdf = await call('canbo', 'GET', `${at}/pdf`);
  expect(pdf.status).toBe(200);
  const file = path.join(tmp, `${created.body.code.replace(/\W/g, '_')}.pdf`);
  fs.writeFileSync(file, pdf.bytes);
  return { text: poppler('pdftotext', [file, '-']).replace(/\s+/g, ' '), title: signed.body.signedBy.title };
}

const auditOf = (entity: string) => h.db.selectFrom('admin_events').selectAll().where('entity', '=', entity).orderBy('id').execute();

describe('who signs for the agency', () => {
  it('without a head, the signer’s own title prints as before', async () => {
    const s = await signedBy('phophong');
    expect(s.title).toBe('Phó Trưởng phòng Tư pháp');
    expect(s.text).toContain('Phó Trưởng phòng Tư pháp');
    expect(s.text).not.toContain('KT.');
  });

  it('only an admin of the scope reads or changes it; a head must be one of the agency’s signers', async () => {
    expectRefusal(await call('lanhdao', 'GET', AUTHORITY()), 403, 'forbidden');
    expectRefusal(await call('quantri', 'GET', '/admin/agencies/KHONG-CO/signing-authority'), 404, 'not_found');
    expectRefusal(await call('quantri', 'PUT', AUTHORITY(), { json: { headUsername: 'canbo' } }), 400, 'validation', 'headUsername');
    expectRefusal(await call('quantri', 'PUT', AUTHORITY(), { json: { headUsername: 42 } }), 400, 'validation', 'headUsername');
    expectRefusal(await call('quantri', 'PUT', AUTHORITY(), { json: { headUsername: 'lanhdao', collective: 'x'.repeat(121) } }), 400, 'validation', 'collective');
    expectRefusal(await call('quantri', 'POST', DELEGATIONS(), { json: { deputyUsername: 'phophong', fromDay: day(0), toDay: day(1) } }), 409, 'conflict');
    const a = await call('quantri', 'GET', AUTHORITY());
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ headUsername: null, collective: null, delegations: [] });
    expect(a.body.signers.map((s: { username: string }) => s.username).sort()).toEqual(['lanhdao', 'phophong']);
    expect(await auditOf('signing_authority')).toEqual([]);
  });

  it('with the head named: the head signs in the head’s title, a deputy “KT.” for the head; audited', async () => {
    const r = await call('quantri', 'PUT', AUTHORITY(), { json: { headUsername: 'lanhdao', collective: '' } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ headUsername: 'lanhdao', collective: null });
    const [e] = await auditOf('signing_authority');
    expect(e).toMatchObject({ actor: 'quantri', agency_code: h.agencyCode, entity_id: h.agencyCode, action: 'updated',
      before: { headUsername: null, collective: null }, after: { headUsername: 'lanhdao', collective: null } });

    const head = await signedBy('lanhdao');
    expect(head.title).toBe('TRƯỞNG PHÒNG TƯ PHÁP');
    expect(head.text).toContain('TRƯỞNG PHÒNG TƯ PHÁP');
    expect(head.text).not.toContain('KT.');
    const deputy = await signedBy('phophong');
    expect(deputy.title).toBe('KT. TRƯỞNG PHÒNG TƯ PHÁP\nPHÓ TRƯỞNG PHÒNG TƯ PHÁP');
    expect(deputy.text).toContain('KT. TRƯỞNG PHÒNG TƯ PHÁP PHÓ TRƯỞNG PHÒNG TƯ PHÁP');
  });

  it('a planned “TL.” delegation prints for its period, is shown in the queue, and stops when revoked; bad plans refused', async () => {
    const refusals: [Record<string, unknown>, string][] = [
      [{ deputyUsername: 'lanhdao', fromDay: day(0), toDay: day(1) }, 'deputyUsername'],
      [{ deputyUsername: 'canbo', fromDay: day(0), toDay: day(1) }, 'deputyUsername'],
      [{ deputyUsername: 'phophong', kind: 'XX', fromDay: day(0), toDay: day(1) }, 'kind'],
      [{ deputyUsername: 'phophong', fromDay: '31/02/2026', toDay: day(1) }, 'fromDay'],
      [{ deputyUsername: 'phophong', fromDay: day(2), toDay: day(1) }, 'toDay'],
      [{ deputyUsername: 'phophong', fromDay: day(-5), toDay: day(-1) }, 'toDay'],
    ];
    for (const [json, field] of refusals) expectRefusal(await call('quantri', 'POST', DELEGATIONS(), { json }), 400, 'validation', field);
    expect(await auditOf('delegation')).toEqual([]);

    const [y, m, d] = day(3).split('-');
    const made = await call('quantri', 'POST', DELEGATIONS(), { json: { deputyUsername: 'phophong', kind: 'TL', fromDay: day(0), toDay: `${d}/${m}/${y}`, note: 'Trưởng phòng đi công tác' } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({ deputyUsername: 'phophong', kind: 'TL', fromDay: day(0), toDay: day(3), createdBy: 'quantri', revokedAt: null });
    const queue = await (await loginStaff(h.baseUrl, 'lanhdao')).get('/ho-so/cho-ky');
    expect(queue.status).toBe(200);
    expect(queue.html).toMatch(/data-testid="signers-today">Người ký hôm nay: Lâm Phước Thọ \(Trưởng phòng Tư pháp\); Thừa lệnh \(TL\.\): Đỗ Minh Phó/);

    expect((await signedBy('phophong')).text).toContain('TL. TRƯỞNG PHÒNG TƯ PHÁP PHÓ TRƯỞNG PHÒNG TƯ PHÁP');

    expectRefusal(await call('quantri', 'POST', '/admin/delegations/999999/revoke'), 404, 'not_found');
    expectRefusal(await call('lanhdao', 'POST', `/admin/delegations/${made.body.id}/revoke`), 403, 'forbidden');
    const revoked = await call('quantri', 'POST', `/admin/delegations/${made.body.id}/revoke`);
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(revoked.body).toMatchObject({ revokedBy: 'quantri' });
    expect((await signedBy('phophong')).text).toContain('KT. TRƯỞNG PHÒNG TƯ PHÁP PHÓ TRƯỞNG PHÒNG TƯ PHÁP');
    const events = await auditOf('delegation');
    expect(events.map((e) => e.action)).toEqual(['created', 'revoked']);
    expect(events[1]).toMatchObject({ entity_id: String(made.body.id), before: { revoked: false, kind: 'TL' }, after: { revoked: true } });
  });

  it('a collective body heads the block with “TM.”: the admin screen shows what each signer’s attestation will say', async () => {
    const admin = await loginStaff(h.baseUrl, 'quantri');
    const page = await admin.get(`/quan-tri/nguoi-ky?coQuan=${h.agencyCode}`);
    expect(page.status).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1];
    const saved = await admin.post('/quan-tri/nguoi-ky', { _csrf: csrf, agencyCode: h.agencyCode, headUsername: 'lanhdao', collective: 'Ủy ban nhân dân' });
    expect(saved.status, saved.html.slice(0, 300)).toBe(303);
    const after = await admin.get(saved.location!);
    expect(after.html).toContain('<strong>TM. ỦY BAN NHÂN DÂN</strong><br><strong>KT. TRƯỞNG PHÒNG TƯ PHÁP</strong><br><strong>PHÓ TRƯỞNG PHÒNG TƯ PHÁP</strong>');
    // A refused form shows the page again with the reason, nothing saved.
    const bad = await admin.post('/quan-tri/nguoi-ky', { _csrf: csrf, agencyCode: h.agencyCode, headUsername: 'canbo', collective: '' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('Người đứng đầu phải là người có quyền ký bản sao');
    expect((await call('quantri', 'GET', AUTHORITY())).body).toMatchObject({ headUsername: 'lanhdao', collective: 'Ủy ban nhân dân' });
    expect((await signedBy('phophong')).text).toContain('TM. ỦY BAN NHÂN DÂN KT. TRƯỞNG PHÒNG TƯ PHÁP PHÓ TRƯỞNG PHÒNG TƯ PHÁP');
  });
});
