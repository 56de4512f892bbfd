// Signing and sealing several dossiers in one action, against the real stack: each dossier signed or sealed by its
// own workflow, a refused one reported for itself without stopping the others, seals numbered in the chosen order,
// the same key never acting twice; the request's refusals change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, csrfOf, expectRefusal, loginStaff, multipart } from '../../lib/testing/http.js';
import { eventually } from '../../lib/testing/time.js';

let h: Harness;
const { call } = apiClient(() => h.baseUrl);
beforeAll(async () => { h = await createHarness(); });
afterAll(async () => { await h?.close(); });

async function dossier(): Promise<string> {
  const form = multipart({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf');
  const r = await call('canbo', 'POST', '/dossiers', { form });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.code;
}
const status = async (code: string) => (await call('canbo', 'GET', `/dossiers/${encodeURIComponent(code)}`)).body;
const finished = (who: string, id: string) => eventually(async () => (await call(who, 'GET', `/batches/${id}`)).body, (b) => b.progress?.finished === true, 'the batch to finish');
const signEvents = async (code: string) => (await h.db.selectFrom('dossier_events').select('type').where('dossier_code', '=', code).where('type', '=', 'signed').execute()).length;

describe('batches', () => {
  it('signs the chosen dossiers, reports a refused one for itself, and a repeat with the same key acts once', async () => {
    const [a, b, c] = [await dossier(), await dossier(), await dossier()];
    expect((await call('lanhdao', 'POST', `/dossiers/${encodeURIComponent(c)}/return`, { json: { reason: 'Bản scan bị mờ' } })).status).toBe(200);
    const headers = { 'Idempotency-Key': crypto.randomUUID() };
    const started = await call('lanhdao', 'POST', '/batches', { json: { kind: 'sign', codes: [a, c, b] }, headers });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body.items.map((i: { code: string }) => i.code)).toEqual([a, c, b]);
    const done = await finished('lanhdao', started.body.id);
    expect(done.progress).toEqual({ total: 3, done: 2, failed: 1, pending: 0, finished: true });
    const byCode = Object.fromEntries(done.items.map((i: { code: string }) => [i.code, i]));
    expect(byCode[a]).toMatchObject({ status: 'done', message: null });
    expect(byCode[b]).toMatchObject({ status: 'done', message: null });
    expect(byCode[c].status).toBe('failed');
    expect(byCode[c].message).toMatch(/trả lại|chờ ký|trạng thái/i);
    expect((await status(a)).status).toBe('awaiting_seal');
    expect((await status(b)).signedBy.username).toBe('lanhdao');
    expect((await status(c)).status).toBe('returned');
    // The same key again: the same batch, no second signature.
    const again = await call('lanhdao', 'POST', '/batches', { json: { kind: 'sign', codes: [a, c, b] }, headers });
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(started.body.id);
    expect([await signEvents(a), await signEvents(b)]).toEqual([1, 1]);

    // Sealed in the order chosen: b, then a, with consecutive numbers.
    const books = (await call('vanthu', 'GET', '/register-books')).body as { id: number; closedAt?: string | null; closed_at?: string | null }[];
    const book = books.find((x) => !(x.closedAt ?? x.closed_at))!;
    const sealing = await call('vanthu', 'POST', '/batches', { json: { kind: 'seal', codes: [b, a], registerBookId: book.id } });
    expect(sealing.status, JSON.stringify(sealing.body)).toBe(202);
    const sealed = await finished('vanthu', sealing.body.id);
    expect(sealed.progress).toMatchObject({ done: 2, failed: 0 });
    const [nb, na] = sealed.items.map((i: { certificationNumber: string }) => Number.parseInt(i.certificationNumber, 10));
    expect(na).toBe(nb + 1);
    expect((await status(a)).certificationNumber).toBe(sealed.items[1].certificationNumber);
  });

  it('refuses a request it cannot take, and starts nothing', async () => {
    const a = await dossier();
    const count = async () => Number((await h.client.workflow.count(`TaskQueue = "${h.config.taskQueue}" AND WorkflowType = "batchWorkflow"`)).count);
    const before = await count();
    expectRefusal(await call('canbo', 'POST', '/batches', { json: { kind: 'sign', codes: [a] } }), 403, 'forbidden');
    expectRefusal(await call('lanhdao', 'POST', '/batches', { json: { kind: 'sign', codes: [] } }), 400, 'validation');
    expectRefusal(await call('lanhdao', 'POST', '/batches', { json: { kind: 'ky', codes: [a] } }), 400, 'validation');
    expectRefusal(await call('lanhdao', 'POST', '/batches', { json: { kind: 'sign', codes: Array.from({ length: 101 }, (_, i) => `X-${i}`) } }), 400, 'validation');
    expectRefusal(await call('lanhdao', 'POST', '/batches', { json: { kind: 'sign', codes: [a, { $ne: 1 }] } }), 400, 'validation');
    const unknown = await call('lanhdao', 'POST', '/batches', { json: { kind: 'sign', codes: [a, 'G22.29-010126-019999'] } });
    expectRefusal(unknown, 404, 'not_found');
    expect(unknown.body.message).toContain('G22.29-010126-019999');
    expectRefusal(await call('vanthu', 'POST', '/batches', { json: { kind: 'seal', codes: [a] } }), 400, 'validation');
    expectRefusal(await call('lanhdao', 'GET', '/batches/0123456789abcdef0123456789abcdef'), 404, 'not_found');
    expectRefusal(await call('lanhdao', 'GET', '/batches/..%2F..'), 404, 'not_found');
    expect(await count()).toBe(before);
    expect((await status(a)).status).toBe('awaiting_signature');
  });

  it('screen: the leader ticks dossiers in "Bản sao chờ ký", signs them in one action and follows the progress', async () => {
    const [a, b] = [await dossier(), await dossier()];
    const leader = await loginStaff(h.baseUrl, 'lanhdao');
    const queue = await leader.get('/ho-so/cho-ky?pageSize=100');
    expect(queue.status).toBe(200);
    expect(queue.html).toContain(`name="code" value="${a}"`);
    expect(queue.html).toContain('KÝ SỐ CÁC HỒ SƠ ĐÃ CHỌN');
    const key = /name="_key" value="([^"]+)"/.exec(queue.html.slice(queue.html.indexOf('bulk-form')))![1]!;
    const form = new URLSearchParams([['_csrf', csrfOf(queue.html)], ['_key', key], ['kind', 'sign'], ['code', a], ['code', b]]);
    const posted = await leader.post('/ho-so/hang-loat', form);
    expect(posted.status, posted.html.slice(0, 300)).toBe(303);
    expect(posted.location).toMatch(/^\/ho-so\/hang-loat\/[0-9a-f]{32}$/);
    const page = await eventually(() => leader.get(posted.location!), (p) => p.html.includes('data-finished="yes"'), 'the batch page to say it is done');
    expect(page.html).toContain('Thành công: <strong>2</strong>');
    expect(page.html).toMatch(new RegExp(`data-code="${a}" data-status="done"`));
    // Without the role, or from another agency's session, the batch is not found; the creator has no checkboxes.
    const clerk = await loginStaff(h.baseUrl, 'canbo');
    expect((await clerk.get(posted.location!)).status).toBe(404);
    const refused = await clerk.post('/ho-so/hang-loat', new URLSearchParams([['_csrf', csrfOf((await clerk.get('/ho-so/theo-doi')).html)], ['kind', 'sign'], ['code', a]]));
    expect(refused.status).toBe(303);
    expect(refused.location).toBe('/ho-so/cho-ky');
  });
});
