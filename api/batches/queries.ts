// The batch feature's SQL: which of the chosen dossiers are the actor's agency's.
import type { Db } from '../../lib/db.js';

export const dossierAgencies = (db: Db, codes: string[]) =>
  codes.length ? db.selectFrom('dossiers').select(['code', 'agency_code']).where('code', 'in', codes).execute() : Promise.resolve([]);
