// Mail transport: a real SMTP server when SMTP_URL is set, else .eml files in a local outbox the demo can show.
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';

export interface Mailer {
  send(message: Mail.Options): Promise<{ messageId: string }>;
}

export function createMailer(opts: { smtpUrl?: string | null; outboxDir: string; from: string }): Mailer {
  if (opts.smtpUrl) {
    const transport = nodemailer.createTransport(opts.smtpUrl);
    return {
      async send(m) {
        const info = await transport.sendMail({ from: opts.from, ...m });
        return { messageId: info.messageId };
      },
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(m) {
      const info = await transport.sendMail({ from: opts.from, ...m });
      await fs.mkdir(opts.outboxDir, { recursive: true });
      const safeId = info.messageId.replace(/[^A-Za-z0-9@._-]/g, '');
      const file = path.join(opts.outboxDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${safeId}.eml`);
      await fs.writeFile(file, info.message as Buffer);
      return { messageId: info.messageId };
    },
  };
}
