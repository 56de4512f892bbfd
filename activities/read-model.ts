// Keeps the PostgreSQL read model and the audit trail, written together in one transaction.
import { AUDIT_ACTIONS, auditNote, type AuditEvent } from '../domain/audit.js';
import type { DossierView, HistoryEntry } from '../domain/dossier.js';
import { awaitedRole } from '../domain/rules.js';
import { enqueueWebhooks, startWebhookDeliveries } from './webhooks.js';
import type { ActivityDeps } from './deps.js';

export interface RecordEventInput {
  eventId: string;
  seq: number;
  /** What happened, typed; the `action` and `note` columns are derived from it. */
  event: AuditEvent;
  actor: string;
  actorName: string;
  at: string;
  state: DossierView;
}

/** The input as a worker from before typed events scheduled it (a task still queued when the new worker started). */
interface LegacyRecordEventInput extends Omit<RecordEventInput, 'event'> { event?: undefined; action: HistoryEntry['action']; note: string | null }

/** The event such a task records, from the dossier's state just after it (its note is kept as it was written). */
function legacyEvent({ action, note, state: s }: LegacyRecordEventInput): AuditEvent {
  const delivery = { email: s.delivery?.email ?? null, portal: Boolean(s.delivery?.portal) };
  switch (action) {
    case 'submit': return { type: 'submitted', payload: { dueDate: s.dueDate } };
    case 'returnToCreator': return { type: 'returned', payload: { reason: s.returnReason ?? note ?? '' } };
    case 'resubmit': return { type: 'resubmitted', payload: { scanReplaced: Boolean(note), pageCount: s.pageCount, fee: s.fee, note: null } };
    case 'cancel': return { type: 'cancelled', payload: { reason: s.cancelReason ?? note ?? '' } };
    case 'sign': return { type: 'signed', payload: { signedPdf: s.signedPdf } };
    case 'seal': return { type: 'sealed', payload: { certificationNumber: s.certificationNumber, registerBook: s.registerBook, sealedPdf: s.sealedPdf } };
    case 'deliver': return { type: 'delivery_requested', payload: delivery };
    case 'resend': return { type: 'resend_requested', payload: { email: s.applicant.email, corrected: false } };
    case 'delivered': return { type: 'delivered', payload: delivery };
    case 'deliveryFailed': return { type: 'delivery_failed', payload: { error: s.delivery?.error ?? note ?? '' } };
    case 'overdue': return { type: 'overdue', payload: { dueDate: s.dueDate ?? '' } };
    case 'approve': throw new Error('a review is recorded only as a typed event, never as a legacy task');
    case 'renewArchive': throw new Error('an archival renewal is recorded by its own activity, never as a legacy task');
  }
}

export function readModelActivities({ db, temporal, taskQueue, webhooks }: Pick<ActivityDeps, 'db' | 'temporal' | 'taskQueue' | 'webhooks'>) {
  return {
    /** Idempotent: a retried call finds its event already written and changes nothing. */
    async recordEvent(input: RecordEventInput | LegacyRecordEventInput): Promise<void> {
      const e = input.event ? input : { ...input, event: legacyEvent(input) };
      const note = input.event ? auditNote(input.event) ?? null : input.note;
      const s = e.state;
      await db.transaction().execute(async (tx) => {
        const inserted = await tx.insertInto('dossier_events').values({
          event_id: e.eventId, dossier_code: s.code, seq: e.seq, action: AUDIT_ACTIONS[e.event.type], actor: e.actor,
          actor_name: e.actorName, status: s.status, note, at: e.at,
          type: e.event.type, payload: JSON.stringify(e.event.payload),
        }).onConflict((oc) => oc.column('event_id').doNothing()).returning('event_id').executeTakeFirst();
        if (!inserted) return;
        // The outbox of other systems' webhooks, in the same transaction as the event (sent just below).
        await enqueueWebhooks(tx, { eventId: e.eventId, event: e.event, at: e.at, state: s });
        const row = {
          agency_code: s.agencyCode, status: s.status, applicant_kind: s.applicant.kind, applicant_name: s.applicant.fullName,
          applicant_id_number: s.applicant.idNumber, applicant_email: s.applicant.email, applicant_phone: s.applicant.phone,
          applicant_account: s.applicant.accountUsername, document_type_code: s.documentType.code,
          document_type_name: s.documentType.name, copies: s.copies, page_count: s.pageCount, fee: s.fee,
          certification_number: s.certificationNumber, register_book_id: s.registerBook?.id ?? null,
          return_reason: s.returnReason, created_by: s.createdBy.username, created_at: s.createdAt, updated_at: e.at,
          delivered_at: s.history.find((h) => h.action === 'delivered')?.at ?? null,
          completed_at: s.status === 'completed' ? s.history.find((h) => h.action === 'seal')?.at ?? e.at : null, due_date: s.dueDate, snapshot: JSON.stringify(s), event_seq: e.seq,
          awaiting_role: awaitedRole({ ...s, busy: false }),
        };
        await tx.insertInto('dossiers').values({ code: s.code, ...row })
          .onConflict((oc) => oc.column('code').doUpdateSet(row).where('dossiers.event_seq', '<', e.seq))
          .execute();
      });
      // After the commit, and again on any retry of this activity: each delivery's workflow, started once.
      await startWebhookDeliveries(db, temporal, taskQueue, webhooks, e.eventId);
    },
  };
}
