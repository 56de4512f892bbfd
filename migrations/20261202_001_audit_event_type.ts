// Frozen: the audit trail becomes typed: each dossier_events row gets its event `type` and `payload` (jsonb),
// filled for the rows already there from their action, their note and the dossier's row, as well as SQL can.
// Old rows keep their note as it was. Where a value is not in the note, it comes from the dossier's latest
// snapshot (exact for seal and sign, which happen once; for resubmit and deliver, the values as they are now).
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('dossier_events').addColumn('type', 'text').addColumn('payload', 'jsonb').execute();
  await sql`
    UPDATE dossier_events e SET
      type = CASE e.action
        WHEN 'submit' THEN 'submitted' WHEN 'returnToCreator' THEN 'returned' WHEN 'resubmit' THEN 'resubmitted'
        WHEN 'cancel' THEN 'cancelled' WHEN 'sign' THEN 'signed' WHEN 'seal' THEN 'sealed'
        WHEN 'deliver' THEN 'delivery_requested' WHEN 'resend' THEN 'resend_requested' WHEN 'delivered' THEN 'delivered'
        WHEN 'deliveryFailed' THEN 'delivery_failed' ELSE e.action END,
      payload = CASE e.action
        WHEN 'submit' THEN jsonb_build_object('dueDate', to_char(d.due_date, 'YYYY-MM-DD'))
        WHEN 'returnToCreator' THEN jsonb_build_object('reason', coalesce(e.note, ''))
        WHEN 'cancel' THEN jsonb_build_object('reason', coalesce(e.note, ''))
        -- The workflow noted 'Đính kèm bản scan mới' when a new scan came with the resubmission.
        WHEN 'resubmit' THEN jsonb_build_object(
          'scanReplaced', coalesce(strpos(e.note, 'scan') > 0, false), 'pageCount', d.page_count, 'fee', d.fee,
          'note', CASE WHEN e.note = 'Đính kèm bản scan mới' THEN NULL ELSE e.note END)
        WHEN 'sign' THEN jsonb_build_object('signedPdf', d.snapshot->'signedPdf')
        WHEN 'seal' THEN jsonb_build_object('certificationNumber', d.snapshot->'certificationNumber',
          'registerBook', d.snapshot->'registerBook', 'sealedPdf', d.snapshot->'sealedPdf')
        WHEN 'deliver' THEN jsonb_build_object('email', d.snapshot->'applicant'->'email',
          'portal', coalesce(d.snapshot->'applicant'->>'accountUsername', '') <> '')
        -- Noted as 'Gửi lại tới <email>'; whether that address was a correction was not kept.
        WHEN 'resend' THEN jsonb_build_object('email', nullif(substring(e.note from '^Gửi lại tới (.*)$'), ''), 'corrected', false)
        -- Noted as 'email <address>, tài khoản DVCQG' (either part may be missing).
        WHEN 'delivered' THEN jsonb_build_object('email', substring(e.note from 'email ([^,]+)'),
          'portal', coalesce(strpos(e.note, 'tài khoản DVCQG') > 0, false))
        WHEN 'deliveryFailed' THEN jsonb_build_object('error', coalesce(e.note, ''))
        WHEN 'overdue' THEN jsonb_build_object('dueDate', to_char(d.due_date, 'YYYY-MM-DD'))
        ELSE '{}'::jsonb END
    FROM dossier_events e2 LEFT JOIN dossiers d ON d.code = e2.dossier_code
    WHERE e2.event_id = e.event_id
  `.execute(db);
  await db.schema.alterTable('dossier_events')
    .alterColumn('type', (c) => c.setNotNull())
    .alterColumn('payload', (c) => c.setNotNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('dossier_events').dropColumn('payload').dropColumn('type').execute();
}
