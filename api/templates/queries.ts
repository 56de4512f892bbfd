// The SQL of the templates: the versions of a kind, one version, a new one. The latest version is the worker's own
// read (activities/templates.ts), re-exported here: one copy.
import { sql } from 'kysely';
import type { TemplateKind } from '../../domain/templates.js';
import type { Db } from '../../lib/db.js';

export { latestTemplate, type PublishedTemplate } from '../../activities/templates.js';

export interface TemplateRow { version: number; body: unknown; published_by: string | null; published_by_name: string | null; published_at: Date }

const versions = (db: Db, kind: TemplateKind) => db.selectFrom('templates')
  .leftJoin('users', 'users.username', 'templates.published_by')
  .select(['templates.version', 'templates.body', 'templates.published_by', 'users.full_name as published_by_name', 'templates.published_at'])
  .where('templates.kind', '=', kind);

/** Every version of a kind, newest first. */
export const listVersions = (db: Db, kind: TemplateKind): Promise<TemplateRow[]> => versions(db, kind).orderBy('templates.version', 'desc').execute();

export const findVersion = (db: Db, kind: TemplateKind, version: number): Promise<TemplateRow | undefined> =>
  versions(db, kind).where('templates.version', '=', version).executeTakeFirst();

/** One publication at a time per kind (transaction-scoped): two at once would both take version N+1. */
export const lockKind = (db: Db, kind: TemplateKind) => sql`SELECT pg_advisory_xact_lock(hashtext(${`templates:${kind}`}))`.execute(db);

export const insertVersion = (db: Db, kind: TemplateKind, version: number, body: unknown, publishedBy: string) =>
  db.insertInto('templates').values({ kind, version, body: JSON.stringify(body), published_by: publishedBy }).execute();
