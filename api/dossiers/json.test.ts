// The JSON API /api/v1 (SPEC §5a) against the real stack: web app on a port, real worker on the Temporal dev
// server, real PostgreSQL. Also the screens' CSRF protection and HTML escaping, seen through plain HTTP.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vnIsoDate, vnYear } from '../../domain/vn-time.js';
import { parseServerTiming } from '../../lib/request-timing.js';
import { filesUnder } from '../../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, csrfOf, expectRefusal, loginStaff, multipart, type Reply } from '../../lib/testing/http.js';
import { eventually } from '../../lib/testing/time.js';

let h: Harness;
const OTHER_AGENCY = '000.00.99.X01';
const YEAR = vnYear(new Date());
const sha256 = (b: Buffer | Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

// ---------- HTTP helpers ----------

const { call, tokenFor, requestToken } = apiClient(() => h.baseUrl);

const dossierForm = (fields: Record<string, string>, scan: Buffer | null, fileName = 'scan.pdf', type = 'application/pdf') =>
  multipart(fields, 'scan', scan, fileName, type);

const CITIZEN = { applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' };

async function createDossier(fields: Record<string, string> = CITIZEN, pages = 2, headers: Record<string, string> = {}): Promise<any> {
  const r = await call('canbo', 'POST', '/dossiers', { form: dossierForm(fields, await makePdf(pages)), headers });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

async function seededBook(): Promise<{ id: number; name: string; current_number: number }> {
  const r = await call('vanthu', 'GET', '/register-books');
  expect(r.status).toBe(200);
  const book = r.body.find((b: { name: string }) => b.name === `01/${YEAR}/ĐT`);
  expect(book, 'the demo register book').toBeTruthy();
  return book;
}

// ---------- the screens, through a tiny cookie-keeping browser ----------

/** Logs in through the form, as a person would, and checks the session holds (home no longer sends to the login). */
async function login(username: string) {
  const b = await loginStaff(h.baseUrl, username);
  const home = await b.get('/');
  expect(home.status).toBe(303);
  expect(home.location).not.toMatch(/dang-nhap/);
  return b;
}

// ---------- state snapshots for "changes nothing" ----------

const filesDir = () => path.join(h.config.dataDir, 'files');
const tmpDir = () => path.join(filesDir(), 'tmp');

async function snapshot() {
  const count = async (t: 'dossiers' | 'dossier_events' | 'create_requests') =>
    Number((await h.db.selectFrom(t).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const seqs = await h.db.selectFrom('dossier_sequences').selectAll().orderBy('agency_code').orderBy('day').execute();
  return {
    dossiers: await count('dossiers'),
    events: await count('dossier_events'),
    createRequests: await count('create_requests'),
    sequences: JSON.stringify(seqs),
    stored: filesUnder(filesDir()).filter((f) => !f.path.startsWith(tmpDir())).map((f) => f.path).sort(),
  };
}

/** Workflows on this file's task queue, as Temporal's visibility store reports them. */
async function workflowCount(): Promise<number> {
  return Number((await h.client.workflow.count(`TaskQueue = "${h.config.taskQueue}"`)).count);
}

// ---------- fixtures ----------

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6300010000050001' + '0d0a2db40000000049454e44ae426082', 'hex');

function encryptWithQpdf(pdf: Buffer): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qpdf-'));
  try {
    fs.writeFileSync(path.join(dir, 'in.pdf'), pdf);
    try {
      execFileSync('qpdf', ['--encrypt', 'u', 'o', '256', '--', path.join(dir, 'in.pdf'), path.join(dir, 'out.pdf')], { stdio: 'pipe' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error('qpdf is not installed, so the encrypted-PDF check cannot run: install it (apt-get install qpdf).');
      }
      throw e;
    }
    return fs.readFileSync(path.join(dir, 'out.pdf'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  h = await createHarness();
  await h.addAgency(OTHER_AGENCY, [{ username: 'lanhdao2', roles: ['signer'] }, { username: 'canbo2', roles: ['creator'] }]);
  // A branch (đơn vị phụ thuộc) of the demo business with its own portal account and MST 10-3.
  await h.db.insertInto('portal_accounts').values({
    username: 'chinhanh', kind: 'business', full_name: 'CHI NHÁNH CÔNG TY THỬ NGHIỆM', id_number: '0108212803-001',
    email: 'chinhanh@example.vn', phone: '02838123457', password_hash: 'x',
  }).execute();
});
afterAll(async () => { await h?.close(); });

// =====================================================================================================

describe('POST /api/v1/auth/token', () => {
  it('gives a token for a good login, which then opens the API', async () => {
    const r = await requestToken('canbo', 'demo');
    expect(r.status).toBe(200);
    expect(typeof r.body.token).toBe('string');
    const types = await call(null, 'GET', '/document-types', { bearer: `Bearer ${r.body.token}` });
    expect(types.status).toBe(200);
    expect(types.body).toContainEqual({ code: 'GKS', name: 'Giấy khai sinh' });
  });

  it('refuses a wrong password or an unknown user with 401 JSON', async () => {
    expectRefusal(await requestToken('canbo', 'sai-mat-khau'), 401, 'unauthenticated');
    expectRefusal(await requestToken('khongcoai', 'demo'), 401, 'unauthenticated');
    // Neither answer gives out a token.
    expect((await requestToken('canbo', 'sai')).body.token).toBeUndefined();
  });

  it('after 5 wrong passwords for a user, the 6th try is throttled even when correct; other users are not', async () => {
    for (let i = 0; i < 5; i++) expectRefusal(await requestToken('giamsat', `sai-${i}`), 401, 'unauthenticated');
    expectRefusal(await requestToken('giamsat', 'demo'), 429, 'throttled');
    expect((await requestToken('canbo', 'demo')).status).toBe(200);
  });

  it('refuses requests without a token or with a bad or forged token with 401 JSON', async () => {
    expectRefusal(await call(null, 'GET', '/dossiers'), 401, 'unauthenticated');
    expectRefusal(await call(null, 'GET', '/dossiers', { bearer: 'Bearer khong-phai-token' }), 401, 'unauthenticated');
    const good = await tokenFor('canbo');
    const [payload, mac] = good.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ u: 'vanthu', exp: Date.now() + 3600_000 })).toString('base64url');
    expectRefusal(await call(null, 'GET', '/dossiers', { bearer: `Bearer ${forgedPayload}.${mac}` }), 401, 'unauthenticated');
    expectRefusal(await call(null, 'GET', '/dossiers', { bearer: `Bearer ${payload}.${mac.slice(0, -2)}xx` }), 401, 'unauthenticated');
    expectRefusal(await call(null, 'POST', '/dossiers', { bearer: '', form: dossierForm(CITIZEN, await makePdf(1)) }), 401, 'unauthenticated');
  });
});

// =====================================================================================================

describe('the full lifecycle through the API', () => {
  let code: string;
  let scan: Buffer;

  it('creates a dossier from a scan and submits it for signature', async () => {
    const before = await snapshot();
    scan = await makePdf(3);
    const r = await call('canbo', 'POST', '/dossiers', { form: dossierForm(CITIZEN, scan) });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.status).toBe('awaiting_signature');
    expect(r.body.code).toMatch(/^[A-Za-z0-9.]+-\d{6}-\d{6}$/);
    code = r.body.code;
    expect(r.body.applicant).toMatchObject({ kind: 'citizen', fullName: 'Nguyễn Thị Thu', idNumber: '151804051', accountUsername: 'congdan' });
    expect(r.body.pageCount).toBe(3);
    expect(r.body.fee).toBe(5000);
    expect(r.body.scan.sha256).toBe(sha256(scan));
    expect((await snapshot()).dossiers).toBe(before.dossiers + 1);
    // Where its time went (Server-Timing): each part of the create, within the whole.
    const t = parseServerTiming(r.headers.get('server-timing'));
    for (const kind of ['upload', 'inspect', 'store', 'db', 'temporal', 'total']) expect(t[kind], kind).toBeGreaterThan(0);
    expect(t.upload + t.inspect + t.store + t.temporal).toBeLessThan(t.total);
    // Never to the public: the verification of a code (issued or not) carries no timings.
    const anonymous = await fetch(`${h.baseUrl}/api/v1/verify/${encodeURIComponent(code)}`);
    expect(anonymous.headers.get('server-timing')).toBeNull();
    expect((await fetch(`${h.baseUrl}/xac-thuc`)).headers.get('server-timing')).toBeNull();
  });

  it('GET /dossiers/{code} shows state, applicant, document type and history', async () => {
    const r = await call('lanhdao', 'GET', `/dossiers/${encodeURIComponent(code)}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ code, status: 'awaiting_signature', documentType: { code: 'GKS', name: 'Giấy khai sinh' }, certificationNumber: null });
    expect(r.body.applicant.fullName).toBe('Nguyễn Thị Thu');
    expect(r.body.history.map((e: { action: string }) => e.action)).toEqual(['submit']);
    expect(r.body.history[0].actor).toBe('canbo');
    // Before signing, the PDF is the scan exactly as uploaded.
    const pdf = await call('lanhdao', 'GET', `/dossiers/${encodeURIComponent(code)}/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toMatch(/^application\/pdf/);
    expect(sha256(pdf.bytes)).toBe(sha256(scan));
  });

  it('an unknown dossier code is 404 JSON', async () => {
    expectRefusal(await call('canbo', 'GET', '/dossiers/KHONG-CO-HO-SO-NAY'), 404, 'not_found');
  });

  it('lists with status, q (name / id / email), code, from/to and paging', async () => {
    const mk = (fullName: string, email: string, idNumber = '') =>
      createDossier({ applicantKind: 'no_account', fullName, email, documentType: 'BTN', ...(idNumber ? { idNumber } : {}) }, 1);
    const target = await mk('Lê Hoàng Phúc Lọc', 'loc.timkiem@example.vn', '079203001234');
    const paged = [await mk('Phân Trang Một', 'phantrang1@example.vn'), await mk('Phân Trang Hai', 'phantrang2@example.vn'), await mk('Phân Trang Ba', 'phantrang3@example.vn')];
    const list = (qs: Record<string, string>) => call('canbo', 'GET', `/dossiers?${new URLSearchParams(qs)}`);
    const codes = (r: Reply) => r.body.items.map((i: { code: string }) => i.code);

    for (const q of ['Phúc Lọc', 'lê hoàng phúc', 'LÊ HOÀNG PHÚC LỌC', '079203001234', 'loc.timkiem@example', 'LOC.TIMKIEM@EXAMPLE.VN']) {
      const r = await list({ q });
      expect(r.status).toBe(200);
      expect(r.body.total, `q=${q}`).toBe(1);
      expect(codes(r)).toEqual([target.code]);
    }
    const byName = (await list({ q: 'Lọc' })).body.items[0];
    expect(byName).toMatchObject({ code: target.code, status: 'awaiting_signature', applicantKind: 'no_account', applicantName: 'Lê Hoàng Phúc Lọc', idNumber: '079203001234', email: 'loc.timkiem@example.vn', documentType: 'Bằng tốt nghiệp' });

    expect(codes(await list({ code: target.code }))).toEqual([target.code]);
    expect(codes(await list({ code: code }))).toEqual([code]);
    expect((await list({ status: 'awaiting_signature', q: 'Phúc Lọc' })).body.total).toBe(1);
    expect((await list({ status: 'completed', q: 'Phúc Lọc' })).body.total).toBe(0);
    const all = await list({ status: 'awaiting_signature', pageSize: '100' });
    expect(all.body.total).toBe(5);
    expect(all.body.items.every((i: { status: string }) => i.status === 'awaiting_signature')).toBe(true);

    const today = vnIsoDate(new Date());
    const yesterday = vnIsoDate(new Date(Date.now() - 86400_000));
    const tomorrow = vnIsoDate(new Date(Date.now() + 86400_000));
    expect((await list({ q: 'Phúc Lọc', from: today, to: today })).body.total).toBe(1);
    expect((await list({ q: 'Phúc Lọc', from: yesterday })).body.total).toBe(1);
    expect((await list({ q: 'Phúc Lọc', from: tomorrow })).body.total).toBe(0);
    expect((await list({ q: 'Phúc Lọc', to: yesterday })).body.total).toBe(0);
    expectRefusal(await list({ from: '2025-02-30' }), 400, 'validation');
    expectRefusal(await list({ status: 'khong-co' }), 400, 'validation');

    const p1 = await list({ q: 'phantrang', pageSize: '2', page: '1' });
    const p2 = await list({ q: 'phantrang', pageSize: '2', page: '2' });
    expect(p1.body.total).toBe(3);
    expect(p2.body.total).toBe(3);
    expect(p1.body.items).toHaveLength(2);
    expect(p2.body.items).toHaveLength(1);
    // Newest first, and the two pages together are the three dossiers, each once.
    expect([...codes(p1), ...codes(p2)]).toEqual(paged.map((d) => d.code).reverse());

    // Another agency sees none of these.
    const other = await call('lanhdao2', 'GET', '/dossiers?pageSize=100');
    expect(other.status).toBe(200);
    expect(other.body.total).toBe(0);
  });

  it('signs (leader), seals with the register book (seal keeper), and delivers', async () => {
    const signed = await call('lanhdao', 'POST', `/dossiers/${encodeURIComponent(code)}/sign`);
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    expect(signed.body.status).toBe('awaiting_seal');
    expect(signed.body.signedBy).toMatchObject({ username: 'lanhdao', fullName: 'Lâm Phước Thọ' });
    expect(signed.body.signedPdf.sha256).toMatch(/^[0-9a-f]{64}$/);

    const book = await seededBook();
    const sealed = await call('vanthu', 'POST', `/dossiers/${encodeURIComponent(code)}/seal`, { json: { registerBookId: book.id } });
    expect(sealed.status, JSON.stringify(sealed.body)).toBe(200);
    expect(sealed.body.status).toBe('completed');
    expect(sealed.body.certificationNumber).toBe(`${book.current_number}/ĐT`);
    expect(sealed.body.registerBook).toEqual({ id: book.id, name: book.name });
    // The book moved on by exactly one: no gap, no reuse.
    expect((await seededBook()).current_number).toBe(book.current_number + 1);

    const delivered = await call('vanthu', 'POST', `/dossiers/${encodeURIComponent(code)}/deliver`);
    expect(delivered.status, JSON.stringify(delivered.body)).toBe(200);
    expect(delivered.body.status).toBe('completed');
    expect(delivered.body.delivery).toMatchObject({ email: 'nguyenthithu@example.vn', portal: true });

    // The workflow sends after answering: wait for the delivery to be done.
    let got = await call('canbo', 'GET', `/dossiers/${encodeURIComponent(code)}`);
    for (let i = 0; i < 200 && got.body.delivery?.status === 'pending'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      got = await call('canbo', 'GET', `/dossiers/${encodeURIComponent(code)}`);
    }
    expect(got.body.delivery.status).toBe('sent');
    expect(got.body.history.map((e: { action: string }) => e.action)).toEqual(['submit', 'sign', 'seal', 'deliver', 'delivered']);
    expect(got.body.certificationNumber).toBe(`${book.current_number}/ĐT`);
    expect((await call('canbo', 'GET', `/dossiers?${new URLSearchParams({ code, status: 'completed' })}`)).body.items[0].certificationNumber).toBe(`${book.current_number}/ĐT`);

    const pdf = await call('canbo', 'GET', `/dossiers/${encodeURIComponent(code)}/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toMatch(/^application\/pdf/);
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(sha256(pdf.bytes)).toBe(got.body.sealedPdf.sha256);
    expect(pdf.bytes.length).toBe(got.body.sealedPdf.size);
    // The scan stays reachable.
    const original = await call('canbo', 'GET', `/dossiers/${encodeURIComponent(code)}/pdf?which=scan`);
    expect(sha256(original.bytes)).toBe(sha256(scan));
  });

  it('a delivered dossier takes no more actions', async () => {
    expectRefusal(await call('vanthu', 'POST', `/dossiers/${encodeURIComponent(code)}/deliver`), 409, 'wrong_state');
    const book = await seededBook();
    expectRefusal(await call('vanthu', 'POST', `/dossiers/${encodeURIComponent(code)}/seal`, { json: { registerBookId: book.id } }), 409, 'wrong_state');
    expect((await seededBook()).current_number).toBe(book.current_number);
  });
});

// =====================================================================================================

describe('bad input: a clear Vietnamese 4xx and nothing changed', () => {
  let encrypted: Buffer;
  let truncated: Buffer;
  let baseline: Awaited<ReturnType<typeof snapshot>>;
  let workflowsBefore: number;

  beforeAll(async () => {
    encrypted = encryptWithQpdf(await makePdf(1));
    const good = await makePdf(2);
    truncated = good.subarray(0, Math.floor(good.length * 0.6));
    baseline = await snapshot();
    // Every dossier so far has exactly one workflow; wait until visibility has caught up with them all.
    workflowsBefore = await eventually(workflowCount, (n) => n === baseline.dossiers, 'workflows visible');
  });

  async function expectUnchanged() {
    const now = await snapshot();
    expect(now).toEqual(baseline);
    expect(filesUnder(tmpDir()), 'no upload left in the temp folder').toEqual([]);
  }

  const noAccount = { applicantKind: 'no_account', fullName: 'Trần Văn Bình', email: 'tranvanbinh@example.vn', documentType: 'GKS' };
  const cases: { name: string; fields: Record<string, string>; scan: () => Promise<Buffer | null>; fileName?: string; type?: string; error: string; field: string; says: RegExp }[] = [
    { name: 'a PNG renamed .pdf', fields: CITIZEN, scan: async () => PNG, fileName: 'ban-chinh.pdf', error: 'bad_file', field: 'scan', says: /PDF/ },
    { name: 'an encrypted PDF (qpdf, AES-256)', fields: CITIZEN, scan: async () => encrypted, error: 'bad_file', field: 'scan', says: /mã hóa|mật khẩu/ },
    { name: 'a truncated PDF', fields: CITIZEN, scan: async () => truncated, error: 'bad_file', field: 'scan', says: /hỏng/ },
    { name: 'a PDF header followed by garbage', fields: CITIZEN, scan: async () => Buffer.concat([Buffer.from('%PDF-1.7\n'), crypto.randomBytes(4000), Buffer.from('\n%%EOF\n')]), error: 'bad_file', field: 'scan', says: /PDF/ },
    { name: 'no scan at all', fields: CITIZEN, scan: async () => null, error: 'validation', field: 'scan', says: /scan/ },
    { name: 'a CMND of 8 digits', fields: { ...CITIZEN, idNumber: '15180405' }, scan: () => makePdf(1), error: 'validation', field: 'idNumber', says: /CMND/ },
    { name: 'a CCCD with province 099', fields: { ...CITIZEN, idNumber: '099203001234' }, scan: () => makePdf(1), error: 'validation', field: 'idNumber', says: /tỉnh/ },
    { name: 'a CCCD of 11 digits', fields: { ...CITIZEN, idNumber: '07920300123' }, scan: () => makePdf(1), error: 'validation', field: 'idNumber', says: /CCCD/ },
    { name: 'an MST with a wrong check digit', fields: { applicantKind: 'business', idNumber: '0108212804', documentType: 'GKS' }, scan: () => makePdf(1), error: 'validation', field: 'idNumber', says: /kiểm tra/ },
    { name: 'a branch MST (10-3) given for a citizen', fields: { ...CITIZEN, idNumber: '0108212803-001' }, scan: () => makePdf(1), error: 'validation', field: 'idNumber', says: /CMND|CCCD/ },
    { name: 'a malformed e-mail (no account)', fields: { ...noAccount, email: 'tranvanbinh@' }, scan: () => makePdf(1), error: 'validation', field: 'email', says: /email/i },
    { name: 'a malformed phone (no account)', fields: { ...noAccount, phone: '12345' }, scan: () => makePdf(1), error: 'validation', field: 'phone', says: /điện thoại/ },
    { name: 'no e-mail for an applicant without a portal account', fields: { applicantKind: 'no_account', fullName: 'Trần Văn Bình', documentType: 'GKS' }, scan: () => makePdf(1), error: 'validation', field: 'email', says: /email/ },
    { name: 'an unknown document type', fields: { ...CITIZEN, documentType: 'KHONG_CO' }, scan: () => makePdf(1), error: 'validation', field: 'documentType', says: /loại giấy tờ/ },
    { name: 'an unknown applicant kind', fields: { ...CITIZEN, applicantKind: 'alien' }, scan: () => makePdf(1), error: 'validation', field: 'applicantKind', says: /đối tượng/ },
  ];

  for (const c of cases) {
    it(`refuses ${c.name}`, async () => {
      const r = await call('canbo', 'POST', '/dossiers', { form: dossierForm(c.fields, await c.scan(), c.fileName, c.type) });
      expectRefusal(r, 400, c.error, c.field);
      expect(r.body.message).toMatch(c.says);
      await expectUnchanged();
    });
  }

  it('refuses a scan over 30 MB with 413 while streaming, keeping nothing of it', async () => {
    const big = Buffer.alloc(31 * 1024 * 1024, 0x20);
    big.write('%PDF-1.7\n', 0, 'latin1');
    const r = await call('canbo', 'POST', '/dossiers', { form: dossierForm(CITIZEN, big) });
    expectRefusal(r, 413, 'too_large', 'scan');
    expect(r.body.message).toMatch(/30 MB/);
    await expectUnchanged();
    const large = filesUnder(filesDir()).filter((f) => f.size > 10 * 1024 * 1024);
    expect(large, 'no copy of the large upload anywhere under files/').toEqual([]);
  });

  it('started no workflow for any refused request', async () => {
    // Sandwich: one accepted request after all the refused ones; once it is visible, any workflow a refused
    // request might have started would be visible too.
    const ok = await createDossier(CITIZEN, 1);
    const n = await eventually(workflowCount, (v) => v >= workflowsBefore + 1, 'the new workflow visible');
    expect(n).toBe(workflowsBefore + 1);
    const wf = await h.client.workflow.getHandle(`dossier-${ok.code}`).describe();
    expect(wf.status.name).toBe('RUNNING');
  });

  it('accepts a valid branch MST (10-3) for a business with that portal account', async () => {
    const d = await createDossier({ applicantKind: 'business', idNumber: '0108212803-001', documentType: 'GPLX' }, 1);
    expect(d.status).toBe('awaiting_signature');
    expect(d.applicant).toMatchObject({ kind: 'business', idNumber: '0108212803-001', accountUsername: 'chinhanh' });
    // and the head office's valid MST too
    const hq = await createDossier({ applicantKind: 'business', idNumber: '0108212803', documentType: 'GPLX' }, 1);
    expect(hq.applicant.accountUsername).toBe('doanhnghiep');
  });
});

// =====================================================================================================

describe('HTML in names', () => {
  const evil = '<script>alert(1)</script> Trần';

  it('is stored and returned as the same text, and shown escaped on the screens', async () => {
    const d = await createDossier({ applicantKind: 'no_account', fullName: evil, email: 'tran.html@example.vn', documentType: 'KHAC' }, 1);
    expect(d.applicant.fullName).toBe(evil);
    expect((await call('canbo', 'GET', `/dossiers/${encodeURIComponent(d.code)}`)).body.applicant.fullName).toBe(evil);
    const row = await h.db.selectFrom('dossiers').select('applicant_name').where('code', '=', d.code).executeTakeFirstOrThrow();
    expect(row.applicant_name).toBe(evil);
    expect((await call('canbo', 'GET', `/dossiers?${new URLSearchParams({ code: d.code })}`)).body.items[0].applicantName).toBe(evil);

    const browser = await login('canbo');
    const page = await browser.get(`/ho-so/${encodeURIComponent(d.code)}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain(d.code);
    expect(page.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Trần');
    expect(page.html).not.toContain('<script>alert(1)');
    const list = await browser.get(`/ho-so/theo-doi?${new URLSearchParams({ code: d.code })}`);
    expect(list.status).toBe(200);
    expect(list.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(list.html).not.toContain('<script>alert(1)');
  });
});

// =====================================================================================================

describe('refused actions: wrong role, state or agency', () => {
  it('refuses and changes nothing', async () => {
    const d = await createDossier(CITIZEN, 1);
    const url = `/dossiers/${encodeURIComponent(d.code)}`;
    const before = (await call('canbo', 'GET', url)).body;
    const eventsBefore = (await snapshot()).events;

    expectRefusal(await call('canbo', 'POST', `${url}/sign`), 403, 'forbidden');
    const book = await seededBook();
    expectRefusal(await call('vanthu', 'POST', `${url}/seal`, { json: { registerBookId: book.id } }), 409, 'wrong_state');
    expectRefusal(await call('lanhdao2', 'POST', `${url}/sign`), 403, 'wrong_agency');
    expectRefusal(await call('lanhdao2', 'GET', url), 403, 'wrong_agency');
    expectRefusal(await call('lanhdao2', 'GET', `${url}/pdf`), 403, 'wrong_agency');
    expectRefusal(await call('canbo', 'POST', `${url}/cancel`, { json: { reason: 'Thử hủy khi chưa trả lại' } }), 409, 'wrong_state');
    expectRefusal(await call('lanhdao', 'POST', `${url}/deliver`), 403, 'forbidden');
    expectRefusal(await call('vanthu', 'POST', `${url}/deliver`), 409, 'wrong_state');

    expect((await call('canbo', 'GET', url)).body).toEqual(before);
    expect((await snapshot()).events).toBe(eventsBefore);
    expect((await seededBook()).current_number).toBe(book.current_number);
  });

  it('sealing with a register book that is not usable says so, and uses no number', async () => {
    const d = await createDossier(CITIZEN, 1);
    const url = `/dossiers/${encodeURIComponent(d.code)}`;
    expect((await call('lanhdao', 'POST', `${url}/sign`)).status).toBe(200);
    const theirBook = await h.db.insertInto('register_books').values({
      agency_code: OTHER_AGENCY, name: `01/${YEAR}/ĐT`, start_number: 1, current_number: 1, open_date: `${YEAR}-01-01`, close_date: `${YEAR}-12-31`, created_by: 'x',
    }).returning('id').executeTakeFirstOrThrow();
    const lastYear = await call('vanthu', 'POST', '/register-books', { json: { name: `Sổ năm ${YEAR - 1}`, startNumber: 7, openDate: `${YEAR - 1}-01-01`, closeDate: `${YEAR - 1}-12-31` } });
    expect(lastYear.status).toBe(201);
    const book = await seededBook();
    const eventsBefore = (await snapshot()).events;

    for (const id of [999999, theirBook.id]) {
      const r = await call('vanthu', 'POST', `${url}/seal`, { json: { registerBookId: id } });
      expectRefusal(r, 404, 'not_found');
      expect(r.body.message).toMatch(/sổ chứng thực/);
    }
    const closed = await call('vanthu', 'POST', `${url}/seal`, { json: { registerBookId: lastYear.body.id } });
    expectRefusal(closed, 400, 'validation');
    expect(closed.body.message).toContain(`Sổ năm ${YEAR - 1}/ĐT`);
    expectRefusal(await call('vanthu', 'POST', `${url}/seal`, { json: {} }), 400, 'validation', 'registerBookId');

    const after = (await call('vanthu', 'GET', url)).body;
    expect(after.status).toBe('awaiting_seal');
    expect(after.certificationNumber).toBeNull();
    expect((await snapshot()).events).toBe(eventsBefore);
    expect((await seededBook()).current_number).toBe(book.current_number);
    const entries = await h.db.selectFrom('register_entries').select('dossier_code').where('dossier_code', '=', d.code).execute();
    expect(entries).toEqual([]);
    // and the right book still works afterwards
    const sealed = await call('vanthu', 'POST', `${url}/seal`, { json: { registerBookId: book.id } });
    expect(sealed.status, JSON.stringify(sealed.body)).toBe(200);
    expect(sealed.body.certificationNumber).toBe(`${book.current_number}/ĐT`);
  });

  it('another agency cannot create dossiers for its applicants in our agency, nor see ours by listing', async () => {
    const theirs = await call('canbo2', 'POST', '/dossiers', { form: dossierForm(CITIZEN, await makePdf(1)) });
    expect(theirs.status).toBe(201);
    // Created in the other agency, invisible to ours.
    expect(theirs.body.agencyCode).toBe(OTHER_AGENCY);
    expectRefusal(await call('lanhdao', 'GET', `/dossiers/${encodeURIComponent(theirs.body.code)}`), 403, 'wrong_agency');
    expectRefusal(await call('lanhdao', 'POST', `/dossiers/${encodeURIComponent(theirs.body.code)}/sign`), 403, 'wrong_agency');
    expect((await call('lanhdao', 'GET', `/dossiers?${new URLSearchParams({ code: theirs.body.code })}`)).body.total).toBe(0);
  });
});

describe('Idempotency-Key', () => {
  it('a repeated create with the same key gives the same dossier and one row', async () => {
    const before = await snapshot();
    const key = crypto.randomUUID();
    const pdf = await makePdf(2);
    const send = () => call('canbo', 'POST', '/dossiers', { form: dossierForm(CITIZEN, pdf), headers: { 'Idempotency-Key': key } });
    const [a, b] = await Promise.all([send(), send()]);
    const c = await send();
    for (const r of [a, b, c]) expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(b.body.code).toBe(a.body.code);
    expect(c.body.code).toBe(a.body.code);
    const rows = await h.db.selectFrom('dossiers').select('code').where('code', '=', a.body.code).execute();
    expect(rows).toHaveLength(1);
    expect((await snapshot()).dossiers).toBe(before.dossiers + 1);
    expect(filesUnder(tmpDir())).toEqual([]);
    // A different key is a different dossier.
    const other = await call('canbo', 'POST', '/dossiers', { form: dossierForm(CITIZEN, pdf), headers: { 'Idempotency-Key': crypto.randomUUID() } });
    expect(other.body.code).not.toBe(a.body.code);
  });

  it('a repeated sign with the same key answers 200 twice and signs once', async () => {
    const d = await createDossier(CITIZEN, 1);
    const url = `/dossiers/${encodeURIComponent(d.code)}/sign`;
    const key = crypto.randomUUID();
    const [a, b] = await Promise.all([
      call('lanhdao', 'POST', url, { headers: { 'Idempotency-Key': key } }),
      call('lanhdao', 'POST', url, { headers: { 'Idempotency-Key': key } }),
    ]);
    const c = await call('lanhdao', 'POST', url, { headers: { 'Idempotency-Key': key } });
    for (const r of [a, b, c]) {
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.status).toBe('awaiting_seal');
    }
    expect(b.body.signedPdf).toEqual(a.body.signedPdf);
    expect(c.body.signedPdf).toEqual(a.body.signedPdf);
    const signs = await h.db.selectFrom('dossier_events').select('action').where('dossier_code', '=', d.code).where('action', '=', 'sign').execute();
    expect(signs).toHaveLength(1);
    // A new click with a fresh key is refused: it is signed already.
    expectRefusal(await call('lanhdao', 'POST', url, { headers: { 'Idempotency-Key': crypto.randomUUID() } }), 409, 'wrong_state');
  });
});

// =====================================================================================================

describe('return, resubmit, cancel', () => {
  it('needs a reason to return; resubmits with a new scan; cancels; then refuses every action', async () => {
    const d = await createDossier(CITIZEN, 1);
    const url = `/dossiers/${encodeURIComponent(d.code)}`;

    expectRefusal(await call('lanhdao', 'POST', `${url}/return`, { json: {} }), 400, 'validation');
    expectRefusal(await call('lanhdao', 'POST', `${url}/return`, { json: { reason: '  ' } }), 400, 'validation');
    expect((await call('lanhdao', 'GET', url)).body.status).toBe('awaiting_signature');

    const reason = 'Bản scan không rõ, không đầy đủ so với bản chính';
    const returned = await call('lanhdao', 'POST', `${url}/return`, { json: { reason } });
    expect(returned.status, JSON.stringify(returned.body)).toBe(200);
    expect(returned.body).toMatchObject({ status: 'returned', returnReason: reason });
    expect((await call('canbo', 'GET', `/dossiers?${new URLSearchParams({ status: 'returned', code: d.code })}`)).body.total).toBe(1);

    const newScan = await makePdf(4);
    const resubmitted = await call('canbo', 'POST', `${url}/resubmit`, { form: dossierForm({}, newScan) });
    expect(resubmitted.status, JSON.stringify(resubmitted.body)).toBe(200);
    expect(resubmitted.body).toMatchObject({ status: 'awaiting_signature', pageCount: 4, fee: 6000, returnReason: null });
    expect(resubmitted.body.scan.sha256).toBe(sha256(newScan));
    expect(sha256((await call('lanhdao', 'GET', `${url}/pdf`)).bytes)).toBe(sha256(newScan));

    await call('lanhdao', 'POST', `${url}/return`, { json: { reason: 'Bản chính bị hư hỏng, cũ nát, không xác định được nội dung' } });
    // A broken new scan, or a new scan from someone who may not resubmit, is refused; the dossier keeps its
    // scan and the refused upload is not kept.
    const stored = (await snapshot()).stored;
    expectRefusal(await call('canbo', 'POST', `${url}/resubmit`, { form: dossierForm({}, PNG) }), 400, 'bad_file');
    expectRefusal(await call('lanhdao', 'POST', `${url}/resubmit`, { form: dossierForm({}, await makePdf(5)) }), 403, 'forbidden');
    expectRefusal(await call('canbo2', 'POST', `${url}/resubmit`, { form: dossierForm({}, await makePdf(6)) }), 403, 'wrong_agency');
    expect((await call('canbo', 'GET', url)).body).toMatchObject({ status: 'returned', pageCount: 4 });
    expect((await snapshot()).stored).toEqual(stored);
    expect(filesUnder(tmpDir())).toEqual([]);

    expectRefusal(await call('canbo', 'POST', `${url}/cancel`, { json: {} }), 400, 'validation');
    const cancelled = await call('canbo', 'POST', `${url}/cancel`, { json: { reason: 'Người yêu cầu không bổ sung bản chính' } });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelReason: 'Người yêu cầu không bổ sung bản chính' });

    const events = (await snapshot()).events;
    const book = await seededBook();
    expectRefusal(await call('canbo', 'POST', `${url}/resubmit`, { json: {} }), 409, 'wrong_state');
    const storedBefore = (await snapshot()).stored;
    expectRefusal(await call('canbo', 'POST', `${url}/resubmit`, { form: dossierForm({}, await makePdf(2)) }), 409, 'wrong_state');
    expect((await snapshot()).stored, 'a refused resubmit keeps no new scan').toEqual(storedBefore);
    expectRefusal(await call('canbo', 'POST', `${url}/cancel`, { json: { reason: 'Hủy thêm lần nữa' } }), 409, 'wrong_state');
    expectRefusal(await call('lanhdao', 'POST', `${url}/sign`), 409, 'wrong_state');
    expectRefusal(await call('lanhdao', 'POST', `${url}/return`, { json: { reason: 'Trả lại lần nữa' } }), 409, 'wrong_state');
    expectRefusal(await call('vanthu', 'POST', `${url}/seal`, { json: { registerBookId: book.id } }), 409, 'wrong_state');
    expectRefusal(await call('vanthu', 'POST', `${url}/deliver`), 409, 'wrong_state');
    const after = (await call('canbo', 'GET', url)).body;
    expect(after.status).toBe('cancelled');
    expect(after.pageCount).toBe(4);
    expect((await snapshot()).events).toBe(events);
    expect((await seededBook()).current_number).toBe(book.current_number);
    expect(filesUnder(tmpDir())).toEqual([]);
  });
});

// =====================================================================================================

describe('register books', () => {
  // Next year's books: this year's open book has numbers (one open book a year, NĐ 23/2015 Điều 13).
  const body = (o: Record<string, unknown> = {}) => ({ name: `Sổ thử ${YEAR}`, startNumber: 1, openDate: `${YEAR + 1}-01-01`, closeDate: `${YEAR + 1}-12-31`, ...o });
  const books = async () => (await call('vanthu', 'GET', '/register-books')).body as { id: number; name: string }[];

  it('creates a book whose name ends in /ĐT', async () => {
    const r = await call('vanthu', 'POST', '/register-books', { json: body({ startNumber: '25' }) });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.name).toBe(`Sổ thử ${YEAR}/ĐT`);
    expect(r.body.start_number).toBe(25);
    expect(r.body.current_number).toBe(25);
    expect((await books()).map((b) => b.name)).toContain(`Sổ thử ${YEAR}/ĐT`);
    // Not suffixed twice.
    const r2 = await call('vanthu', 'POST', '/register-books', { json: body({ name: `02/${YEAR}/ĐT`, openDate: `${YEAR + 2}-01-01`, closeDate: `${YEAR + 2}-12-31` }) });
    expect(r2.body.name).toBe(`02/${YEAR}/ĐT`);
  });

  it('refuses letters in the start number, a close date before the open date, a duplicate name and a non-sealer', async () => {
    const before = await books();
    const r1 = await call('vanthu', 'POST', '/register-books', { json: body({ name: 'Sổ A', startNumber: '12a' }) });
    expectRefusal(r1, 400, 'validation', 'startNumber');
    const r2 = await call('vanthu', 'POST', '/register-books', { json: body({ name: 'Sổ B', openDate: `${YEAR + 1}-12-31`, closeDate: `${YEAR + 1}-01-01` }) });
    expectRefusal(r2, 400, 'validation', 'closeDate');
    const r3 = await call('vanthu', 'POST', '/register-books', { json: body({ name: `Sổ thử ${YEAR}/ĐT` }) });
    expectRefusal(r3, 409, 'conflict', 'name');
    const r4 = await call('canbo', 'POST', '/register-books', { json: body({ name: 'Sổ của cán bộ' }) });
    expectRefusal(r4, 403, 'forbidden');
    const r5 = await call('vanthu', 'POST', '/register-books', { json: body({ name: 'Sổ C', openDate: '31/02/2026' }) });
    expectRefusal(r5, 400, 'validation', 'openDate');
    expect(await books()).toEqual(before);
  });
});

// =====================================================================================================

describe('GET /api/v1/openapi.json', () => {
  // SPEC §5a, method and path under /api/v1.
  const SPEC_ROUTES = [
    'POST /auth/token', 'POST /dossiers', 'GET /dossiers', 'GET /dossiers/{code}', 'GET /dossiers/{code}/pdf',
    'POST /dossiers/{code}/return', 'POST /dossiers/{code}/resubmit', 'POST /dossiers/{code}/cancel', 'POST /dossiers/{code}/sign',
    'POST /dossiers/{code}/seal', 'GET /register-books', 'POST /register-books', 'GET /register-books/{id}/export.xlsx', 'GET /document-types',
  ];

  /** Does the app route this method and path? A missing route answers exactly like a path that cannot exist. */
  async function served(route: string, missing: Reply): Promise<boolean> {
    const [method, p] = route.split(' ');
    const concrete = p.replace('{code}', 'KHONG-CO-HO-SO').replace('{id}', '999999');
    const r = await call('canbo', method, concrete, method === 'POST' ? { json: {} } : {});
    return !(r.status === missing.status && JSON.stringify(r.body) === JSON.stringify(missing.body));
  }

  it('is served and documents every SPEC §5a route the app implements, and only routes it serves', async () => {
    const res = await fetch(`${h.baseUrl}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = await res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));

    const missing = await call('canbo', 'GET', '/khong-co-duong-dan-nay');
    expect(missing.status).toBe(404);
    const implemented: string[] = [];
    const notImplemented: string[] = [];
    for (const route of SPEC_ROUTES) (await served(route, missing) ? implemented : notImplemented).push(route);

    for (const route of implemented) expect(documented, `${route} is served but not in openapi.json`).toContain(route);
    for (const route of documented) expect(await served(route, missing), `${route} is in openapi.json but not served`).toBe(true);
    expect(notImplemented, 'SPEC §5a routes the app does not serve').toEqual([]);
  });

  it('the register book export is an Excel file of the agency\'s own book', async () => {
    const book = await seededBook();
    const r = await call('vanthu', 'GET', `/register-books/${book.id}/export.xlsx`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/spreadsheetml/);
    expect(r.bytes.subarray(0, 2).toString('latin1')).toBe('PK'); // an OOXML (zip) file
    const ours = await call('lanhdao2', 'GET', `/register-books/${book.id}/export.xlsx`);
    expectRefusal(ours, 404, 'not_found');
  });
});

// =====================================================================================================

describe('CSRF on the screens', () => {
  it('refuses a form POST with the session cookie but without _csrf, and changes nothing', async () => {
    const d = await createDossier(CITIZEN, 1);
    const leader = await login('lanhdao');
    const page = await leader.get(`/ho-so/${encodeURIComponent(d.code)}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain(`/ho-so/${d.code}/ky-so`);
    const csrf = csrfOf(page.html);

    const noToken = await leader.post(`/ho-so/${encodeURIComponent(d.code)}/ky-so`, { _key: crypto.randomUUID() });
    expect(noToken.status).toBe(403);
    const wrongToken = await leader.post(`/ho-so/${encodeURIComponent(d.code)}/ky-so`, { _key: crypto.randomUUID(), _csrf: csrf.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) });
    expect(wrongToken.status).toBe(403);
    expect((await call('lanhdao', 'GET', `/dossiers/${encodeURIComponent(d.code)}`)).body.status).toBe('awaiting_signature');
    expect(await h.db.selectFrom('dossier_events').select('action').where('dossier_code', '=', d.code).execute()).toEqual([{ action: 'submit' }]);

    // The same form with its token goes through, so the refusal above was the missing token.
    const ok = await leader.post(`/ho-so/${encodeURIComponent(d.code)}/ky-so`, { _key: crypto.randomUUID(), _csrf: csrf });
    expect(ok.status).toBe(303);
    expect((await call('lanhdao', 'GET', `/dossiers/${encodeURIComponent(d.code)}`)).body.status).toBe('awaiting_seal');
  });

  it('refuses the multipart "new copy" form without _csrf and creates nothing', async () => {
    const clerk = await login('canbo');
    const before = await snapshot();
    const form = dossierForm({ applicantMode: 'account', idNumber: '151804051', documentType: 'GKS', _key: crypto.randomUUID() }, await makePdf(1));
    const r = await clerk.post('/ban-sao', form);
    expect(r.status).toBe(403);
    const after = await snapshot();
    expect(after.dossiers).toBe(before.dossiers);
    expect(after.stored).toEqual(before.stored);
    await eventually(async () => filesUnder(tmpDir()), (f) => f.length === 0, 'the refused upload removed from the temp folder', 5000);
  });
});
