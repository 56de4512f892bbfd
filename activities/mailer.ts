// Mail transport: a real SMTP server when SMTP_URL is set, else .eml files in a local outbox the demo can show.
// Every message is named by the caller's key (one delivery attempt), so that a retry after a crash between
// sending and recording makes no second message: the outbox keeps one file per key, written whole (temporary
// file, then rename), and over SMTP the retry carries the same Message-ID, so it is recognisable as the same one.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { writeWhole } from '../lib/whole-file.js';

export interface Mailer {
  /** Sends `message` once per `key`: the same key always gives the same Message-ID. */
  send(message: Mail.Options, key: string): Promise<{ messageId: string }>;
}

/** The Message-ID of the message sent under `key`, in the sender's domain (RFC 5322 §3.6.4). */
export function messageIdFor(key: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'chungthuc.local';
  return `<${crypto.createHash('sha256').update(key).digest('hex').slice(0, 40)}@${domain}>`;
}

/** The outbox file of `key`: readable, and unique per key. */
export function outboxFileName(key: string): string {
  const readable = key.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 150);
  return `${readable}-${crypto.createHash('sha256').update(key).digest('hex').slice(0, 8)}.eml`;
}

export function createMailer(opts: { smtpUrl?: string | null; outboxDir: string; from: string }): Mailer {
  if (opts.smtpUrl) {
    const transport = nodemailer.createTransport(opts.smtpUrl);
    return {
      async send(m, key) {
        const info = await transport.sendMail({ from: opts.from, ...m, messageId: messageIdFor(key, opts.from) });
        return { messageId: info.messageId };
      },
    };
  }
  // The message as a stream, written as it is made: an e-copy attached is tens of MiB once encoded.
  const transport = nodemailer.createTransport({ streamTransport: true, newline: 'unix' });
  return {
    async send(m, key) {
      const messageId = messageIdFor(key, opts.from);
      const file = path.join(opts.outboxDir, outboxFileName(key));
      if (await fs.access(file).then(() => true, () => false)) return { messageId }; // sent before a crash
      const info = await transport.sendMail({ from: opts.from, ...m, messageId });
      await fs.mkdir(opts.outboxDir, { recursive: true });
      // A hidden temporary name that is not .eml: a crash mid-write leaves no truncated message behind.
      const tmp = path.join(opts.outboxDir, `.${path.basename(file)}.${process.pid}-${crypto.randomUUID()}.tmp`);
      const fh = await fs.open(tmp, 'w');
      try {
        // By pieces of 1 MiB or more: one write each, not one per piece the encoder gives (a few KiB).
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        let written = 0;
        const flush = async () => {
          const piece = Buffer.concat(pending);
          pending = [];
          pendingBytes = 0;
          await writeWhole(fh, piece, written);
          written += piece.length;
        };
        for await (const chunk of info.message as Readable) {
          pending.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
          pendingBytes += chunk.length;
          if (pendingBytes >= 1024 * 1024) await flush();
        }
        await flush();
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.rename(tmp, file);
      return { messageId };
    },
  };
}
