// The seal keeper's register screens on the real stack (web app on a port, worker, PostgreSQL): the seal step
// offers the book that takes the year's next number, and khóa sổ of a book and of a year, with the counts shown.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vnIsoDate } from '../../domain/vn-time.js';
import type { Actor } from '../../domain/types.js';
import { uploadedPdf } from '../../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { csrfOf, loginStaff, type WebClient } from '../../lib/testing/http.js';

let h: Harness;
let canbo: Actor, lanhdao: Actor, vanthu: Actor;
let web: WebClient;
let seeded: { id: number; name: string };
const TODAY = vnIsoDate(new Date());
const YEAR = Number(TODAY.slice(0, 4));

async function signed(): Promise<string> {
  const d = await h.service.create(canbo, { applicantKind: 'no_account', fullName: 'Người Đóng Dấu', email: 'dd@example.vn', documentType: 'GKS' }, uploadedPdf(h, await makePdf(1)), crypto.randomUUID());
  await h.service.act(lanhdao, d.code, 'sign', {}, crypto.randomUUID());
  return d.code;
}

/** The options of the seal step's book picker: [id, name, selected]. */
function bookOptions(html: string): [number, string, boolean][] {
  const select = /<select name="registerBookId"[\s\S]*?<\/select>/.exec(html)?.[0] ?? '';
  return [...select.matchAll(/<option value="(\d*)"( selected)?>([^<]*)<\/option>/g)].map((m) => [Number(m[1]), m[3], !!m[2]]);
}
const nextNumber = (html: string) => /data-testid="next-number">([^<]*)</.exec(html)?.[1] ?? null;

beforeAll(async () => {
  h = await createHarness();
  [canbo, lanhdao, vanthu] = await Promise.all(['canbo', 'lanhdao', 'vanthu'].map((u) => h.actor(u)));
  seeded = await h.db.selectFrom('register_books').select(['id', 'name']).where('agency_code', '=', h.agencyCode).executeTakeFirstOrThrow();
  web = await loginStaff(h.baseUrl, 'vanthu');
});
afterAll(async () => { await h?.close(); });

describe('the seal step', () => {
  it('offers and pre-selects the book that takes the year\'s next number, not the newest book', async () => {
    const first = await h.service.act(vanthu, await signed(), 'seal', { registerBookId: seeded.id }, crypto.randomUUID());
    expect(first.certificationNumber).toBe('1/ĐT');
    // A newer book, open today, starting at 50, as the rules before allowed (the case): kept as data.
    const legacy = await h.db.insertInto('register_books').values({
      agency_code: h.agencyCode, name: `50/${YEAR}/ĐT`, start_number: 50, current_number: 50, open_date: TODAY, close_date: `${YEAR}-12-31`, created_by: 'vanthu',
    }).returningAll().executeTakeFirstOrThrow();
    const code = await signed();
    const page = await web.get(`/ho-so/${encodeURIComponent(code)}`);
    expect(page.status).toBe(200);
    expect(bookOptions(page.html)).toEqual([[seeded.id, seeded.name, true]]);
    expect(nextNumber(page.html)).toBe('2/ĐT');
    expect((await web.get(`/so-chung-thuc/so-tiep-theo?registerBookId=${seeded.id}`)).html).toBe('2/ĐT');
    expect((await web.get(`/so-chung-thuc/so-tiep-theo?registerBookId=${legacy.id}`)).html).toBe('');
    // Sealing from the screen with what it offers gives the year's next number in that book.
    const sealed = await web.post(`/ho-so/${encodeURIComponent(code)}/dong-dau`, { _csrf: csrfOf(page.html), _key: crypto.randomUUID(), registerBookId: String(seeded.id) });
    expect(sealed.status, sealed.html.slice(0, 300)).toBe(303);
    expect((await h.service.get(vanthu, code)).certificationNumber).toBe('2/ĐT');
    // The legacy book gave nothing and is not where the year goes on.
    expect(await h.db.selectFrom('register_entries').select('id').where('register_book_id', '=', legacy.id).execute()).toEqual([]);
    await h.db.deleteFrom('register_books').where('id', '=', legacy.id).execute();
  });
});

describe('khóa sổ on the screens', () => {
  it('closes a full book (counts shown, no more numbers) and a past year (its count in the years table)', async () => {
    const list = await web.get('/so-chung-thuc');
    const closed = await web.post(`/so-chung-thuc/${seeded.id}/khoa-so`, { _csrf: csrfOf(list.html) });
    expect(closed.status, closed.html.slice(0, 300)).toBe(303);
    const view = await web.get(closed.location!);
    expect(view.html).toContain(`Đã khóa sổ ${seeded.name}: sổ có 2 số chứng thực; năm ${YEAR} đến nay có 2 số chứng thực.`);
    expect(view.html).toMatch(/data-testid="book-closed">Đã khóa sổ ngày \d\d\/\d\d\/\d{4} \(vanthu\): sổ có 2 số chứng thực/);
    expect(view.html).not.toContain(`/so-chung-thuc/${seeded.id}/khoa-so"`); // no second closing offered
    // Closed: the seal step offers no book until a new one is opened.
    const code = await signed();
    const page = await web.get(`/ho-so/${encodeURIComponent(code)}`);
    expect(bookOptions(page.html)).toEqual([[0, 'Chưa có sổ đang mở', false]]);

    const books = await web.get('/so-chung-thuc');
    expect(books.html).toMatch(new RegExp(`<tr data-year="${YEAR}">[\\s\\S]*?2/ĐT[\\s\\S]*?data-testid="year-count">2<`));
    // The year-end closing of last year; this year only from 31/12.
    const last = await web.post('/so-chung-thuc/khoa-so-nam', { _csrf: csrfOf(books.html), year: String(YEAR - 1) });
    expect(last.status, last.html.slice(0, 300)).toBe(303);
    const after = await web.get('/so-chung-thuc');
    expect(after.html).toContain(`Đã khóa sổ năm ${YEAR - 1}: 0 số chứng thực.`);
    expect(after.html).toMatch(new RegExp(`<tr data-year="${YEAR - 1}">[\\s\\S]*?Đã khóa sổ ngày`));
    if (TODAY < `${YEAR}-12-31`) {
      const early = await web.post('/so-chung-thuc/khoa-so-nam', { _csrf: csrfOf(after.html), year: String(YEAR) });
      expect(early.status).toBe(400);
      expect(early.html).toContain(`Chỉ khóa sổ năm ${YEAR} từ ngày 31/12/${YEAR}`);
    }
    const bad = await web.post('/so-chung-thuc/khoa-so-nam', { _csrf: csrfOf(after.html), year: 'hai' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('Năm không hợp lệ');
  });
});
