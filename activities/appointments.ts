// Appointment side effects, each idempotent under retry: the read model, moving a booking between slots,
// SMS and portal notifications (keyed by what caused them, so a retry never sends twice).
import { ApplicationFailure } from '@temporalio/activity';
import { sql } from 'kysely';
import { appointmentRecord, type AppointmentState } from '../domain/appointments.js';
import type { AdminActorKind, AppointmentRecord } from '../domain/admin-audit.js';
import { insertAdminEvent } from './admin-events.js';
import type { Db } from '../lib/db.js';
import { releasePlace, takePlace } from './slot-places.js';
import type { SmsGateway } from './sms.js';

/** Who changed the appointment and how, for the audit of administration (the no-show: the system). */
export interface AppointmentAudit { action: 'rescheduled' | 'cancelled' | 'processed' | 'no_show'; actor: string; actorKind: AdminActorKind }

export function appointmentActivities(deps: { db: Db; sms: SmsGateway }) {
  const { db } = deps;

  /** Runs `effect` once per key, in one transaction with the key's record. */
  async function once(key: string, code: string, effect: (tx: Db) => Promise<void>): Promise<boolean> {
    return db.transaction().execute(async (tx) => {
      const done = await tx.insertInto('appointment_effects').values({ key, appointment_code: code }).onConflict((oc) => oc.doNothing()).returning('key').executeTakeFirst();
      if (!done) return false;
      await effect(tx);
      return true;
    });
  }

  const update = (tx: Db, state: AppointmentState) => tx.updateTable('appointments').set({
    status: state.status, day: state.day, start_time: state.time, reschedule_reason: state.rescheduleReason,
    dossier_code: state.dossierCode, updated_at: sql`now()`,
  }).where('code', '=', state.code).execute();

  return {
    /**
     * Writes the appointment's state to its row. With `audit` (a change someone made, or the no-show), the change's
     * event is recorded in the same transaction, once per change even when the activity is retried.
     */
    async recordAppointment({ state, audit }: { state: AppointmentState; audit?: AppointmentAudit }): Promise<void> {
      if (!audit) { await update(db, state); return; }
      // history grows by one note per change: the key names this change, whatever the retries.
      await once(`${state.code}:audit:${audit.action}:${state.history.length}`, state.code, async (tx) => {
        const row = await tx.selectFrom('appointments').select(['agency_code', 'account_username', 'day', 'start_time', 'status', 'reschedule_reason', 'dossier_code'])
          .where('code', '=', state.code).forUpdate().executeTakeFirstOrThrow();
        await update(tx, state);
        const before: AppointmentRecord = {
          agencyCode: row.agency_code, account: row.account_username, documentType: state.documentTypeName, day: row.day, time: row.start_time,
          status: row.status, rescheduleReason: row.reschedule_reason, dossierCode: row.dossier_code,
        };
        await insertAdminEvent(tx, {
          actor: audit.actor, actorKind: audit.actorKind, agencyCode: state.agencyCode,
          event: { entity: 'appointment', entityId: state.code, action: audit.action, before, after: appointmentRecord(state) },
        });
      });
    },

    /** Moves the booking to a new slot: takes the new place first (refused when full), then frees the old one. */
    async moveAppointment(input: { key: string; code: string; agencyCode: string; from: { day: string; time: string }; to: { day: string; time: string } }): Promise<void> {
      await once(input.key, input.code, async (tx) => {
        if (!(await takePlace(tx, input.agencyCode, input.to.day, input.to.time))) {
          throw ApplicationFailure.nonRetryable('Khung giờ đã chọn đã đủ người, vui lòng chọn giờ khác.', 'conflict');
        }
        await releasePlace(tx, input.agencyCode, input.from.day, input.from.time);
      });
    },

    /** Frees the booking's place (cancellation by the citizen); a no-show frees nothing. */
    async releaseAppointment(input: { key: string; code: string; agencyCode: string; day: string; time: string }): Promise<void> {
      await once(input.key, input.code, (tx) => releasePlace(tx, input.agencyCode, input.day, input.time));
    },

    async sendSms(input: { key: string; phone: string; text: string }): Promise<{ sent: boolean }> {
      await db.insertInto('sms_messages').values({ dedupe_key: input.key, phone: input.phone, body: input.text, status: 'pending' })
        .onConflict((oc) => oc.column('dedupe_key').doNothing()).execute();
      const row = await db.selectFrom('sms_messages').select(['id', 'status']).where('dedupe_key', '=', input.key).executeTakeFirstOrThrow();
      if (row.status === 'sent') return { sent: false };
      await db.updateTable('sms_messages').set({ tries: sql`tries + 1` }).where('id', '=', row.id).execute();
      try {
        const { id } = await deps.sms.send({ to: input.phone, text: input.text, reference: input.key });
        await db.updateTable('sms_messages').set({ status: 'sent', provider_id: id, sent_at: sql`now()`, error: null }).where('id', '=', row.id).execute();
        return { sent: true };
      } catch (e) {
        await db.updateTable('sms_messages').set({ status: 'failed', error: String((e as Error).message).slice(0, 500) }).where('id', '=', row.id).execute();
        throw e;
      }
    },

    async notifyAccount(input: { key: string; account: string; title: string; body: string; appointmentCode: string }): Promise<void> {
      await db.insertInto('notifications').values({ dedupe_key: input.key, account_username: input.account, title: input.title, body: input.body, appointment_code: input.appointmentCode })
        .onConflict((oc) => oc.column('dedupe_key').doNothing()).execute();
    },
  };
}
