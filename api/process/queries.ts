// The SQL of process definitions: an agency's versions (immutable rows), the latest, and the lock that numbers them.
import { sql } from 'kysely';
import type { Db } from '../../lib/db.js';

export const latestDefinition = (db: Db, agencyCode: string) =>
  db.selectFrom('process_definitions').selectAll().where('agency_code', '=', agencyCode).orderBy('version', 'desc').limit(1).executeTakeFirst();

export const definitionAt = (db: Db, agencyCode: string, version: number) =>
  db.selectFrom('process_definitions').selectAll().where('agency_code', '=', agencyCode).where('version', '=', version).executeTakeFirst();

/** Every version of the agency's process, newest first, with who published it. */
export const definitionVersions = (db: Db, agencyCode: string) =>
  db.selectFrom('process_definitions as p').leftJoin('users as u', 'u.username', 'p.published_by')
    .select(['p.version', 'p.definition', 'p.published_by', 'u.full_name as published_by_name', 'p.published_at'])
    .where('p.agency_code', '=', agencyCode).orderBy('p.version', 'desc').execute();

/** Serialises publications for one agency, so two admins publishing at once get versions N+1 and N+2. */
export const lockAgencyProcess = (trx: Db, agencyCode: string) =>
  sql`select pg_advisory_xact_lock(hashtext(${`process:${agencyCode}`}))`.execute(trx);

export const insertDefinition = (trx: Db, agencyCode: string, version: number, definition: unknown, publishedBy: string) =>
  trx.insertInto('process_definitions').values({ agency_code: agencyCode, version, definition: JSON.stringify(definition), published_by: publishedBy }).execute();

/** The agencies of a subtree with their latest version (0: none published), for the list screen. */
export const latestVersions = async (db: Db, codes: string[]) => {
  if (!codes.length) return new Map<string, number>();
  const rows = await db.selectFrom('process_definitions').select(['agency_code', (eb) => eb.fn.max('version').as('version')])
    .where('agency_code', 'in', codes).groupBy('agency_code').execute();
  return new Map(rows.map((r) => [r.agency_code, Number(r.version)]));
};
