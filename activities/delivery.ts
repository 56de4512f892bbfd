// Delivers the e-copy: by e-mail (attached, or an expiring link when large) and to the portal inbox when the
// applicant has a portal account. Each channel is recorded in `deliveries`; a channel already sent is skipped,
// so a retry never mails twice.
import crypto from 'node:crypto';
import { vnDate } from '../domain/dates.js';
import type { DossierView } from '../workflows/messages.js';
import type { ActivityDeps } from './deps.js';

const LINK_DAYS = 30;

export function deliveryActivities(deps: ActivityDeps) {
  const { db } = deps;

  async function alreadySent(code: string, channel: 'email' | 'portal') {
    const row = await db.selectFrom('deliveries').select('status').where('dossier_code', '=', code).where('channel', '=', channel).executeTakeFirst();
    return row?.status === 'sent';
  }

  async function mark(code: string, channel: 'email' | 'portal', address: string, status: 'pending' | 'sent' | 'failed', extra: { error?: string; messageId?: string } = {}) {
    const values = { status, error: extra.error ?? null, message_id: extra.messageId ?? null, sent_at: status === 'sent' ? new Date() : null };
    await db.insertInto('deliveries').values({ dossier_code: code, channel, address, attempts: status === 'pending' ? 1 : 0, ...values })
      .onConflict((oc) => oc.columns(['dossier_code', 'channel']).doUpdateSet((eb) => ({
        ...values, address,
        attempts: status === 'pending' ? eb('deliveries.attempts', '+', 1) : eb.ref('deliveries.attempts'),
      }))).execute();
  }

  return {
    async deliverDossier({ dossier: d }: { dossier: DossierView }): Promise<{ at: string; email: string | null; portal: boolean }> {
      if (!d.sealedPdf) throw new Error('no sealed e-copy to deliver');
      const sealed = d.sealedPdf;
      const fileName = `ban-sao-dien-tu-${d.code}.pdf`;
      const subject = `Bản sao điện tử ${d.documentType.name} - mã chứng thực ${d.code}`;
      const intro = [
        `Kính gửi ${d.applicant.fullName},`,
        '',
        `${d.agencyName} đã chứng thực bản sao điện tử từ bản chính "${d.documentType.name}" của Ông/Bà.`,
        `Mã chứng thực: ${d.code}. Số chứng thực: ${d.certificationNumber}, sổ ${d.registerBook?.name}, ngày ${vnDate(d.sealedBy?.at ?? new Date())}.`,
        'Bản sao điện tử có giá trị sử dụng thay cho bản chính trong các giao dịch (Nghị định 23/2015/NĐ-CP, Nghị định 45/2020/NĐ-CP).',
      ];

      if (d.applicant.email && !(await alreadySent(d.code, 'email'))) {
        await mark(d.code, 'email', d.applicant.email, 'pending');
        try {
          let attachments: { filename: string; content: Buffer; contentType: string }[] = [];
          let text = intro.join('\n');
          if (sealed.size <= deps.maxAttachmentBytes) {
            attachments = [{ filename: fileName, content: await deps.storage.get(sealed.sha256), contentType: 'application/pdf' }];
            text += '\n\nBản sao điện tử được đính kèm thư này.';
          } else {
            const token = crypto.randomBytes(32).toString('base64url');
            await db.insertInto('download_links').values({ token, dossier_code: d.code, file_sha256: sealed.sha256, expires_at: new Date(Date.now() + LINK_DAYS * 86400_000) }).execute();
            text += `\n\nTải bản sao điện tử (liên kết có hiệu lực ${LINK_DAYS} ngày): ${deps.publicUrl}/tai-ve/${token}`;
          }
          const { messageId } = await deps.mailer.send({ to: d.applicant.email, subject, text, attachments });
          await mark(d.code, 'email', d.applicant.email, 'sent', { messageId });
        } catch (e) {
          await mark(d.code, 'email', d.applicant.email, 'failed', { error: String((e as Error).message ?? e).slice(0, 500) });
          throw e; // the workflow retries with backoff
        }
      }

      let portal = false;
      if (d.applicant.accountUsername) {
        portal = true;
        if (!(await alreadySent(d.code, 'portal'))) {
          await db.insertInto('portal_inbox').values({
            account_username: d.applicant.accountUsername, dossier_code: d.code, title: subject, body: intro.join('\n'),
            file_sha256: sealed.sha256, download_token: crypto.randomBytes(32).toString('base64url'),
          }).onConflict((oc) => oc.columns(['account_username', 'dossier_code']).doNothing()).execute();
          await mark(d.code, 'portal', d.applicant.accountUsername, 'sent');
        }
      }
      return { at: new Date().toISOString(), email: d.applicant.email, portal };
    },
  };
}
