// Delivery of the e-copy by e-mail against a REAL SMTP server (npm smtp-server on 127.0.0.1), with the real
// worker on the Temporal dev server: the attachment arrives byte-identical, a refused first attempt is retried
// by the workflow and delivered once, and a large e-copy goes out as a download link served by the web app.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../domain/types.js';
import { uploadedPdf } from '../lib/testing/files.js';
import { createHarness, makePdf, waitForDelivery, type Harness } from '../lib/testing/harness.js';
import { loginCitizen } from '../lib/testing/http.js';
import { workflowIdFor } from '../workflows/messages.js';
import { createLocalStorage } from './storage.js';

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

// ---------- the SMTP server ----------

interface Received { from: string; to: string[]; raw: Buffer; mail: ParsedMail }
const received: Received[] = [];
/** Every RCPT TO and DATA the server saw, accepted or not. */
const seen: { stage: 'rcpt' | 'data'; to: string; accepted: boolean }[] = [];
/** Recipients whose next RCPT or DATA is refused once, with the given SMTP reply code. */
const refuseOnce = new Map<string, { stage: 'rcpt' | 'data'; code: number }>();
/** Recipients the server always refuses (a mailbox that does not exist). */
const refuseAlways = new Set<string>();

function smtpError(message: string, code: number) {
  return Object.assign(new Error(message), { responseCode: code });
}

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onRcptTo(address, _session, cb) {
    if (refuseAlways.has(address.address)) {
      seen.push({ stage: 'rcpt', to: address.address, accepted: false });
      return cb(smtpError('5.1.1 Mailbox does not exist', 550));
    }
    const rule = refuseOnce.get(address.address);
    if (rule?.stage === 'rcpt') {
      refuseOnce.delete(address.address);
      seen.push({ stage: 'rcpt', to: address.address, accepted: false });
      return cb(smtpError('Mailbox temporarily unavailable', rule.code));
    }
    seen.push({ stage: 'rcpt', to: address.address, accepted: true });
    cb();
  },
  onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const to = session.envelope.rcptTo.map((r) => r.address);
      const rule = to.map((a) => refuseOnce.get(a)).find((r) => r?.stage === 'data');
      if (rule) {
        to.forEach((a) => refuseOnce.delete(a));
        to.forEach((a) => seen.push({ stage: 'data', to: a, accepted: false }));
        return cb(smtpError('Message refused', rule.code));
      }
      to.forEach((a) => seen.push({ stage: 'data', to: a, accepted: true }));
      const raw = Buffer.concat(chunks);
      simpleParser(raw).then((mail) => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to, raw, mail });
        cb();
      }, cb);
    });
  },
});
let smtpUrl = '';

const mailsTo = (address: string) => received.filter((m) => m.to.includes(address));

beforeAll(async () => {
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
});
afterAll(async () => { await new Promise<void>((resolve) => smtp.close(resolve)); });

// ---------- driving a dossier to completion ----------

async function completedDossier(h: Harness, applicant: { applicantKind: string } & Record<string, string>, pages = 2) {
  const [canbo, lanhdao, vanthu] = await Promise.all(['canbo', 'lanhdao', 'vanthu'].map((u) => h.actor(u))) as Actor[];
  const d = await h.service.create(canbo, { documentType: 'GKS', ...applicant }, uploadedPdf(h, await makePdf(pages)), crypto.randomUUID());
  await h.service.act(lanhdao, d.code, 'sign', {}, crypto.randomUUID());
  const book = await h.db.selectFrom('register_books').select('id').where('agency_code', '=', h.agencyCode).orderBy('id').executeTakeFirstOrThrow();
  const sealed = await h.service.act(vanthu, d.code, 'seal', { registerBookId: book.id }, crypto.randomUUID());
  expect(sealed.status).toBe('completed');
  return { sealed, deliver: () => h.service.act(vanthu, d.code, 'deliver', {}, crypto.randomUUID()) };
}

async function emailDelivery(h: Harness, code: string) {
  return h.db.selectFrom('deliveries').selectAll().where('dossier_code', '=', code).where('channel', '=', 'email').executeTakeFirstOrThrow();
}

/** Waits for the dossier's workflow to finish, then a little more, so a stray retry would have shown up. */
async function settled(h: Harness, code: string) {
  const result = await h.client.workflow.getHandle(workflowIdFor(code)).result();
  expect(result.delivery?.status).toBe('sent');
  await new Promise((r) => setTimeout(r, 500));
}

// =====================================================================================================

describe('e-copy attached to the e-mail', () => {
  let h: Harness;
  beforeAll(async () => { h = await createHarness({ env: { SMTP_URL: smtpUrl } }); });
  afterAll(async () => { await h?.close(); });

  it('sends exactly one message to the applicant, naming the dossier, with the sealed PDF attached byte for byte', async () => {
    const before = received.length;
    const { sealed, deliver } = await completedDossier(h, { applicantKind: 'citizen', idNumber: '151804051' });
    const delivered = await deliver();
    expect(delivered.delivery).toMatchObject({ email: 'nguyenthithu@example.vn', portal: true });
    await settled(h, sealed.code);

    expect(received.length - before).toBe(1);
    const m = received[received.length - 1];
    expect(m.to).toEqual(['nguyenthithu@example.vn']);
    expect(m.mail.to && !Array.isArray(m.mail.to) ? m.mail.to.value.map((a) => a.address) : []).toEqual(['nguyenthithu@example.vn']);
    expect(m.mail.subject).toContain(sealed.code);
    expect(m.mail.subject).toContain('Giấy khai sinh');
    expect(m.mail.text).toContain('Nguyễn Thị Thu');
    expect(m.mail.text).toContain(`Số chứng thực: ${sealed.certificationNumber}`);

    expect(m.mail.attachments).toHaveLength(1);
    const att = m.mail.attachments[0];
    expect(att.contentType).toBe('application/pdf');
    expect(att.filename).toBe(`ban-sao-dien-tu-${sealed.code}.pdf`);
    expect(sha256(att.content)).toBe(sealed.sealedPdf!.sha256);
    const stored = await createLocalStorage(path.join(h.config.dataDir, 'files')).get(sealed.sealedPdf!.sha256);
    expect(att.content.equals(stored)).toBe(true);

    const row = await emailDelivery(h, sealed.code);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, address: 'nguyenthithu@example.vn', error: null });
    expect(row.message_id).toBe(m.mail.messageId);
    // Nothing went to the local outbox: the SMTP server was used.
    expect(fs.existsSync(path.join(h.config.dataDir, 'outbox'))).toBe(false);
  });

  it('tells a citizen with a portal account in "Thông báo", once, even when the delivery is retried', async () => {
    const email = 'nguyenthithu@example.vn';
    const { sealed, deliver } = await completedDossier(h, { applicantKind: 'citizen', idNumber: '151804051' });
    // The e-mail is refused once: the workflow runs the whole delivery again, portal part included.
    refuseOnce.set(email, { stage: 'rcpt', code: 451 });
    await deliver();
    await settled(h, sealed.code);
    expect(refuseOnce.has(email), 'the first attempt was refused, so the delivery ran twice').toBe(false);

    const notes = await h.db.selectFrom('notifications').selectAll().where('account_username', '=', 'congdan').where('body', 'like', `%${sealed.code}%`).execute();
    expect(notes, 'one notification, whatever the retries').toHaveLength(1);
    expect(notes[0].title).toBe('Đã có bản sao điện tử Giấy khai sinh');
    expect(notes[0].body).toContain(`số chứng thực ${sealed.certificationNumber}`);
    expect(notes[0].body).toContain('Bản sao điện tử của tôi');
    expect(notes[0].read_at).toBeNull();

    // The citizen sees it on the portal, counted as unread until the page is opened.
    const citizen = await loginCitizen(h.baseUrl, 'congdan');
    expect((await citizen.get('/cong-dan/lich-hen')).html).toMatch(/data-testid="unread">\d+</);
    const page = await citizen.get('/cong-dan/thong-bao');
    expect(page.html).toContain('Đã có bản sao điện tử Giấy khai sinh');
    expect(page.html).toContain(sealed.code);
  });

  for (const refusal of [{ stage: 'rcpt', code: 451 }, { stage: 'data', code: 554 }] as const) {
    it(`retries after the server refuses the first attempt at ${refusal.stage.toUpperCase()} (${refusal.code}), and delivers once`, async () => {
      const email = `thu-lai-${refusal.stage}@example.vn`;
      const { sealed, deliver } = await completedDossier(h, { applicantKind: 'no_account', fullName: 'Võ Thị Lài', email });
      refuseOnce.set(email, refusal);
      const delivered = await deliver();
      expect(delivered.delivery).toMatchObject({ email, portal: false });
      await settled(h, sealed.code);

      // The first attempt really was refused, and the second went through.
      expect(refuseOnce.has(email)).toBe(false);
      const tries = seen.filter((s) => s.to === email && s.stage === refusal.stage);
      expect(tries.map((t) => t.accepted)).toEqual([false, true]);
      const mails = mailsTo(email);
      expect(mails).toHaveLength(1);
      expect(mails[0].mail.subject).toContain(sealed.code);
      expect(sha256(mails[0].mail.attachments[0].content)).toBe(sealed.sealedPdf!.sha256);

      const row = await emailDelivery(h, sealed.code);
      expect(row.status).toBe('sent');
      expect(row.attempts).toBeGreaterThanOrEqual(2);
      expect(row.message_id).toBe(mails[0].mail.messageId);
    });
  }
});

// =====================================================================================================

describe('e-copy larger than MAX_ATTACHMENT_BYTES', () => {
  let h: Harness;
  const publicUrl = 'https://chungthuc.example.vn';
  beforeAll(async () => { h = await createHarness({ env: { SMTP_URL: smtpUrl, MAX_ATTACHMENT_BYTES: '1000', PUBLIC_URL: publicUrl } }); });
  afterAll(async () => { await h?.close(); });

  it('is sent as a link to the web app, which serves the PDF; unknown and expired links are 404', async () => {
    const email = 'lien-ket@example.vn';
    const { sealed, deliver } = await completedDossier(h, { applicantKind: 'no_account', fullName: 'Đặng Văn Liên', email }, 3);
    expect(sealed.sealedPdf!.size).toBeGreaterThan(1000);
    await deliver();
    await settled(h, sealed.code);

    const mails = mailsTo(email);
    expect(mails).toHaveLength(1);
    const m = mails[0].mail;
    expect(m.subject).toContain(sealed.code);
    expect(m.attachments).toHaveLength(0);
    const link = new RegExp(`${publicUrl.replace(/[.]/g, '\\.')}/tai-ve/([A-Za-z0-9_-]{20,})`).exec(m.text ?? '');
    expect(link, `a download link in: ${m.text}`).not.toBeNull();
    const token = link![1];

    const res = await fetch(`${h.baseUrl}/tai-ve/${token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/pdf/);
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(sha256(pdf)).toBe(sealed.sealedPdf!.sha256);
    expect((await emailDelivery(h, sealed.code)).status).toBe('sent');

    const unknown = await fetch(`${h.baseUrl}/tai-ve/${crypto.randomBytes(32).toString('base64url')}`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).not.toMatch(/pdf/);

    await h.db.updateTable('download_links').set({ expires_at: new Date(Date.now() - 1000) }).where('token', '=', token).execute();
    const expired = await fetch(`${h.baseUrl}/tai-ve/${token}`);
    expect(expired.status).toBe(404);
  });
});

// =====================================================================================================

describe('Quản lý gửi lại email: a failed delivery, then a re-send to a corrected address', () => {
  let h: Harness;
  beforeAll(async () => { h = await createHarness({ env: { SMTP_URL: smtpUrl, REDELIVERY_WINDOW: '1 minute' } }); });
  afterAll(async () => { await h?.close(); });

  async function login(username: string) {
    const page = await fetch(`${h.baseUrl}/dang-nhap`);
    let cookie = (page.headers.getSetCookie() ?? []).map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    const res = await fetch(`${h.baseUrl}/dang-nhap`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, username, password: 'demo' }) });
    cookie = (res.headers.getSetCookie() ?? []).map((c) => c.split(';')[0]).join('; ');
    const list = await fetch(`${h.baseUrl}/gui-lai-email`, { headers: { cookie } });
    const token = /name="_csrf" value="([^"]+)"/.exec(await list.text())?.[1] ?? '';
    return { cookie, csrf: token, status: list.status };
  }

  it('shows the failure with the server\'s reason after the retries, and re-sends once to the corrected address', async () => {
    const wrong = 'sai-dia-chi@example.vn';
    const right = 'dung-dia-chi@example.vn';
    refuseAlways.add(wrong);
    const { sealed, deliver } = await completedDossier(h, { applicantKind: 'no_account', fullName: 'Lý Thị Gửi Lại', email: wrong });
    const vanthu = await h.actor('vanthu');
    await deliver();
    const failed = await waitForDelivery(h, vanthu, sealed.code);
    expect(failed.delivery).toMatchObject({ status: 'failed', email: wrong });
    expect(failed.delivery!.error).toMatch(/550|does not exist/);
    // The workflow retried before showing it as failed (4 attempts in tests).
    expect(seen.filter((s) => s.to === wrong && !s.accepted).length).toBe(4);
    const row = await emailDelivery(h, sealed.code);
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/550/);

    const { cookie, csrf, status } = await login('vanthu');
    expect(status).toBe(200);
    const listed = await (await fetch(`${h.baseUrl}/gui-lai-email?status=failed`, { headers: { cookie } })).text();
    expect(listed).toContain(sealed.code);
    expect(listed).toContain('Gửi lỗi');

    // A malformed address is refused on screen and changes nothing.
    const bad = await fetch(`${h.baseUrl}/gui-lai-email/${encodeURIComponent(sealed.code)}`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, _key: 'k-bad', email: 'khong-hop-le@' }) });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Địa chỉ email không hợp lệ');
    expect((await h.service.get(vanthu, sealed.code)).delivery).toMatchObject({ status: 'failed', email: wrong, requests: 1 });

    // The corrected address: one re-send, delivered once.
    const ok = await fetch(`${h.baseUrl}/gui-lai-email/${encodeURIComponent(sealed.code)}`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, _key: 'k-ok', email: right }) });
    expect(ok.status).toBe(303);
    const resent = await waitForDelivery(h, vanthu, sealed.code);
    expect(resent.delivery).toMatchObject({ status: 'sent', email: right, requests: 2 });
    expect(resent.applicant.email).toBe(right);
    const mails = mailsTo(right);
    expect(mails).toHaveLength(1);
    expect(sha256(mails[0].mail.attachments[0].content)).toBe(sealed.sealedPdf!.sha256);
    expect((await emailDelivery(h, sealed.code))).toMatchObject({ status: 'sent', address: right });

    // Every attempt is kept, and the dossier's history tells the story.
    const attempts = await h.db.selectFrom('delivery_attempts').selectAll().where('dossier_code', '=', sealed.code).where('channel', '=', 'email').orderBy('id').execute();
    expect(attempts.map((a) => [a.address, a.status, a.tries])).toEqual([[wrong, 'failed', 4], [right, 'sent', 1]]);
    expect(resent.history.map((e) => e.action)).toEqual(['submit', 'sign', 'seal', 'deliver', 'deliveryFailed', 'resend', 'delivered']);
    const progress = await (await fetch(`${h.baseUrl}/ho-so/${encodeURIComponent(sealed.code)}/tien-trinh`, { headers: { cookie } })).text();
    expect(progress).toContain(`Gửi email tới ${wrong}: không thành công`);
    expect(progress).toContain(`Gửi email tới ${right}: thành công`);

    // Through the API: list with status, and a re-send by a non-sealer or to a malformed address is refused.
    const token = async (u: string) => (await (await fetch(`${h.baseUrl}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: u, password: 'demo' }) })).json()).token as string;
    const vt = await token('vanthu');
    const list = await (await fetch(`${h.baseUrl}/api/v1/deliveries?status=sent&code=${encodeURIComponent(sealed.code)}`, { headers: { authorization: `Bearer ${vt}` } })).json();
    expect(list.total).toBe(1);
    expect(list.items[0]).toMatchObject({ code: sealed.code, address: right, status: 'sent' });
    const byCreator = await fetch(`${h.baseUrl}/api/v1/dossiers/${encodeURIComponent(sealed.code)}/resend`, { method: 'POST', headers: { authorization: `Bearer ${await token('canbo')}`, 'content-type': 'application/json' }, body: '{}' });
    expect(byCreator.status).toBe(403);
    const malformed = await fetch(`${h.baseUrl}/api/v1/dossiers/${encodeURIComponent(sealed.code)}/resend`, { method: 'POST', headers: { authorization: `Bearer ${vt}`, 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@b' }) });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error).toBe('validation');
    expect(mailsTo(right)).toHaveLength(1);
  });
});
