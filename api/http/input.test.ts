// Bad input on every route that takes input, API and screens alike, against the real stack: a NUL, an RTL override
// (U+202E), a zero-width space (U+200B), CR/LF in a name, JSON values of the wrong type, page=1e20, pageSize=1.5,
// a register book id beyond int4 and an appointment in the year 2999. Each is a 4xx {error: 'validation', message}
// naming the field (a screen: the Vietnamese message on the page), never a 500, and nothing changes.
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, csrfOf, expectRefusal, loginCitizen, loginStaff, multipart, VIETNAMESE, WebClient } from '../../lib/testing/http.js';
import { until, workingDays } from '../../lib/testing/time.js';
import { vnYear } from '../../domain/vn-time.js';

let h: Harness;
const { call } = apiClient(() => h.baseUrl);
const YEAR = vnYear(new Date());
const [DAY_BOOKED, DAY_MOVE] = workingDays(2, 3);

const NUL = '\u0000';
const RLO = '\u202E';
const ZWSP = '\u200B';
const CRLF = '\r\nBcc: victim@example.vn';

let returnable: string; // awaiting the leader's signature
let sealable: string; // signed, awaiting the seal
let bookId: number;
let appointment: string;
let canbo: WebClient;
let lanhdao: WebClient;
let vanthu: WebClient;
let congdan: WebClient;
let anonymous: WebClient;

/** Everything a refused request could have changed. */
async function snapshot() {
  const rows = async (t: 'dossiers' | 'dossier_events' | 'create_requests' | 'appointments' | 'register_entries') =>
    Number((await h.db.selectFrom(t).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  return {
    dossiers: await rows('dossiers'), events: await rows('dossier_events'), createRequests: await rows('create_requests'),
    appointments: await h.db.selectFrom('appointments').select(['code', 'status', 'day', 'start_time', 'reschedule_reason']).orderBy('code').execute(),
    entries: await rows('register_entries'),
    books: await h.db.selectFrom('register_books').select(['id', 'name', 'start_number', 'open_date', 'close_date']).orderBy('id').execute(),
    statuses: await h.db.selectFrom('dossiers').select(['code', 'status']).orderBy('code').execute(),
  };
}

const unescape = (html: string) => html.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

const scanForm = async (fields: Record<string, string>) => multipart(fields, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf');
const NO_ACCOUNT = { applicantKind: 'no_account', email: 'nguoinhan@example.vn', documentType: 'GKS' };

beforeAll(async () => {
  h = await createHarness();
  await h.db.insertInto('portal_accounts').values({
    username: 'congdan2', kind: 'citizen', full_name: 'Trần Văn Hai', id_number: '079090001234', email: 'hai@example.vn', phone: '0912345678',
    password_hash: await bcrypt.hash('demo', 4),
  }).execute();
  const created = async () => {
    const r = await call('canbo', 'POST', '/dossiers', { form: await scanForm({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }) });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.code as string;
  };
  returnable = await created();
  sealable = await created();
  const signed = await call('lanhdao', 'POST', `/dossiers/${encodeURIComponent(sealable)}/sign`);
  expect(signed.status, JSON.stringify(signed.body)).toBe(200);
  // The read model has caught up, so that the snapshots below see only what a refused request would change.
  await until('the signed dossier in the read model', async () =>
    (await h.db.selectFrom('dossiers').select('status').where('code', '=', sealable).executeTakeFirst())?.status === 'awaiting_seal');
  const books = await call('vanthu', 'GET', '/register-books');
  bookId = books.body.find((b: { name: string }) => b.name === `01/${YEAR}/ĐT`).id;
  const booked = await call('congdan', 'POST', '/appointments', { json: { agencyCode: h.agencyCode, documentType: 'GKS', date: DAY_BOOKED, slot: '09:00' } });
  expect(booked.status, JSON.stringify(booked.body)).toBe(201);
  appointment = booked.body.code;
  [canbo, lanhdao, vanthu] = await Promise.all(['canbo', 'lanhdao', 'vanthu'].map((u) => loginStaff(h.baseUrl, u)));
  congdan = await loginCitizen(h.baseUrl, 'congdan2');
  anonymous = new WebClient(h.baseUrl);
});

afterAll(async () => { await h?.close(); });

// ---------- the JSON API ----------

type ApiCase = [what: string, user: string | null, method: string, path: () => string, body: (() => Promise<FormData> | unknown) | null, field: string];

const dossier = (code: () => string, action: string) => () => `/dossiers/${encodeURIComponent(code())}/${action}`;
const book = (name: unknown, more: Record<string, unknown> = {}) => ({ name, startNumber: 1, openDate: `${YEAR}-01-01`, closeDate: `${YEAR}-12-31`, ...more });

const API: ApiCase[] = [
  // A new dossier's applicant (multipart)
  ['NUL in the applicant name', 'canbo', 'POST', () => '/dossiers', () => scanForm({ ...NO_ACCOUNT, fullName: `Nguyễn${NUL}A` }), 'fullName'],
  ['an RTL override in the applicant name', 'canbo', 'POST', () => '/dossiers', () => scanForm({ ...NO_ACCOUNT, fullName: `Nguyễn ${RLO}fdp.exe` }), 'fullName'],
  ['a zero-width space in the applicant name', 'canbo', 'POST', () => '/dossiers', () => scanForm({ ...NO_ACCOUNT, fullName: `Nguy${ZWSP}ễn A` }), 'fullName'],
  ['CR/LF in the applicant name', 'canbo', 'POST', () => '/dossiers', () => scanForm({ ...NO_ACCOUNT, fullName: `Nguyễn A${CRLF}` }), 'fullName'],
  // Lists: filters and paging
  ['NUL in a search filter', 'canbo', 'GET', () => '/dossiers?q=%00', null, 'q'],
  ['NUL in a code filter', 'canbo', 'GET', () => '/dossiers?code=ab%00', null, 'code'],
  ['a repeated filter (an array)', 'canbo', 'GET', () => '/dossiers?q=a&q=b', null, 'q'],
  ['page=1e20 (dossiers)', 'canbo', 'GET', () => '/dossiers?page=1e20', null, 'page'],
  ['pageSize=1.5 (dossiers)', 'canbo', 'GET', () => '/dossiers?pageSize=1.5', null, 'pageSize'],
  ['page=1e20 (deliveries)', 'vanthu', 'GET', () => '/deliveries?page=1e20', null, 'page'],
  ['pageSize=1.5 (deliveries)', 'vanthu', 'GET', () => '/deliveries?pageSize=1.5', null, 'pageSize'],
  ['page=1e20 (a book\'s entries)', 'vanthu', 'GET', () => `/register-books/${bookId}?page=1e20`, null, 'page'],
  ['pageSize=1.5 (a book\'s entries)', 'vanthu', 'GET', () => `/register-books/${bookId}?pageSize=1.5`, null, 'pageSize'],
  ['NUL in a book name filter', 'vanthu', 'GET', () => '/register-books?name=%00', null, 'name'],
  // Actions on a dossier
  ['NUL in a return reason', 'lanhdao', 'POST', dossier(() => returnable, 'return'), () => ({ reason: `Thiếu trang${NUL}` }), 'reason'],
  ['an RTL override in a return reason', 'lanhdao', 'POST', dossier(() => returnable, 'return'), () => ({ reason: `Thiếu trang ${RLO}2` }), 'reason'],
  ['an object as the return reason', 'lanhdao', 'POST', dossier(() => returnable, 'return'), () => ({ reason: { a: 1 } }), 'reason'],
  ['registerBookId beyond int4', 'vanthu', 'POST', dossier(() => sealable, 'seal'), () => ({ registerBookId: 2147483648 }), 'registerBookId'],
  ['registerBookId as an array', 'vanthu', 'POST', dossier(() => sealable, 'seal'), () => ({ registerBookId: [bookId] }), 'registerBookId'],
  ['NUL in a dossier code (path)', 'canbo', 'GET', () => '/dossiers/AB%00CD', null, ''],
  // Register books
  ['an object as a book name', 'vanthu', 'POST', () => '/register-books', () => book({ a: 1 }), 'name'],
  ['an array as a book name', 'vanthu', 'POST', () => '/register-books', () => book(['Sổ A']), 'name'],
  ['a number as a book name', 'vanthu', 'POST', () => '/register-books', () => book(12), 'name'],
  ['NUL in a book name', 'vanthu', 'POST', () => '/register-books', () => book(`Sổ${NUL}A`), 'name'],
  ['an RTL override in a book name', 'vanthu', 'POST', () => '/register-books', () => book(`Sổ ${RLO}A`), 'name'],
  ['an array as a start number', 'vanthu', 'POST', () => '/register-books', () => book('Sổ B', { startNumber: [5] }), 'startNumber'],
  ['an array as an open date', 'vanthu', 'POST', () => '/register-books', () => book('Sổ C', { openDate: [`${YEAR}-01-01`] }), 'openDate'],
  ['an object as a new book name (PATCH)', 'vanthu', 'PATCH', () => `/register-books/${bookId}`, () => ({ name: { a: 1 } }), 'name'],
  ['a zero-width space in a new book name (PATCH)', 'vanthu', 'PATCH', () => `/register-books/${bookId}`, () => ({ name: `01/${YEAR}${ZWSP}` }), 'name'],
  // Appointments
  ['an appointment in the year 2999', 'congdan', 'POST', () => '/appointments', () => ({ agencyCode: h.agencyCode, documentType: 'GKS', date: '2999-01-01', slot: '09:00' }), 'date'],
  ['the free slots of 2999-01-01', 'congdan', 'GET', () => `/appointments/slots?agencyCode=${encodeURIComponent(h.agencyCode)}&date=2999-01-01`, null, 'date'],
  ['a move to the year 2999', 'canbo', 'POST', () => `/appointments/${encodeURIComponent(appointment)}/reschedule`, () => ({ date: '2999-01-01', slot: '09:00', reason: 'Cán bộ bận họp' }), 'date'],
  ['an RTL override in a reschedule reason', 'canbo', 'POST', () => `/appointments/${encodeURIComponent(appointment)}/reschedule`, () => ({ date: DAY_MOVE, slot: '09:00', reason: `Cán bộ ${RLO}bận họp` }), 'reason'],
  // Login and public verification
  ['NUL in a login name', null, 'POST', () => '/auth/token', () => ({ username: `canbo${NUL}`, password: 'demo' }), 'username'],
  ['an array as a login name', null, 'POST', () => '/auth/token', () => ({ username: ['canbo'], password: 'demo' }), 'username'],
  ['an object as a password', null, 'POST', () => '/auth/token', () => ({ username: 'canbo', password: { a: 1 } }), 'password'],
  ['NUL in a verification code', null, 'GET', () => '/verify/AB%00', null, ''],
];

describe('the JSON API refuses bad input with 400 {error: validation} naming the field, and changes nothing', () => {
  it.each(API)('%s', async (_what, user, method, path, body, field) => {
    const before = await snapshot();
    const payload = body ? await body() : undefined;
    const r = await call(user, method, path(), payload instanceof FormData ? { form: payload } : payload !== undefined ? { json: payload } : {});
    expectRefusal(r, 400, 'validation', field || undefined);
    expect(await snapshot()).toEqual(before);
  });

});

// ---------- the screens ----------

type ScreenCase = [what: string, who: () => WebClient, method: 'GET' | 'POST', path: () => string, form: (() => Promise<FormData | URLSearchParams>) | null, message: RegExp | string];

/** A form as the page would post it: its _csrf, then the fields (repeated keys allowed). */
const urlencoded = (b: () => WebClient, page: () => string, fields: [string, string][] | (() => [string, string][])) => async () => {
  const html = (await b().get(page())).html;
  return new URLSearchParams([['_csrf', csrfOf(html)], ...(typeof fields === 'function' ? fields() : fields)]);
};
const upload = (b: () => WebClient, page: string, fields: Record<string, string>) => async () => {
  const html = (await b().get(page)).html;
  return multipart({ _csrf: csrfOf(html), ...fields }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf');
};
const detail = () => `/ho-so/${encodeURIComponent(returnable)}`;
const sealDetail = () => `/ho-so/${encodeURIComponent(sealable)}`;
const bookForm = (name: string, more: [string, string][] = []) =>
  [['name', name], ['startNumber', '1'], ['openDate', `01/01/${YEAR}`], ['closeDate', `31/12/${YEAR}`], ...more] as [string, string][];
const INVALID = (label: string) => `Trường "${label}" chứa ký tự không hợp lệ.`;

const SCREENS: ScreenCase[] = [
  ['NUL in the staff login name', () => canbo, 'POST', () => '/dang-nhap', urlencoded(() => canbo, () => '/dang-nhap', [['username', `canbo${NUL}`], ['password', 'demo']]), INVALID('username')],
  ['an array as the citizen login name', () => anonymous, 'POST', () => '/cong-dan/dang-nhap', urlencoded(() => anonymous, () => '/cong-dan/dang-nhap', [['username', 'congdan2'], ['username', 'x'], ['password', 'demo']]), 'Trường "Tên đăng nhập" phải là chuỗi ký tự.'],
  ['an RTL override in the applicant name', () => canbo, 'POST', () => '/ban-sao', upload(() => canbo, '/ban-sao/them-moi', { applicantMode: 'no_account', fullName: `Nguyễn ${RLO}A`, email: 'nguoinhan@example.vn', documentType: 'GKS' }), INVALID('Tên đối tượng')],
  ['NUL in the applicant name', () => canbo, 'POST', () => '/ban-sao', upload(() => canbo, '/ban-sao/them-moi', { applicantMode: 'no_account', fullName: `Nguyễn${NUL}A`, email: 'nguoinhan@example.vn', documentType: 'GKS' }), INVALID('fullName')],
  ['a repeated account search field', () => canbo, 'GET', () => '/ban-sao/them-moi?lookup=1&idNumber=151804051&idNumber=1', null, 'Trường "Số CMND/CCCD/MST" phải là chuỗi ký tự.'],
  ['page=1e20 on a dossier list', () => canbo, 'GET', () => '/ho-so/theo-doi?page=1e20', null, 'Trường "Trang" phải là số nguyên từ 1 đến 1000000.'],
  ['pageSize=1.5 on a dossier list', () => lanhdao, 'GET', () => '/ho-so/cho-ky?pageSize=1.5', null, 'Trường "Số dòng mỗi trang" phải là số nguyên từ 1 đến 100.'],
  ['NUL in a dossier list filter', () => canbo, 'GET', () => '/ho-so/bi-tu-choi?q=%00', null, INVALID('q')],
  ['a zero-width space in a dossier list filter', () => vanthu, 'GET', () => `/ho-so/cho-dong-dau?q=a${encodeURIComponent(ZWSP)}`, null, INVALID('Từ khóa')],
  ['page=1e20 on the e-mail deliveries', () => vanthu, 'GET', () => '/gui-lai-email?page=1e20', null, 'Trường "Trang" phải là số nguyên từ 1 đến 10000.'],
  ['page=1e20 on the register books', () => vanthu, 'GET', () => '/so-chung-thuc?page=1e20', null, 'Trường "Trang" phải là số nguyên từ 1 đến 10000.'],
  ['pageSize=1.5 on a book\'s entries', () => vanthu, 'GET', () => `/so-chung-thuc/${bookId}?pageSize=1.5`, null, 'Trường "Số dòng mỗi trang" phải là số nguyên từ 1 đến 100.'],
  ['NUL in a return reason', () => lanhdao, 'POST', () => `${detail()}/tra-lai`, urlencoded(() => lanhdao, detail, [['reason', `Thiếu trang${NUL}`]]), INVALID('reason')],
  ['an RTL override in a return reason', () => lanhdao, 'POST', () => `${detail()}/tra-lai`, urlencoded(() => lanhdao, detail, [['otherReason', `Thiếu ${RLO}trang`]]), INVALID('Lý do')],
  ['a repeated return reason', () => lanhdao, 'POST', () => `${detail()}/tra-lai`, urlencoded(() => lanhdao, detail, [['otherReason', 'Thiếu trang'], ['otherReason', 'Mờ']]), 'Trường "Lý do" phải là chuỗi ký tự.'],
  ['a register book id beyond int4', () => vanthu, 'POST', () => `${sealDetail()}/dong-dau`, urlencoded(() => vanthu, sealDetail, [['registerBookId', '2147483648']]), 'Vui lòng chọn sổ chứng thực.'],
  ['an RTL override in a book name', () => vanthu, 'POST', () => '/so-chung-thuc', urlencoded(() => vanthu, () => '/so-chung-thuc/them-moi', bookForm(`Sổ ${RLO}A`)), INVALID('Tên sổ')],
  ['a repeated book name', () => vanthu, 'POST', () => '/so-chung-thuc', urlencoded(() => vanthu, () => '/so-chung-thuc/them-moi', [...bookForm('Sổ E'), ['name', 'Sổ F']]), 'Trường "Tên sổ" phải là chuỗi ký tự.'],
  ['a repeated open date', () => vanthu, 'POST', () => '/so-chung-thuc', urlencoded(() => vanthu, () => '/so-chung-thuc/them-moi', [...bookForm('Sổ G'), ['openDate', `02/01/${YEAR}`]]), 'Trường "Ngày mở sổ" phải là chuỗi ký tự.'],
  ['a zero-width space in an edited book name', () => vanthu, 'POST', () => `/so-chung-thuc/${bookId}/sua`, urlencoded(() => vanthu, () => `/so-chung-thuc/${bookId}/sua`, bookForm(`01/${YEAR}${ZWSP}`)), INVALID('Tên sổ')],
  ['an appointment in the year 2999', () => congdan, 'POST', () => '/cong-dan/dat-lich', urlencoded(() => congdan, () => '/cong-dan/dat-lich', () => [['agencyCode', h.agencyCode], ['documentType', 'GKS'], ['date', '2999-01-01'], ['slot', '09:00']]), /trong vòng 90 ngày tới/],
  ['a move to the year 2999', () => canbo, 'POST', () => `/lich-hen/${encodeURIComponent(appointment)}/doi-lich`, urlencoded(() => canbo, () => `/lich-hen/${encodeURIComponent(appointment)}/doi-lich`, [['date', '01/01/2999'], ['slot', '09:00'], ['reason', 'Cán bộ bận họp']]), /trong vòng 90 ngày tới/],
  ['NUL in a verification code', () => congdan, 'GET', () => '/xac-thuc?code=AB%00', null, INVALID('code')],
];

describe('the screens refuse bad input with a 4xx page carrying the Vietnamese message, and change nothing', () => {
  it.each(SCREENS)('%s', async (_what, who, method, path, form, message) => {
    const body = form ? await form() : null;
    const before = await snapshot();
    const r = method === 'GET' ? await who().get(path()) : await who().post(path(), body!);
    expect(r.status, r.html.slice(0, 500)).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    const page = unescape(r.html);
    expect(page).toMatch(VIETNAMESE);
    if (typeof message === 'string') expect(page).toContain(message); else expect(page).toMatch(message);
    expect(await snapshot()).toEqual(before);
  });

  it('the seal screen\'s next-number lookup takes a book id beyond int4 as no book (it reached PostgreSQL)', async () => {
    const r = await vanthu.get('/so-chung-thuc/so-tiep-theo?registerBookId=2147483648');
    expect([r.status, r.html]).toEqual([200, '']);
  });
});

describe('after every refusal above', () => {
  it('the dossiers are not busy: the next good action goes through', async () => {
    const returned = await call('lanhdao', 'POST', `/dossiers/${encodeURIComponent(returnable)}/return`, { json: { reason: 'Bản scan thiếu trang 2.' } });
    expect(returned.status, JSON.stringify(returned.body)).toBe(200);
    expect(returned.body.status).toBe('returned');
    const sealed = await call('vanthu', 'POST', `/dossiers/${encodeURIComponent(sealable)}/seal`, { json: { registerBookId: bookId } });
    expect(sealed.status, JSON.stringify(sealed.body)).toBe(200);
    expect(sealed.body.status).toBe('completed');
  });
});
