// The audit export (GET /api/v1/audit, Tổng quan → Nhật ký): a dossier made and signed, an administration change
// (the agency renamed, audited with before/after), and a dossier of a sibling agency that must not be there; the
// JSON, CSV and Excel say the same events in words, read back cell by cell; refusals for other roles, agencies,
// formats and periods.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vnIsoDate } from '../../domain/vn-time.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, expectRefusal, loginStaff, multipart } from '../../lib/testing/http.js';

let h: Harness;
const { call } = apiClient(() => h.baseUrl);
const today = vnIsoDate(new Date());
let code = '';
let siblingCode = '';
let renamed = '';

beforeAll(async () => {
  h = await createHarness();
  await h.addAgency('KHAC02', [{ username: 'cb_khac', roles: ['creator'] }]);
  const form = multipart({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf');
  const created = await call('canbo', 'POST', '/dossiers', { form });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  code = created.body.code;
  expect((await call('lanhdao', 'POST', `/dossiers/${encodeURIComponent(code)}/sign`)).status).toBe(200);
  const agency = await call('quantri', 'GET', `/admin/agencies/${h.agencyCode}`);
  renamed = `${agency.body.name} (đổi tên)`;
  const patched = await call('quantri', 'PATCH', `/admin/agencies/${h.agencyCode}`, { json: { name: renamed } });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  const other = multipart({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf');
  const sibling = await call('cb_khac', 'POST', '/dossiers', { form: other });
  expect(sibling.status, JSON.stringify(sibling.body)).toBe(201);
  siblingCode = sibling.body.code;
}, 240_000);
afterAll(async () => { await h?.close(); });

describe('the audit export', () => {
  it('JSON: the dossier\'s events and the admin change, oldest first, in words; not the sibling\'s', async () => {
    const r = await call('giamsat', 'GET', '/audit');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ from: today, to: today, total: r.body.items.length });
    const mine = r.body.items.filter((i: any) => i.subject === code);
    expect(mine.map((i: any) => i.what)).toEqual([
      'Tạo hồ sơ và trình lãnh đạo ký', expect.stringMatching(/^Ký số bản sao \(lãnh đạo\) \(chứng thư số của .+, SHA-256 [0-9a-f]{64}\)$/),
    ]);
    expect(mine.find((i: any) => i.type === 'signed')).toMatchObject({ source: 'dossier', agencyCode: h.agencyCode, actor: 'lanhdao' });
    const change = r.body.items.find((i: any) => i.source === 'admin' && i.actor === 'quantri');
    expect(change?.what).toContain(`→ ${renamed}`);
    const times = r.body.items.map((i: any) => i.at);
    expect([...times].sort()).toEqual(times);
    expect(JSON.stringify(r.body)).not.toContain(siblingCode);
  });

  it('CSV (UTF-8 with BOM) and Excel say the same, cell by cell; the screen offers both', async () => {
    const json = (await call('giamsat', 'GET', '/audit')).body;
    const csv = await call('giamsat', 'GET', '/audit?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const wb = new ExcelJS.Workbook();
    const ws = await wb.csv.read((await import('node:stream')).Readable.from([csv.bytes.subarray(3).toString('utf8')]));
    const csvRows: string[][] = [];
    ws.eachRow((row) => csvRows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
    expect(csvRows[0]).toEqual(['Thời điểm', 'Cơ quan', 'Nguồn', 'Hồ sơ / đối tượng', 'Người thực hiện', 'Sự kiện', 'Nội dung']);
    expect(csvRows).toHaveLength(json.total + 1);
    const signedCsv = csvRows.find((row) => row[3] === code && row[5] === 'signed');
    expect(signedCsv?.slice(1, 6)).toEqual([h.agencyCode, 'Hồ sơ', code, expect.stringContaining('(lanhdao)'), 'signed']);

    const xlsx = await call('giamsat', 'GET', `/audit?format=xlsx&from=${today}&to=${today}&agencyCode=${h.agencyCode}`);
    expect(xlsx.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('Nhật ký')!;
    const rows: unknown[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    expect(rows.find((row) => row[0] === 'Số sự kiện')?.[1]).toBe(json.total);
    expect(rows.find((row) => row[3] === code && row[5] === 'signed')?.slice(1, 6)).toEqual(signedCsv?.slice(1, 6));

    const web = await loginStaff(h.baseUrl, 'giamsat');
    const page = await web.get('/tong-quan');
    expect(page.html).toContain('data-testid="audit-csv"');
    const file = await web.get(`/tong-quan/nhat-ky.csv?from=${today}&to=${today}`);
    expect(file.status).toBe(200);
    expect(file.bytes.equals(csv.bytes)).toBe(true);
  });

  it('refuses other roles, agencies outside the subtree, unknown formats and bad periods, in Vietnamese', async () => {
    expectRefusal(await call('canbo', 'GET', '/audit'), 403, 'forbidden');
    expectRefusal(await call('giamsat', 'GET', '/audit?agencyCode=KHAC02'), 404, 'not_found', /KHAC02/);
    expectRefusal(await call('giamsat', 'GET', '/audit?format=pdf'), 400, 'validation', /Định dạng/);
    expectRefusal(await call('giamsat', 'GET', '/audit?from=2026-12-09&to=2026-12-01'), 400, 'validation', /Đến ngày/);
    expectRefusal(await call(null, 'GET', '/audit'), 401, 'unauthenticated');
  });
});
