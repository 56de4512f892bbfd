// The one INSERT into admin_events (the audit of administration, domain/admin-audit.ts): here because the worker
// records what it changes for people too (an appointment rescheduled, cancelled, processed, not attended) and
// activities never import api/; the screens and services reach it through api/admin/queries.ts.
import type { AdminActorKind, AdminEvent } from '../domain/admin-audit.js';
import type { Db } from '../lib/db.js';

/** Records one change; call it with the transaction that makes the change, so both happen or neither. */
export const insertAdminEvent = (db: Db, e: { actor: string; actorKind?: AdminActorKind; agencyCode: string; event: AdminEvent }) => db.insertInto('admin_events').values({
  actor: e.actor, actor_kind: e.actorKind ?? 'staff', agency_code: e.agencyCode, entity: e.event.entity, entity_id: e.event.entityId, action: e.event.action,
  before: e.event.before === null ? null : JSON.stringify(e.event.before), after: e.event.after === null ? null : JSON.stringify(e.event.after),
}).execute();

/** Removes the event of a change undone as if never made (a booking whose workflow could not start), in its transaction. */
export const deleteAdminEvent = (db: Db, e: { entity: string; entityId: string; action: string }) => db.deleteFrom('admin_events')
  .where('entity', '=', e.entity).where('entity_id', '=', e.entityId).where('action', '=', e.action).execute();
