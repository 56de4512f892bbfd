// The mail transports under crashes and retries: the local outbox keeps one whole .eml per delivery attempt
// (a worker killed mid-write leaves no truncated message; the retry writes one), and over SMTP (a real
// smtp-server on 127.0.0.1) a retry carries the same Message-ID as the first send.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from './mailer.js';

const FROM = 'Chứng thực điện tử <no-reply@chungthuc.local>';
const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const message = (attachment: Buffer) => ({
  to: 'nguyenthithu@example.vn', subject: 'Bản sao điện tử Giấy khai sinh', text: 'Kính gửi Nguyễn Thị Thu,',
  attachments: [{ filename: 'ban-sao.pdf', content: attachment, contentType: 'application/pdf' }],
});
const emls = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.eml')) : []);

describe('local outbox', () => {
  let dir: string;
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outbox-')); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps one whole message per attempt key when the attempt is retried after being sent', async () => {
    const mailer = createMailer({ outboxDir: dir, from: FROM });
    const pdf = crypto.randomBytes(50_000);
    const first = await mailer.send(message(pdf), 'D1:delivery:1:email');
    // The worker died before recording the attempt as sent: the retry sends again under the same key.
    const retry = await mailer.send(message(pdf), 'D1:delivery:1:email');
    expect(retry.messageId).toBe(first.messageId);
    expect(emls(dir)).toHaveLength(1);
    const mail = await simpleParser(fs.readFileSync(path.join(dir, emls(dir)[0])));
    expect(mail.messageId).toBe(first.messageId);
    expect(sha256(mail.attachments[0].content)).toBe(sha256(pdf));
    // A new request (a re-send) is a new message.
    await mailer.send(message(pdf), 'D1:delivery:2:email');
    expect(emls(dir)).toHaveLength(2);
  });

  it('leaves no truncated .eml when the process is killed while writing, and the retry writes it whole', async () => {
    const out = path.join(dir, 'killed');
    const pdf = crypto.randomBytes(6 * 1024 * 1024); // ~8 MB once encoded: the write takes a while
    const pdfFile = path.join(dir, 'big.bin');
    fs.writeFileSync(pdfFile, pdf);
    const script = `import fs from 'node:fs';
      import { createMailer } from ${JSON.stringify(path.resolve('activities/mailer.ts'))};
      const pdf = fs.readFileSync(${JSON.stringify(pdfFile)});
      await createMailer({ outboxDir: ${JSON.stringify(out)}, from: 'a <a@b.vn>' }).send({ to: 'x@example.vn', subject: 's', text: 't', attachments: [{ filename: 'a.pdf', content: pdf }] }, 'D2:delivery:1:email');`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    // kill -9 as soon as anything of the message shows in the outbox.
    while (!(fs.existsSync(out) && fs.readdirSync(out).length > 0) && child.exitCode === null) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    await exited;
    for (const f of emls(out)) {
      const mail = await simpleParser(fs.readFileSync(path.join(out, f)));
      expect(mail.attachments.map((a) => sha256(a.content)), `${f} is whole`).toEqual([sha256(pdf)]);
    }
    await createMailer({ outboxDir: out, from: FROM }).send(message(pdf), 'D2:delivery:1:email');
    expect(emls(out)).toHaveLength(1);
    const mail = await simpleParser(fs.readFileSync(path.join(out, emls(out)[0])));
    expect(mail.attachments.map((a) => sha256(a.content))).toEqual([sha256(pdf)]);
  });
});

describe('SMTP', () => {
  const received: Buffer[] = [];
  const smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => { received.push(Buffer.concat(chunks)); cb(); });
    },
  });
  let smtpUrl = '';
  beforeAll(async () => {
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => { await new Promise<void>((r) => smtp.close(r)); });

  it('gives a retried attempt the same Message-ID, and another attempt another one', async () => {
    const mailer = createMailer({ smtpUrl, outboxDir: '/nonexistent', from: FROM });
    const pdf = crypto.randomBytes(1000);
    const a = await mailer.send(message(pdf), 'D3:delivery:1:email');
    const b = await mailer.send(message(pdf), 'D3:delivery:1:email');
    const c = await mailer.send(message(pdf), 'D3:delivery:2:email');
    const ids = await Promise.all(received.slice(-3).map(async (raw) => (await simpleParser(raw)).messageId));
    expect(ids).toEqual([a.messageId, a.messageId, c.messageId]);
    expect(b.messageId).toBe(a.messageId);
    expect(c.messageId).not.toBe(a.messageId);
    expect(a.messageId).toMatch(/^<[0-9a-f]+@chungthuc\.local>$/);
  });
});
