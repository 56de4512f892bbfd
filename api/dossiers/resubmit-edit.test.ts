// "Xử lý tiếp" edits a returned dossier (the seed: "có thể chỉnh sửa các thông tin như file scan..."): the applicant,
// contact details, document type and copies, checked as at creation, the fee recomputed, each change in the history
// with its before and after; a refused edit changes nothing. Against the real stack (web, worker, Temporal, PostgreSQL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, csrfOf, expectRefusal, loginStaff, multipart } from '../../lib/testing/http.js';

let h: Harness;
const { call } = apiClient(() => h.baseUrl);

beforeAll(async () => { h = await createHarness(); });
afterAll(async () => { await h?.close(); });

/** A citizen's dossier of `pages` pages, returned by the leader. */
async function returnedDossier(pages = 2): Promise<{ code: string; url: string }> {
  const form = multipart({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS', copies: '1' }, 'scan', await makePdf(pages), 'scan.pdf', 'application/pdf');
  const created = await call('canbo', 'POST', '/dossiers', { form });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const url = `/dossiers/${encodeURIComponent(created.body.code)}`;
  const returned = await call('lanhdao', 'POST', `${url}/return`, { json: { reason: 'Sai loại giấy tờ và số bản sao' } });
  expect(returned.status, JSON.stringify(returned.body)).toBe(200);
  return { code: created.body.code, url };
}

const lastEvent = (code: string) => h.db.selectFrom('dossier_events').selectAll().where('dossier_code', '=', code).orderBy('seq', 'desc').executeTakeFirstOrThrow();
const row = (code: string) => h.db.selectFrom('dossiers').selectAll().where('code', '=', code).executeTakeFirstOrThrow();

describe('Xử lý tiếp edits the dossier', () => {
  it('API: new document type, copies and e-mail; the fee recomputed; each change recorded with before and after', async () => {
    const { code, url } = await returnedDossier(2);
    const r = await call('canbo', 'POST', `${url}/resubmit`, { json: { documentType: 'BTN', copies: 3, email: 'thu.moi@example.vn' } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ status: 'awaiting_signature', copies: 3, fee: 12000, documentType: { code: 'BTN', name: 'Bằng tốt nghiệp' } });
    expect(r.body.applicant).toMatchObject({ kind: 'citizen', fullName: 'Nguyễn Thị Thu', email: 'thu.moi@example.vn', accountUsername: 'congdan' });
    // The read model (lists, search) and the audit trail say the same.
    expect(await row(code)).toMatchObject({ copies: 3, fee: 12000, document_type_code: 'BTN', applicant_email: 'thu.moi@example.vn', status: 'awaiting_signature' });
    const e = await lastEvent(code);
    expect(e.type).toBe('resubmitted');
    expect(e.payload).toMatchObject({ changes: [
      { field: 'email', before: 'nguyenthithu@example.vn', after: 'thu.moi@example.vn' },
      { field: 'documentType', before: 'Giấy khai sinh', after: 'Bằng tốt nghiệp' },
      { field: 'copies', before: 1, after: 3 },
      { field: 'fee', before: 4000, after: 12000 },
    ] });
    expect(e.note).toBe('Sửa thông tin: Email: nguyenthithu@example.vn → thu.moi@example.vn; Loại giấy tờ: Giấy khai sinh → Bằng tốt nghiệp; Số bản sao: 1 → 3; Lệ phí: 4.000 đồng → 12.000 đồng');
  });

  it('API: a new scan with more copies gives the fee of its pages × the new copies; the applicant becomes one without an account', async () => {
    const { code, url } = await returnedDossier(1);
    const form = multipart({ applicantKind: 'no_account', fullName: 'Trần Văn Bình', email: 'binh@example.vn', idNumber: '', phone: '', copies: '2' }, 'scan', await makePdf(4), 'scan.pdf', 'application/pdf');
    const r = await call('canbo', 'POST', `${url}/resubmit`, { form });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ pageCount: 4, copies: 2, fee: 12000 });
    expect(r.body.applicant).toEqual({ kind: 'no_account', fullName: 'Trần Văn Bình', idNumber: null, email: 'binh@example.vn', phone: null, accountUsername: null });
    expect(await row(code)).toMatchObject({ applicant_kind: 'no_account', applicant_name: 'Trần Văn Bình', applicant_account: null, fee: 12000 });
    expect((await lastEvent(code)).payload).toMatchObject({ scanReplaced: true, pageCount: 4, fee: 12000 });
  });

  it('refuses a bad detail with the reason, and changes nothing', async () => {
    const { code, url } = await returnedDossier(1);
    const before = { row: await row(code), events: (await h.db.selectFrom('dossier_events').select('seq').where('dossier_code', '=', code).execute()).length };
    const refusals: [Record<string, unknown>, RegExp][] = [
      [{ copies: 0 }, /Số bản sao phải là số nguyên từ 1 đến 100/],
      [{ copies: 'ba' }, /Số bản sao/],
      [{ documentType: 'KHONG-CO' }, /loại giấy tờ/],
      [{ email: 'khong-phai-email' }, /email không hợp lệ/],
      [{ idNumber: '999999999' }, /Không tìm thấy tài khoản DVCQG/],
      [{ applicantKind: 'no_account', email: '' }, /vui lòng nhập email/],
      [{ applicantKind: 'robot' }, /chọn đối tượng đăng ký/],
      [{ phone: { a: 1 } }, /Số điện thoại/],
    ];
    for (const [json, message] of refusals) {
      const r = await call('canbo', 'POST', `${url}/resubmit`, { json });
      expectRefusal(r, 400, 'validation');
      expect(r.body.message, JSON.stringify(json)).toMatch(message);
    }
    // A deactivated document type is no longer offered.
    await h.db.updateTable('document_types').set({ active: false }).where('code', '=', 'GPLX').execute();
    try {
      const r = await call('canbo', 'POST', `${url}/resubmit`, { json: { documentType: 'GPLX' } });
      expectRefusal(r, 400, 'validation');
      expect(r.body.message).toMatch(/đã ngừng sử dụng/);
    } finally {
      await h.db.updateTable('document_types').set({ active: true }).where('code', '=', 'GPLX').execute();
    }
    // Someone who may not resubmit is refused before any detail is looked at.
    expectRefusal(await call('lanhdao', 'POST', `${url}/resubmit`, { json: { copies: 5 } }), 403, 'forbidden');
    const after = await row(code);
    expect({ ...after, updated_at: null }).toEqual({ ...before.row, updated_at: null });
    expect((await h.db.selectFrom('dossier_events').select('seq').where('dossier_code', '=', code).execute()).length).toBe(before.events);
    // An unchanged resubmit records no changes.
    const plain = await call('canbo', 'POST', `${url}/resubmit`, { json: { copies: 1, documentType: 'GKS' } });
    expect(plain.status, JSON.stringify(plain.body)).toBe(200);
    expect((await lastEvent(code)).payload).not.toHaveProperty('changes');
  });

  it('screen: the form shows the current details; changing copies and the document type resubmits with the new fee', async () => {
    const { code } = await returnedDossier(2);
    const b = await loginStaff(h.baseUrl, 'canbo');
    const page = await b.get(`/ho-so/${encodeURIComponent(code)}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('data-testid="edit-dossier"');
    expect(page.html).toMatch(/name="idNumber" value="151804051"/);
    expect(page.html).toMatch(/name="copies" type="number" min="1" max="100" value="1"/);
    expect(page.html).toMatch(/<option value="GKS" selected>Giấy khai sinh<\/option>/);
    const form = new FormData();
    for (const [k, v] of Object.entries({ _csrf: csrfOf(page.html), _key: crypto.randomUUID(), applicantMode: 'account', idNumber: '151804051', fullName: '', otherIdNumber: '', email: 'nguyenthithu@example.vn', phone: '0942077843', documentType: 'CCCD', copies: '2' })) form.append(k, v);
    const posted = await b.post(`/ho-so/${encodeURIComponent(code)}/xu-ly-tiep`, form);
    expect(posted.status, posted.html.slice(0, 400)).toBe(303);
    const list = await b.get(posted.location!);
    expect(list.html).toContain(`Đã trình ký lại hồ sơ ${code}. Lệ phí: 8.000 đồng (2 trang × 2 bản).`);
    expect(await row(code)).toMatchObject({ copies: 2, fee: 8000, document_type_code: 'CCCD', applicant_email: 'nguyenthithu@example.vn' });
    const progress = await b.get(`/ho-so/${encodeURIComponent(code)}/tien-trinh`);
    expect(progress.html).toContain('Xử lý tiếp: trình ký lại (sửa loại giấy tờ, số bản sao)');
  });
});
