// The SQL of the audit export: the dossier events and the administration changes of a set of agencies in [from, to).
import type { Db } from '../../lib/db.js';
import { withActorName } from '../admin/service.js';

export const dossierEvents = (db: Db, agencies: string[], from: Date, to: Date, limit: number) => db.selectFrom('dossier_events')
  .innerJoin('dossiers', 'dossiers.code', 'dossier_events.dossier_code')
  .select(['dossier_events.at', 'dossier_events.dossier_code', 'dossier_events.seq', 'dossier_events.actor', 'dossier_events.actor_name', 'dossier_events.type', 'dossier_events.payload', 'dossiers.agency_code'])
  .where('dossiers.agency_code', 'in', agencies).where('dossier_events.at', '>=', from).where('dossier_events.at', '<', to)
  .orderBy('dossier_events.at').orderBy('dossier_events.dossier_code').orderBy('dossier_events.seq').limit(limit).execute();

export const adminEvents = (db: Db, agencies: string[], from: Date, to: Date, limit: number) => db.selectFrom('admin_events')
  .$call(withActorName)
  .select(['admin_events.at', 'admin_events.agency_code', 'admin_events.entity', 'admin_events.entity_id', 'admin_events.action', 'admin_events.actor', 'admin_events.actor_kind', 'admin_events.before', 'admin_events.after'])
  .where('admin_events.agency_code', 'in', agencies).where('admin_events.at', '>=', from).where('admin_events.at', '<', to)
  .orderBy('admin_events.at').orderBy('admin_events.id').limit(limit).execute();
