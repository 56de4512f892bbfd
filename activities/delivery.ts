// Delivers the e-copy: to the portal inbox when the applicant has a portal account, and by e-mail (attached,
// or an expiring link when large). Every e-mail attempt is a row in `delivery_attempts`, keyed by the request,
// so a retried activity updates its own row and never mails twice once sent; `deliveries` keeps the latest
// state per channel for the re-send screen.
import { sql } from 'kysely';
import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DossierView } from '../domain/dossier.js';
import { vnDate } from '../domain/vn-time.js';
import type { ActivityDeps } from './deps.js';
import { currentEcopy } from './ecopy-versions.js';
import { beat } from './heartbeat.js';

const LINK_DAYS = 30;

export interface DeliverInput {
  dossier: DossierView;
  /** One key per delivery request: retries of the same request share it. */
  attemptKey: string;
  requestedBy: string;
  /** A re-send goes by e-mail only. */
  emailOnly?: boolean;
}

export function deliveryActivities(deps: ActivityDeps) {
  const { db } = deps;

  async function summary(code: string, channel: 'email' | 'portal', address: string, status: 'pending' | 'sent' | 'failed', extra: { error?: string | null; messageId?: string | null; countAttempt?: boolean } = {}) {
    const values = { status, address, error: extra.error ?? null, message_id: extra.messageId ?? null, sent_at: status === 'sent' ? new Date() : null };
    await db.insertInto('deliveries').values({ dossier_code: code, channel, attempts: extra.countAttempt ? 1 : 0, ...values })
      .onConflict((oc) => oc.columns(['dossier_code', 'channel']).doUpdateSet((eb) => ({
        ...values,
        attempts: extra.countAttempt ? eb('deliveries.attempts', '+', 1) : eb.ref('deliveries.attempts'),
      }))).execute();
  }

  async function attempt(key: string, code: string, channel: 'email' | 'portal', address: string, requestedBy: string) {
    const row = await db.insertInto('delivery_attempts').values({ attempt_key: key, dossier_code: code, channel, address, status: 'pending', tries: 1, requested_by: requestedBy })
      .onConflict((oc) => oc.column('attempt_key').doUpdateSet((eb) => ({ tries: eb('delivery_attempts.tries', '+', 1), updated_at: sql`now()` })))
      .returning(['id', 'status']).executeTakeFirstOrThrow();
    return row;
  }

  const finish = (id: number, status: 'sent' | 'failed', error: string | null = null) =>
    db.updateTable('delivery_attempts').set({ status, error, updated_at: sql`now()` }).where('id', '=', id).execute();

  return {
    async deliverDossier({ dossier: d, attemptKey, requestedBy, emailOnly }: DeliverInput): Promise<{ at: string; email: string | null; portal: boolean }> {
      if (!d.sealedPdf) throw new Error('no sealed e-copy to deliver');
      const sealed = await currentEcopy(db, d.code, d.sealedPdf); // renewed since it was issued: the newest version
      const fileName = `ban-sao-dien-tu-${d.code}.pdf`;
      const subject = `Bản sao điện tử ${d.documentType.name} - mã chứng thực ${d.code}`;
      const intro = [
        `Kính gửi ${d.applicant.fullName},`,
        '',
        `${d.agencyName} đã chứng thực bản sao điện tử từ bản chính "${d.documentType.name}" của Ông/Bà.`,
        `Mã chứng thực: ${d.code}. Số chứng thực: ${d.certificationNumber}, sổ ${d.registerBook?.name}, ngày ${vnDate(d.sealedBy?.at ?? new Date())}.`,
        'Bản sao điện tử có giá trị sử dụng thay cho bản chính trong các giao dịch (Nghị định 23/2015/NĐ-CP, Nghị định 45/2020/NĐ-CP).',
      ];

      // The portal inbox first: it cannot be refused by a remote server.
      let portal = false;
      if (d.applicant.accountUsername && !emailOnly) {
        portal = true;
        await db.insertInto('portal_inbox').values({
          account_username: d.applicant.accountUsername, dossier_code: d.code, title: subject, body: intro.join('\n'),
          file_sha256: sealed.sha256, download_token: crypto.randomBytes(32).toString('base64url'),
        }).onConflict((oc) => oc.columns(['account_username', 'dossier_code']).doNothing()).execute();
        // The portal's "Thông báo" tells the citizen; keyed by the dossier, so a retried delivery notifies once.
        await db.insertInto('notifications').values({
          dedupe_key: `delivery:${d.code}`, account_username: d.applicant.accountUsername,
          title: `Đã có bản sao điện tử ${d.documentType.name}`,
          body: `${d.agencyName} đã chứng thực và chuyển bản sao điện tử "${d.documentType.name}" (mã chứng thực ${d.code}, số chứng thực ${d.certificationNumber}) vào tài khoản của Ông/Bà. Xem và tải về tại mục "Bản sao điện tử của tôi".`,
        }).onConflict((oc) => oc.column('dedupe_key').doNothing()).execute();
        const a = await attempt(`${attemptKey}:portal`, d.code, 'portal', d.applicant.accountUsername, requestedBy);
        await finish(a.id, 'sent');
        await summary(d.code, 'portal', d.applicant.accountUsername, 'sent', { countAttempt: a.status !== 'sent' });
      }

      const to = d.applicant.email;
      if (to) {
        const a = await attempt(`${attemptKey}:email`, d.code, 'email', to, requestedBy);
        if (a.status !== 'sent') {
          await summary(d.code, 'email', to, 'pending', { countAttempt: true });
          try {
            let attachments: { filename: string; content: Readable; contentType: string }[] = [];
            let text = intro.join('\n');
            if (sealed.size <= deps.maxAttachmentBytes) {
              // Read as the message is encoded, not held whole beside it.
              attachments = [{ filename: fileName, content: deps.storage.stream(sealed.sha256), contentType: 'application/pdf' }];
              text += '\n\nBản sao điện tử được đính kèm thư này.';
            } else {
              const token = crypto.randomBytes(32).toString('base64url');
              await db.insertInto('download_links').values({ token, dossier_code: d.code, file_sha256: sealed.sha256, expires_at: new Date(Date.now() + LINK_DAYS * 86400_000) }).execute();
              text += `\n\nTải bản sao điện tử (liên kết có hiệu lực ${LINK_DAYS} ngày): ${deps.publicUrl}/tai-ve/${token}`;
            }
            beat('sending');
            // Keyed by the attempt: a retry after a crash between sending and `finish` is the same message.
            const { messageId } = await deps.mailer.send({ to, subject, text, attachments }, `${attemptKey}:email`);
            beat('sent');
            await finish(a.id, 'sent');
            await summary(d.code, 'email', to, 'sent', { messageId });
          } catch (e) {
            const reason = String((e as Error).message ?? e).slice(0, 500);
            await finish(a.id, 'failed', reason);
            await summary(d.code, 'email', to, 'failed', { error: reason });
            throw e; // the workflow retries with backoff
          }
        }
      }
      return { at: new Date().toISOString(), email: to, portal };
    },
  };
}
