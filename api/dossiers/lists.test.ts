// The dossier lists against the real stack: the staff's queues oldest first (the same-day deadline puts the oldest
// at risk), "Theo dõi hồ sơ" newest first with a status filter, "quá hạn" only, and a chosen order; the JSON list
// takes the same `overdue` and `sort`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vnIsoDate } from '../../domain/vn-time.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, expectRefusal, loginStaff, multipart } from '../../lib/testing/http.js';

let h: Harness;
const { call } = apiClient(() => h.baseUrl);
const codes: string[] = [];
const yesterday = () => vnIsoDate(new Date(Date.now() - 86400_000));

beforeAll(async () => {
  h = await createHarness();
  for (let i = 0; i < 3; i++) {
    const form = multipart({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf');
    const created = await call('canbo', 'POST', '/dossiers', { form });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    codes.push(created.body.code);
    await new Promise((r) => setTimeout(r, 20)); // distinct creation times
  }
  // The first is past its due day (as it would be after a day in the queue); the third is returned.
  await h.db.updateTable('dossiers').set({ due_date: yesterday() }).where('code', '=', codes[0]!).execute();
  const returned = await call('lanhdao', 'POST', `/dossiers/${encodeURIComponent(codes[2]!)}/return`, { json: { reason: 'Bản scan bị mờ' } });
  expect(returned.status, JSON.stringify(returned.body)).toBe(200);
});
afterAll(async () => { await h?.close(); });

const order = (html: string, among: string[]) => among.filter((c) => html.includes(c)).sort((a, b) => html.indexOf(a) - html.indexOf(b));

describe('dossier lists', () => {
  it('JSON: newest first by default, oldest or nearest due day when asked, overdue only; a bad order is refused', async () => {
    const list = async (query: string) => ((await call('canbo', 'GET', `/dossiers?${query}`)).body.items as { code: string }[]).map((d) => d.code).filter((c) => codes.includes(c));
    expect(await list('')).toEqual([...codes].reverse());
    expect(await list('sort=oldest')).toEqual(codes);
    expect(await list('sort=due')).toEqual([codes[0], codes[1], codes[2]]);
    expect(await list('overdue=1')).toEqual([codes[0]]);
    expect(await list('overdue=1&status=returned')).toEqual([]);
    expectRefusal(await call('canbo', 'GET', '/dossiers?sort=ngau-nhien'), 400, 'validation');
    expectRefusal(await call('canbo', 'GET', '/dossiers?overdue=co'), 400, 'validation');
  });

  it('the queue "Bản sao chờ ký" shows the oldest first; "Theo dõi hồ sơ" the newest, filtered by status or overdue', async () => {
    const leader = await loginStaff(h.baseUrl, 'lanhdao');
    const queue = await leader.get('/ho-so/cho-ky');
    expect(queue.status).toBe(200);
    expect(order(queue.html, codes)).toEqual([codes[0], codes[1]]);
    expect(queue.html).toContain('<option value="oldest" selected>');
    expect(order((await leader.get('/ho-so/cho-ky?sort=newest')).html, codes)).toEqual([codes[1], codes[0]]);

    const clerk = await loginStaff(h.baseUrl, 'canbo');
    const all = await clerk.get('/ho-so/theo-doi');
    expect(order(all.html, codes)).toEqual([codes[2], codes[1], codes[0]]);
    expect(all.html).toContain('data-testid="status-filter"');
    expect(order((await clerk.get('/ho-so/theo-doi?status=returned')).html, codes)).toEqual([codes[2]]);
    const overdue = await clerk.get('/ho-so/theo-doi?overdue=1');
    expect(order(overdue.html, codes)).toEqual([codes[0]]);
    expect(overdue.html).toMatch(/name="overdue" value="1" checked/);
    // The pager keeps the filters.
    const paged = await clerk.get('/ho-so/theo-doi?overdue=1&status=awaiting_signature&pageSize=1');
    expect(order(paged.html, codes)).toEqual([codes[0]]);
    const bad = await clerk.get('/ho-so/theo-doi?status=khong-co');
    expect(bad.status).toBe(200);
    expect(bad.html).toContain('Trạng thái tìm kiếm không hợp lệ.');
  });
});
