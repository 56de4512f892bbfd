// The certificate routes against the real stack (web app, PostgreSQL, the demo CA's OCSP/CRL on loopback): the
// JSON contract (201 with the certificate's facts; 4xx {error, message, field} that change nothing) and the
// screens without JavaScript (CSRF, Vietnamese refusals shown on the form, the administrator's approval).
import crypto, { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../lib/testing/harness.js';
import { apiClient, csrfOf, expectRefusal, loginStaff, multipart } from '../../lib/testing/http.js';

let h: Harness;
const { call } = apiClient(() => h.baseUrl);
const p12Form = (p12: Buffer | null, fields: Record<string, string>) => multipart(fields, 'file', p12, 'chung-thu.p12', 'application/x-pkcs12');
const count = async () => Number((await h.db.selectFrom('certificates').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

beforeAll(async () => { h = await createHarness(); });
afterAll(async () => { await h?.close(); });

describe('POST /api/v1/certificates', () => {
  it("takes the leader's PKCS#12 and answers 201 with its facts; GET lists it in use", async () => {
    const leader = await h.actor('lanhdao');
    const k = await h.trustServices.store.leaderKey({ username: 'lanhdao', fullName: leader.fullName });
    const r = await call('lanhdao', 'POST', '/certificates', { form: p12Form(k.p12, { purpose: 'personal', passphrase: k.passphrase }) });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const x = new X509Certificate(k.certPem);
    expect(r.body).toMatchObject({
      fingerprint: crypto.createHash('sha256').update(x.raw).digest('hex'), purpose: 'personal', commonName: leader.fullName,
      notBefore: new Date(x.validFrom).toISOString(), notAfter: new Date(x.validTo).toISOString(), status: 'in_use',
    });
    expect(r.body.subject).toContain(`CN=${leader.fullName}`);
    expect(r.body.issuer).toContain('CA thử nghiệm');
    const list = await call('lanhdao', 'GET', '/certificates');
    expect(list.body.personal.map((c: { fingerprint: string }) => c.fingerprint)).toEqual([r.body.fingerprint]);
    expect(JSON.stringify(list.body)).not.toMatch(/key_wrapped|keyWrapped|BEGIN/);
  });

  it('refuses with 4xx {error, message, field} and stores nothing', async () => {
    const k = await h.trustServices.store.sealKey({ code: '000.00.00.X99', name: 'UBND Xã Khác' });
    const before = await count();
    expectRefusal(await call('vanthu', 'POST', '/certificates', { form: p12Form(k.p12, { purpose: 'seal', passphrase: 'sai' }) }), 400, 'validation', 'passphrase');
    expectRefusal(await call('vanthu', 'POST', '/certificates', { form: p12Form(Buffer.from('-----BEGIN CERTIFICATE-----'), { purpose: 'seal', passphrase: 'x' }) }), 400, 'bad_file', /PKCS#12/);
    expectRefusal(await call('vanthu', 'POST', '/certificates', { form: p12Form(Buffer.alloc(300 * 1024, 0x30), { purpose: 'seal', passphrase: 'x' }) }), 413, 'too_large', 'file');
    expectRefusal(await call('vanthu', 'POST', '/certificates', { form: p12Form(k.p12, { purpose: 'both', passphrase: k.passphrase }) }), 400, 'validation', /personal/);
    expectRefusal(await call('vanthu', 'POST', '/certificates', { form: p12Form(null, { purpose: 'seal', passphrase: k.passphrase }) }), 400, 'validation', 'file');
    // the seal of an agency named otherwise: refused by the agency rule
    expectRefusal(await call('vanthu', 'POST', '/certificates', { form: p12Form(k.p12, { purpose: 'seal', passphrase: k.passphrase }) }), 422, 'certificate_refused', /không mang tên cơ quan/);
    // a clerk may not upload a leader's certificate
    expectRefusal(await call('canbo', 'POST', '/certificates', { form: p12Form(k.p12, { purpose: 'personal', passphrase: k.passphrase }) }), 403, 'forbidden');
    expect(await count()).toBe(before);
  });

  it('names a bad fingerprint in /use, and refuses to use what is not the caller’s', async () => {
    expectRefusal(await call('lanhdao', 'POST', '/certificates/ABC/use'), 400, 'validation', /fingerprint/);
    const mine = (await call('lanhdao', 'GET', '/certificates')).body.personal[0].fingerprint;
    expectRefusal(await call('vanthu', 'POST', `/certificates/${mine}/use`), 403, 'forbidden');
  });
});

describe('the screens', () => {
  it('upload the agency seal with the CSRF token, show a wrong passphrase on the form, and refuse a post without the token', async () => {
    const agencyName = (await h.db.selectFrom('agencies').select('name').where('code', '=', h.agencyCode).executeTakeFirstOrThrow()).name;
    const k = await h.trustServices.store.sealKey({ code: h.agencyCode, name: agencyName });
    const b = await loginStaff(h.baseUrl, 'vanthu');
    const page = await b.get('/quan-ly-con-dau/chung-thu-so');
    expect(page.status).toBe(200);
    expect(page.html).toContain('Chưa có chứng thư số nào được tải lên');
    const csrf = csrfOf(page.html);
    const before = await count();
    const noToken = await b.post('/quan-ly-con-dau/chung-thu-so', p12Form(k.p12, { passphrase: k.passphrase }));
    expect(noToken.status).toBe(403);
    const wrong = await b.post('/quan-ly-con-dau/chung-thu-so', p12Form(k.p12, { _csrf: csrf, passphrase: 'sai' }));
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('Mật khẩu của tệp chứng thư số không đúng.');
    expect(await count()).toBe(before);
    const ok = await b.post('/quan-ly-con-dau/chung-thu-so', p12Form(k.p12, { _csrf: csrf, passphrase: k.passphrase }));
    expect(ok.status, ok.html.slice(0, 500)).toBe(303);
    const after = await b.get('/quan-ly-con-dau/chung-thu-so');
    expect(after.html).toContain('Đang dùng');
    expect(after.html).toContain(`Đã tải lên chứng thư số của “${agencyName}”`);
    // a leader does not reach the agency's certificates
    const leader = await loginStaff(h.baseUrl, 'lanhdao');
    expect((await leader.get('/quan-ly-con-dau/chung-thu-so')).status).toBe(403);
  });

  it('let an administrator approve a certificate whose holder name differs', async () => {
    const k = await h.trustServices.store.leaderKey({ username: 'lanhdao-alias', fullName: 'Lâm P. Thọ' });
    const leader = await loginStaff(h.baseUrl, 'lanhdao');
    const page = await leader.get('/trang-ca-nhan/chung-thu-so');
    const up = await leader.post('/trang-ca-nhan/chung-thu-so', p12Form(k.p12, { _csrf: csrfOf(page.html), passphrase: k.passphrase }));
    expect(up.status).toBe(303);
    expect((await leader.get('/trang-ca-nhan/chung-thu-so')).html).toContain('Chờ quản trị viên xác nhận');
    const admin = await loginStaff(h.baseUrl, 'quantri');
    const approvals = await admin.get('/quan-tri/chung-thu-so');
    expect(approvals.html).toContain('Lâm P. Thọ');
    const fp = /data-fingerprint="([0-9a-f]{64})"/.exec(approvals.html)![1];
    const ok = await admin.post(`/quan-tri/chung-thu-so/${fp}/xac-nhan`, { _csrf: csrfOf(approvals.html) });
    expect(ok.status).toBe(303);
    expect((await admin.get('/quan-tri/chung-thu-so')).html).toContain('Không có chứng thư số nào chờ xác nhận');
    const list = (await call('lanhdao', 'GET', '/certificates')).body.personal;
    expect(list.find((c: { fingerprint: string }) => c.fingerprint === fp).status).toBe('in_use');
  });
});
