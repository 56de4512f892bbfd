// Keeps the PostgreSQL read model and the audit trail, written together in one transaction.
import type { DossierView } from '../domain/dossier.js';
import type { ActivityDeps } from './deps.js';

export interface RecordEventInput {
  eventId: string;
  seq: number;
  action: string;
  actor: string;
  actorName: string;
  note: string | null;
  at: string;
  state: DossierView;
}

export function readModelActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    /** Idempotent: a retried call finds its event already written and changes nothing. */
    async recordEvent(e: RecordEventInput): Promise<void> {
      const s = e.state;
      await db.transaction().execute(async (tx) => {
        const inserted = await tx.insertInto('dossier_events').values({
          event_id: e.eventId, dossier_code: s.code, seq: e.seq, action: e.action, actor: e.actor,
          actor_name: e.actorName, status: s.status, note: e.note, at: e.at,
        }).onConflict((oc) => oc.column('event_id').doNothing()).returning('event_id').executeTakeFirst();
        if (!inserted) return;
        const row = {
          agency_code: s.agencyCode, status: s.status, applicant_kind: s.applicant.kind, applicant_name: s.applicant.fullName,
          applicant_id_number: s.applicant.idNumber, applicant_email: s.applicant.email, applicant_phone: s.applicant.phone,
          applicant_account: s.applicant.accountUsername, document_type_code: s.documentType.code,
          document_type_name: s.documentType.name, copies: s.copies, page_count: s.pageCount, fee: s.fee,
          certification_number: s.certificationNumber, register_book_id: s.registerBook?.id ?? null,
          return_reason: s.returnReason, created_by: s.createdBy.username, created_at: s.createdAt, updated_at: e.at,
          delivered_at: s.history.find((h) => h.action === 'delivered')?.at ?? null, due_date: s.dueDate, snapshot: JSON.stringify(s), event_seq: e.seq,
        };
        await tx.insertInto('dossiers').values({ code: s.code, ...row })
          .onConflict((oc) => oc.column('code').doUpdateSet(row).where('dossiers.event_seq', '<', e.seq))
          .execute();
      });
    },
  };
}
