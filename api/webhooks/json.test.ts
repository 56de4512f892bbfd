// Webhooks against the real stack and a real HTTP receiver on loopback: an agency's admin subscribes, dossier events
// arrive signed (HMAC-SHA256) with their event id, at least once; a receiver answering 500 or down for a while gets
// them later; one that never answers is marked failed and sent again by a person; refusals change nothing.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, csrfOf, expectRefusal, loginStaff, multipart } from '../../lib/testing/http.js';
import { eventually } from '../../lib/testing/time.js';

let h: Harness;
const { call } = apiClient(() => h.baseUrl);
const enc = encodeURIComponent;

interface Received { headers: http.IncomingHttpHeaders; body: string }
/** A receiver: answers each POST with `answer()` (an HTTP status) and keeps what it got. */
class Receiver {
  got: Received[] = [];
  answer: () => number = () => 200;
  private server: http.Server | null = null;
  constructor(public port = 0) {}
  async start() {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => { const status = this.answer(); this.got.push({ headers: req.headers, body }); res.writeHead(status).end(); });
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', () => r()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }
  async stop() { await new Promise((r) => this.server?.close(r)); this.server = null; }
  get url() { return `http://127.0.0.1:${this.port}/su-kien`; }
  events() { return this.got.map((g) => JSON.parse(g.body) as { id: string; type: string; dossier: { code: string } }); }
}

const receivers: Receiver[] = [];
beforeAll(async () => { h = await createHarness({ env: { WEBHOOK_BACKOFF: '200 milliseconds', WEBHOOK_ATTEMPTS: '5' } }); });
afterAll(async () => { for (const r of receivers) await r.stop(); await h?.close(); });

async function receiver(): Promise<Receiver> { const r = await new Receiver().start(); receivers.push(r); return r; }
async function subscribe(url: string, events: string[]): Promise<{ id: number; secret: string }> {
  const r = await call('quantri', 'POST', `/admin/agencies/${enc(h.agencyCode)}/webhooks`, { json: { url, events } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
async function dossier(): Promise<string> {
  const form = multipart({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf');
  const r = await call('canbo', 'POST', '/dossiers', { form });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.code;
}
const deliveries = async (id: number) => (await call('quantri', 'GET', `/admin/webhooks/${id}/deliveries?pageSize=100`)).body.items as { id: number; eventId: string; type: string; dossierCode: string; status: string; attempts: number; lastStatus: number | null; run: number }[];
const ofDossier = (r: Receiver, code: string) => r.events().filter((e) => e.dossier.code === code);

describe('webhooks', () => {
  it('delivers the subscribed events, signed, with their event id, and nothing personal', async () => {
    const rx = await receiver();
    const hook = await subscribe(rx.url, ['submitted', 'returned', 'signed']);
    expect(hook.secret).toMatch(/^[0-9a-f]{64}$/);
    const code = await dossier();
    const url = `/dossiers/${enc(code)}`;
    expect((await call('lanhdao', 'POST', `${url}/return`, { json: { reason: 'Bản scan bị mờ' } })).status).toBe(200);
    expect((await call('canbo', 'POST', `${url}/resubmit`, { json: {} })).status).toBe(200);
    expect((await call('lanhdao', 'POST', `${url}/sign`)).status).toBe(200);
    await eventually(async () => ofDossier(rx, code).map((e) => e.type), (t) => t.length >= 3, 'three events at the receiver');
    // resubmitted was not asked for; the order of arrival may differ, each arrives once here (no failures).
    expect(ofDossier(rx, code).map((e) => e.type).sort()).toEqual(['dossier.returned', 'dossier.signed', 'dossier.submitted']);
    for (const g of rx.got.filter((x) => JSON.parse(x.body).dossier.code === code)) {
      const expected = createHmac('sha256', hook.secret).update(`${g.headers['x-ctdt-timestamp']}.${g.body}`).digest('hex');
      expect(g.headers['x-ctdt-signature']).toBe(`sha256=${expected}`);
      expect(g.headers['x-ctdt-event-id']).toBe(JSON.parse(g.body).id);
      expect(g.headers['content-type']).toBe('application/json');
      for (const personal of ['Nguyễn Thị Thu', '151804051', 'nguyenthithu@example.vn', '0942077843']) expect(g.body).not.toContain(personal);
    }
    const log = (await deliveries(hook.id)).filter((d) => d.dossierCode === code);
    expect(log.map((d) => [d.type, d.status, d.attempts, d.lastStatus]).sort()).toEqual([['returned', 'sent', 1, 200], ['signed', 'sent', 1, 200], ['submitted', 'sent', 1, 200]]);
    // The audit has the subscription, never its secret.
    const audit = await h.db.selectFrom('admin_events').selectAll().where('entity', '=', 'webhook').where('entity_id', '=', String(hook.id)).execute();
    expect(audit.map((a) => a.action)).toEqual(['created']);
    expect(JSON.stringify(audit)).not.toContain(hook.secret);
    // Deactivated: nothing new is sent to it.
    expect((await call('quantri', 'PATCH', `/admin/webhooks/${hook.id}`, { json: { active: false } })).body.active).toBe(false);
    const later = await dossier();
    await new Promise((r) => setTimeout(r, 1500));
    expect(ofDossier(rx, later)).toEqual([]);
  });

  it('a receiver answering 500, then one down for a while, still gets the event; the same event id each time', async () => {
    const flaky = await receiver();
    let calls = 0;
    flaky.answer = () => (++calls <= 2 ? 500 : 200);
    const a = await subscribe(flaky.url, ['submitted']);
    // A port nobody listens on yet: the receiver starts a moment later, on that port.
    const down = new Receiver(0);
    await down.start(); const port = down.port; await down.stop();
    const b = await subscribe(`http://127.0.0.1:${port}/su-kien`, ['submitted']);
    const code = await dossier();
    await new Promise((r) => setTimeout(r, 700));
    const late = await new Receiver(port).start(); receivers.push(late);
    await eventually(async () => ofDossier(flaky, code).length, (n) => n >= 3, 'the third try at the flaky receiver');
    await eventually(async () => ofDossier(late, code).length, (n) => n >= 1, 'the receiver that came up later');
    expect(new Set(ofDossier(flaky, code).map((e) => e.id)).size).toBe(1);
    const [da] = (await eventually(async () => (await deliveries(a.id)).filter((d) => d.dossierCode === code), (l) => l[0]?.status === 'sent', 'sent to the flaky one'));
    expect(da).toMatchObject({ attempts: 3, lastStatus: 200 });
    const [db] = await eventually(async () => (await deliveries(b.id)).filter((d) => d.dossierCode === code), (l) => l[0]?.status === 'sent', 'sent to the late one');
    expect(db!.attempts).toBeGreaterThan(1);
    for (const id of [a.id, b.id]) await call('quantri', 'PATCH', `/admin/webhooks/${id}`, { json: { active: false } });
  });

  it('a receiver that never answers 2xx: failed after the attempts; a person sends it again, and it arrives', async () => {
    const broken = await receiver();
    broken.answer = () => 503;
    const hook = await subscribe(broken.url, ['submitted']);
    const code = await dossier();
    const [failed] = await eventually(async () => (await deliveries(hook.id)).filter((d) => d.dossierCode === code), (l) => l[0]?.status === 'failed', 'the delivery to fail', 30_000);
    expect(failed).toMatchObject({ attempts: 5, lastStatus: 503, run: 0 });
    broken.answer = () => 200;
    // On the screen: the log shows it, "Gửi lại" sends it again.
    const admin = await loginStaff(h.baseUrl, 'quantri');
    const log = await admin.get(`/quan-tri/webhook/${hook.id}`);
    expect(log.status).toBe(200);
    expect(log.html).toContain(`data-delivery="${failed!.id}" data-status="failed"`);
    const resent = await admin.post(`/quan-tri/webhook/lan-gui/${failed!.id}/gui-lai`, { _csrf: csrfOf(log.html), subscriptionId: String(hook.id) });
    expect(resent.status, resent.html.slice(0, 300)).toBe(303);
    const [sent] = await eventually(async () => (await deliveries(hook.id)).filter((d) => d.dossierCode === code), (l) => l[0]?.status === 'sent', 'the re-sent delivery');
    expect(sent).toMatchObject({ run: 1, lastStatus: 200 });
    const ids = ofDossier(broken, code).map((e) => e.id);
    expect(new Set(ids).size).toBe(1);
    expect(ids.length).toBe(6);
    await call('quantri', 'PATCH', `/admin/webhooks/${hook.id}`, { json: { active: false } });
  });

  it('refuses what it cannot take, and changes nothing', async () => {
    const count = async () => Number((await h.db.selectFrom('webhook_subscriptions').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const path = `/admin/agencies/${enc(h.agencyCode)}/webhooks`;
    expectRefusal(await call('quantri', 'POST', path, { json: { url: 'ftp://a.vn/x', events: ['submitted'] } }), 400, 'validation');
    expectRefusal(await call('quantri', 'POST', path, { json: { url: 'https://a.vn/x', events: [] } }), 400, 'validation');
    expectRefusal(await call('quantri', 'POST', path, { json: { url: 'https://a.vn/x', events: ['deleted'] } }), 400, 'validation');
    expectRefusal(await call('canbo', 'POST', path, { json: { url: 'https://a.vn/x', events: ['submitted'] } }), 403, 'forbidden');
    expectRefusal(await call('quantri', 'POST', '/admin/agencies/000.00.00.X99/webhooks', { json: { url: 'https://a.vn/x', events: ['submitted'] } }), 404, 'not_found');
    expectRefusal(await call('quantri', 'PATCH', '/admin/webhooks/999999', { json: { active: true } }), 404, 'not_found');
    expectRefusal(await call('quantri', 'PATCH', '/admin/webhooks/abc', { json: { active: true } }), 404, 'not_found');
    expectRefusal(await call('quantri', 'POST', '/admin/webhook-deliveries/999999/resend'), 404, 'not_found');
    expect(await count()).toBe(before);
  });

  it('screen: an admin adds a webhook and sees its secret once', async () => {
    const admin = await loginStaff(h.baseUrl, 'quantri');
    const page = await admin.get('/quan-tri/webhook');
    expect(page.status).toBe(200);
    const created = await admin.post('/quan-tri/webhook', new URLSearchParams([['_csrf', csrfOf(page.html)], ['agencyCode', h.agencyCode], ['url', 'https://dvc.example.gov.vn/su-kien'], ['events', 'sealed'], ['events', 'delivered']]));
    expect(created.status, created.html.slice(0, 300)).toBe(201);
    const secret = /data-testid="secret-value">([0-9a-f]{64})</.exec(created.html)?.[1];
    expect(secret).toBeTruthy();
    expect((await admin.get('/quan-tri/webhook')).html).not.toContain(secret!);
    const bad = await admin.post('/quan-tri/webhook', new URLSearchParams([['_csrf', csrfOf(page.html)], ['agencyCode', h.agencyCode], ['url', 'gopher://x'], ['events', 'sealed']]));
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('phải bắt đầu bằng http:// hoặc https://');
  });
});
