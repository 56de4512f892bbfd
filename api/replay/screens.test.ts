// "Kiểm thử phát lại" over plain HTTP (a multipart form, as without JavaScript): a tester uploads several workflow
// histories and sees each one's verdict; a file that is not a history is a failed verdict, one that is not JSON a
// refusal on the form; staff without the tester role and forms without the CSRF token are refused.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { csrfOf, loginStaff, type WebClient } from '../../lib/testing/http.js';

let h: Harness;
let tester: WebClient;
const REPLAY = '/kiem-thu/phat-lai';
const committed = ['dossier-returned-cancelled.json', 'dossier-reviewed-under-v1-after-v2.json'];

function form(csrf: string, files: { name: string; bytes: Buffer; type?: string }[]) {
  const f = new FormData();
  f.append('_csrf', csrf);
  for (const x of files) f.append('histories', new Blob([new Uint8Array(x.bytes)], { type: x.type ?? 'application/json' }), x.name);
  return f;
}
/** The verdict rows: file name and Đạt / Không đạt. */
const rows = (html: string) => [...html.matchAll(/<tr data-verdict="(ok|fail)"><td>([^<]*)<\/td>/g)].map((m) => `${m[2]}:${m[1]}`);

beforeAll(async () => {
  h = await createHarness();
  tester = await loginStaff(h.baseUrl, 'kiemthu');
});
afterAll(async () => { await h?.close(); });

describe('Kiểm thử phát lại', () => {
  it('the menu leads there; staff without the tester role get 403', async () => {
    const page = await tester.get(REPLAY);
    expect(page.status).toBe(200);
    expect(page.html).toContain('href="/kiem-thu/phat-lai"');
    expect(page.html).toMatch(/<input type="file" name="histories"[^>]*multiple/);
    const clerk = await loginStaff(h.baseUrl, 'canbo');
    expect((await clerk.get(REPLAY)).status).toBe(403);
    expect((await clerk.post(REPLAY, form(csrfOf((await clerk.get('/ho-so/theo-doi')).html), [{ name: 'a.json', bytes: Buffer.from('{}') }]))).status).toBe(403);
  });

  it('replays several uploaded histories and shows a verdict for each', async () => {
    const page = await tester.get(REPLAY);
    const files = [
      ...committed.map((name) => ({ name, bytes: fs.readFileSync(`workflows/histories/${name}`) })),
      { name: 'khong-phai-lich-su.json', bytes: Buffer.from('{"events": 3}') },
    ];
    expect((await tester.post(REPLAY, form('', files))).status).toBe(403); // no CSRF token
    const r = await tester.post(REPLAY, form(csrfOf(page.html), files));
    expect(r.status).toBe(200);
    expect(rows(r.html)).toEqual([`${committed[0]}:ok`, `${committed[1]}:ok`, 'khong-phai-lich-su.json:fail']);
    expect(r.html).toContain('có lịch sử không đạt');
    expect(r.html).toContain('Không đọc được lịch sử workflow');
  });

  it('a file that is not JSON, or no file, is refused on the form', async () => {
    const page = await tester.get(REPLAY);
    const pdf = await tester.post(REPLAY, form(csrfOf(page.html), [{ name: 'scan.pdf', bytes: await makePdf(1), type: 'application/pdf' }]));
    expect(pdf.status).toBe(400);
    expect(pdf.html).toContain('không phải lịch sử workflow dạng JSON');
    expect(pdf.html).toMatch(/name="histories"[^>]*aria-invalid="true"/);
    const none = await tester.post(REPLAY, form(csrfOf(page.html), []));
    expect(none.status).toBe(400);
    expect(none.html).toContain('Vui lòng chọn ít nhất một tệp lịch sử');
  });
});
