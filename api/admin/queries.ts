// The SQL of administration: the agency tree (subtrees by recursive CTE), the facts that refuse a change (open
// dossiers, active users, a portal code in use) and the admin_events table every administrative change writes to.
import { sql, type SelectQueryBuilder } from 'kysely';
import type { Agency, AgencyKind } from '../../domain/agency.js';
import type { Database, Db } from '../../lib/db.js';

type AgencyRow = { code: string; name: string; portal_code: string; parent_code: string | null; kind: string; address: string; active: boolean };

export const agencyOf = (r: AgencyRow): Agency => ({
  code: r.code, name: r.name, parentCode: r.parent_code, portalCode: r.portal_code, kind: r.kind as AgencyKind, address: r.address, active: r.active,
});

const AGENCY_COLUMNS = ['code', 'name', 'portal_code', 'parent_code', 'kind', 'address', 'active'] as const;

/** The codes of `root` and of every agency under it, at any depth (UNION: a cycle in old data cannot loop). */
const subtree = (db: Db, root: string) => db.withRecursive('subtree(code)', (qb) => qb
  .selectFrom('agencies').select('code').where('code', '=', root)
  .union((u) => u.selectFrom('agencies').innerJoin('subtree', 'subtree.code', 'agencies.parent_code').select('agencies.code')));

/** The agency, wherever it is. */
export async function findAgency(db: Db, code: string): Promise<Agency | null> {
  const r = await db.selectFrom('agencies').select(AGENCY_COLUMNS).where('code', '=', code).executeTakeFirst();
  return r ? agencyOf(r) : null;
}

/** Is `code` in the subtree of `root` (root included)? */
export async function inSubtree(db: Db, root: string, code: string): Promise<boolean> {
  const r = await subtree(db, root).selectFrom('subtree').select('code').where('code', '=', code).executeTakeFirst();
  return !!r;
}

/** `root`'s subtree in tree order (each agency after its parent, siblings by name), with each one's depth under root. */
export async function listSubtree(db: Db, root: string): Promise<(Agency & { depth: number })[]> {
  const rows = await sql<AgencyRow & { depth: number }>`
    WITH RECURSIVE tree AS (
      SELECT a.*, 0 AS depth, ARRAY[lower(a.name) || ' ' || a.code] AS path, ARRAY[a.code] AS codes FROM agencies a WHERE a.code = ${root}
      UNION ALL
      SELECT a.*, t.depth + 1, t.path || (lower(a.name) || ' ' || a.code), t.codes || a.code FROM agencies a JOIN tree t ON a.parent_code = t.code
      WHERE NOT a.code = ANY(t.codes)
    )
    SELECT code, name, portal_code, parent_code, kind, address, active, depth FROM tree ORDER BY path`.execute(db);
  return rows.rows.map((r) => ({ ...agencyOf(r), depth: r.depth }));
}

export const insertAgency = (db: Db, a: Agency) => db.insertInto('agencies').values({
  code: a.code, name: a.name, parent_code: a.parentCode, portal_code: a.portalCode, kind: a.kind, address: a.address, active: a.active,
}).execute();

export const updateAgency = (db: Db, a: Agency) => db.updateTable('agencies').set({
  name: a.name, parent_code: a.parentCode, portal_code: a.portalCode, kind: a.kind, address: a.address, active: a.active,
}).where('code', '=', a.code).execute();

/**
 * One agency tree change at a time (a transaction-scoped advisory lock): two moves checked at once could each
 * pass the cycle check and make a cycle together; two creations could take one portal code.
 */
export const lockAgencyTree = (db: Db) => sql`SELECT pg_advisory_xact_lock(hashtext('admin:agency-tree'))`.execute(db);

/** Another agency whose portal code it is, or whose dossier codes start with it (an old code it gave up). */
export async function portalCodeUser(db: Db, portalCode: string, except: string): Promise<{ agency: string; dossier: boolean } | null> {
  const holder = await db.selectFrom('agencies').select('name').where('portal_code', '=', portalCode).where('code', '<>', except).executeTakeFirst();
  if (holder) return { agency: holder.name, dossier: false };
  const prefix = `${portalCode.replace(/[\\%_]/g, (c) => `\\${c}`)}-%`;
  const dossier = await db.selectFrom('dossiers').innerJoin('agencies', 'agencies.code', 'dossiers.agency_code').select('agencies.name')
    .where('dossiers.code', 'like', prefix).where('dossiers.agency_code', '<>', except).limit(1).executeTakeFirst();
  return dossier ? { agency: dossier.name, dossier: true } : null;
}

/** The agency's dossiers still in progress (neither completed nor cancelled): how many, and a few codes. */
export async function openDossiers(db: Db, code: string): Promise<{ count: number; codes: string[] }> {
  const open = db.selectFrom('dossiers').where('agency_code', '=', code).where('status', 'not in', ['completed', 'cancelled']);
  const { count } = await open.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const codes = await open.select('code').orderBy('created_at').limit(3).execute();
  return { count: Number(count), codes: codes.map((c) => c.code) };
}

/** The active accounts whose agency it is. */
export const activeUsers = async (db: Db, code: string) =>
  (await db.selectFrom('users').select('username').where('agency_code', '=', code).where('active', '=', true).orderBy('username').execute()).map((u) => u.username);

/** The active agencies directly under it. */
export const activeChildren = async (db: Db, code: string) =>
  (await db.selectFrom('agencies').select('name').where('parent_code', '=', code).where('active', '=', true).orderBy('name').execute()).map((a) => a.name);

// ---- admin_events --------------------------------------------------------------------------------------------

// The INSERT is worker-side SQL (the appointments' activities record too): one copy, re-exported here.
export { deleteAdminEvent, insertAdminEvent } from '../../activities/admin-events.js';

export interface AdminEventFilter { entity?: string; entityId?: string }
export interface AdminEventRow {
  id: number; at: Date; actor: string; actor_kind: 'staff' | 'citizen'; actor_name: string | null; agency_code: string; agency_name: string;
  entity: string; entity_id: string; action: string; before: unknown; after: unknown;
}

/**
 * The actor's full name, from the kind of account that acted: a citizen's username may also be a staff username,
 * so each join is taken only for its kind.
 */
export const withActorName = <Q extends SelectQueryBuilder<Database, 'admin_events', object>>(q: Q) => q
  .leftJoin('users', (j) => j.onRef('users.username', '=', 'admin_events.actor').on('admin_events.actor_kind', '=', 'staff'))
  .leftJoin('portal_accounts', (j) => j.onRef('portal_accounts.username', '=', 'admin_events.actor').on('admin_events.actor_kind', '=', 'citizen'))
  .select((eb) => eb.fn.coalesce('users.full_name', 'portal_accounts.full_name').as('actor_name'));

/** The events about things in `root`'s subtree, newest first; `limit` rows from `offset`, and how many in all. */
export async function listAdminEvents(db: Db, root: string, f: AdminEventFilter, page: { limit: number; offset: number }): Promise<{ total: number; rows: AdminEventRow[] }> {
  const base = subtree(db, root).selectFrom('admin_events')
    .where('admin_events.agency_code', 'in', (eb) => eb.selectFrom('subtree').select('subtree.code'))
    .$if(!!f.entity, (q) => q.where('admin_events.entity', '=', f.entity!))
    .$if(!!f.entityId, (q) => q.where('admin_events.entity_id', '=', f.entityId!));
  const { total } = await base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  const rows = await base
    .$call(withActorName)
    .innerJoin('agencies', 'agencies.code', 'admin_events.agency_code')
    .select(['admin_events.id', 'admin_events.at', 'admin_events.actor', 'admin_events.actor_kind', 'admin_events.agency_code', 'agencies.name as agency_name',
      'admin_events.entity', 'admin_events.entity_id', 'admin_events.action', 'admin_events.before', 'admin_events.after'])
    .orderBy('admin_events.id', 'desc').limit(page.limit).offset(page.offset).execute();
  return { total: Number(total), rows };
}
