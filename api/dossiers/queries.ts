// The SQL of the dossier feature: the read model (rows, lists, events), portal accounts looked up for the
// applicant, document types, agencies, dossier numbering and the create requests' reservations.
import { sql } from 'kysely';
import { vnDayStart } from '../../domain/vn-time.js';
import type { DossierStatus } from '../../domain/dossier.js';
import { containsPattern, type Db } from '../../lib/db.js';
// The stored e-copy's newest version (archival renewal), worker-side SQL: one copy.
export { currentEcopy } from '../../activities/ecopy-versions.js';
// The agency's working days for a new dossier's due date (one calendar with the appointments), worker-side SQL.
export { workingCalendar } from '../../activities/calendar.js';

/** A portal account's public fields, by CMND/CCCD/MST (the "TÌM KIẾM TÀI KHOẢN" button). */
export const accountByIdNumber = (db: Db, idNumber: string) =>
  db.selectFrom('portal_accounts').select(['username', 'kind', 'full_name', 'id_number', 'email', 'phone']).where('id_number', '=', idNumber).executeTakeFirst();

/** The whole portal account, by CMND/CCCD/MST (the applicant of a new dossier). */
export const portalAccountByIdNumber = (db: Db, idNumber: string) =>
  db.selectFrom('portal_accounts').selectAll().where('id_number', '=', idNumber).executeTakeFirst();

/** The types offered for a new dossier: the active ones (a deactivated type stays on the dossiers that have it). */
export const documentTypes = (db: Db) =>
  db.selectFrom('document_types').select(['code', 'name']).where('active', '=', true).orderBy('sort').orderBy('name').execute();

export const documentType = (db: Db, code: string) =>
  db.selectFrom('document_types').select(['code', 'name', 'active']).where('code', '=', code).executeTakeFirst();

/** The agencies directly under `code`. */
export const childAgencies = async (db: Db, code: string) =>
  (await db.selectFrom('agencies').select('code').where('parent_code', '=', code).execute()).map((a) => a.code);

export const agency = (db: Db, code: string) =>
  db.selectFrom('agencies').selectAll().where('code', '=', code).executeTakeFirstOrThrow();

/** The agency's next dossier number of the day (Vietnam time `day`, ddMMyy), counted in dossier_sequences. */
export async function nextSequence(db: Db, agencyCode: string, day: string): Promise<number> {
  const row = await db.insertInto('dossier_sequences').values({ agency_code: agencyCode, day, last: 1 })
    .onConflict((oc) => oc.columns(['agency_code', 'day']).doUpdateSet({ last: sql`dossier_sequences.last + 1` }))
    .returning('last').executeTakeFirstOrThrow();
  return row.last;
}

export const createRequest = (db: Db, key: string) =>
  db.selectFrom('create_requests').select(['dossier_code', 'dossier_input']).where('idempotency_key', '=', key).executeTakeFirst();

/** Holds the key's lock until the transaction ends: a second request with the same key waits for the first. */
export const lockKey = async (tx: Db, key: string) => { await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(tx); };

export const insertCreateRequest = (tx: Db, key: string, dossierCode: string, dossierInput: unknown) =>
  tx.insertInto('create_requests').values({ idempotency_key: key, dossier_code: dossierCode, dossier_input: JSON.stringify(dossierInput) }).execute();

/** The read model's row of the dossier. */
export const dossierRow = (db: Db, code: string) =>
  db.selectFrom('dossiers').selectAll().where('code', '=', code).executeTakeFirst();

export const dossierExists = async (db: Db, code: string) =>
  Boolean(await db.selectFrom('dossiers').select('code').where('code', '=', code).executeTakeFirst());

/** The agencies of a list as the kept figures (dossier_counts, per agency with its subtree) see them: `code` with its
 *  whole subtree, or `code` alone (its subtree's figures less those of each agency directly under it). */
export interface AgencyScope { code: string; subtree: boolean; children: string[] }

export interface ListQuery {
  /** The agencies whose dossiers are listed (the actor's, or a supervisor's subtree or one agency of it). */
  agencyCodes: string[];
  /** The same agencies as a scope, when the caller knows it: lets the count and deep pages use the kept figures. */
  scope?: AgencyScope;
  statuses?: DossierStatus[];
  /** The seal keeper's queue: awaiting the seal, or sealed and not yet delivered. */
  sealerQueue?: boolean;
  /** Only dossiers whose current step waits on one of these roles (the review queue: each review step has its role). */
  awaitingRoles?: string[];
  applicantKind?: string;
  code?: string;
  q?: string;
  from?: string | null; // yyyy-MM-dd
  to?: string | null;
  /** Only dossiers still waiting on someone (to sign, to correct, to seal) whose due day is before this day (yyyy-MM-dd). */
  overdueBefore?: string | null;
  /** Only the completed dossiers sealed on or before their due day (Vietnam), or after it. */
  timeliness?: Timeliness;
  /** newest first (default), oldest first (the staff's queues: the same-day deadline puts the oldest at risk), or the
   *  nearest due day first. */
  sort?: DossierSort;
  page: number;
  pageSize: number;
}

export const TIMELINESS = ['on_time', 'late'] as const;
export type Timeliness = (typeof TIMELINESS)[number];
/** The Vietnam day a dossier was completed (a date, compared with due_date). */
export const completedDay = sql<string>`(completed_at at time zone 'Asia/Ho_Chi_Minh')::date`;

export const DOSSIER_SORTS = ['newest', 'oldest', 'due'] as const;
export type DossierSort = (typeof DOSSIER_SORTS)[number];
/** The statuses in which a dossier waits on a person, so its due day can pass. */
export const WAITING_STATUSES: DossierStatus[] = ['awaiting_review', 'awaiting_signature', 'returned', 'awaiting_seal'];

/** A list the kept figures do not count (a name, ID number, e-mail or code search, a queue) is counted up to this many;
 *  past it the screen says "hơn 10.000" and asks for a narrower search, since counting every one of a broad search's
 *  matches costs more than finding a page of them. */
export const COUNT_CAP = 10_000;

/** A page this deep or deeper is found through the kept figures (or from the end), not by skipping rows. */
export const DEEP_OFFSET = 1000;

type Term = { by: ReturnType<typeof sql>; desc: boolean; nullsLast?: boolean };
/** The list's order, every term with its direction; the code last, so that the order is total (a page is exact). */
const orderOf = (sort: DossierSort | undefined): Term[] => [
  ...(sort === 'due' ? [{ by: sql`due_date`, desc: false, nullsLast: true }, { by: sql`created_at`, desc: false }]
    : [{ by: sql`created_at`, desc: sort !== 'oldest' }]),
  { by: sql`code`, desc: false },
];
const orderSql = (terms: Term[], reversed: boolean) => sql.join(terms.map((t) => {
  const desc = t.desc !== reversed;
  const nulls = t.nullsLast === undefined ? sql`` : (t.nullsLast !== reversed ? sql` nulls last` : sql` nulls first`);
  return sql`${t.by} ${desc ? sql`desc` : sql`asc`}${nulls}`;
}));

/** Whether the kept figures count this list exactly: only agencies, statuses, receipt days and timeliness filter it. */
const countedByFigures = (f: ListQuery) => Boolean(f.scope) && !f.sealerQueue && !f.awaitingRoles
  && !(f.applicantKind && ['citizen', 'business', 'no_account'].includes(f.applicantKind)) && !f.code?.trim() && !f.q?.trim() && !f.overdueBefore;

/** The list's dossiers per Vietnam day of receipt, from the kept figures (only when countedByFigures). */
async function keptPerDay(db: Db, f: ListQuery): Promise<{ day: string; n: number }[]> {
  const scope = f.scope!;
  const column = f.timeliness === 'on_time' ? sql`on_time` : f.timeliness === 'late' ? sql`late` : sql`n`;
  const statuses = f.timeliness ? ['completed'] : f.statuses;
  const r = await sql<{ day: string; n: number }>`
    select day::text as day, sum(case when agency_code = ${scope.code} then ${column} else -${column} end)::int as n
    from dossier_counts
    where agency_code in (${sql.join([scope.code, ...(scope.subtree ? [] : scope.children)])})
      ${statuses?.length ? sql`and status in (${sql.join(statuses)})` : sql``}
      ${f.from ? sql`and day >= ${f.from}` : sql``} ${f.to ? sql`and day <= ${f.to}` : sql``}
    group by day having sum(case when agency_code = ${scope.code} then ${column} else -${column} end) <> 0
    order by day`.execute(db);
  return r.rows;
}

/** One page of the agency's dossiers, in the order asked for, and how many match: exactly, or, for a list the kept
 *  figures do not count, up to COUNT_CAP (then `capped`, and `total` is COUNT_CAP). */
export async function listDossiers(db: Db, f: ListQuery) {
  let q = db.selectFrom('dossiers').where('agency_code', 'in', f.agencyCodes.length ? f.agencyCodes : ['']);
  if (f.statuses?.length) q = q.where('status', 'in', f.statuses);
  if (f.sealerQueue) {
    q = q.where((eb) => eb.or([eb('status', '=', 'awaiting_seal'), eb.and([eb('status', '=', 'completed'), eb('delivered_at', 'is', null)])]));
  }
  if (f.awaitingRoles) q = q.where('awaiting_role', 'in', f.awaitingRoles.length ? f.awaitingRoles : ['']);
  if (f.applicantKind && ['citizen', 'business', 'no_account'].includes(f.applicantKind)) q = q.where('applicant_kind', '=', f.applicantKind);
  if (f.code?.trim()) q = q.where('code', 'ilike', containsPattern(f.code.trim()));
  if (f.q?.trim()) {
    const like = containsPattern(f.q.trim());
    q = q.where((eb) => eb.or([eb('applicant_name', 'ilike', like), eb('applicant_id_number', 'ilike', like), eb('applicant_email', 'ilike', like)]));
  }
  if (f.from) q = q.where('created_at', '>=', vnDayStart(f.from));
  if (f.to) q = q.where('created_at', '<', new Date(vnDayStart(f.to).getTime() + 86400_000));
  if (f.overdueBefore) q = q.where('status', 'in', WAITING_STATUSES).where('due_date', '<', f.overdueBefore);
  if (f.timeliness) {
    q = q.where('status', '=', 'completed').where('completed_at', 'is not', null);
    q = f.timeliness === 'late' ? q.where(sql<boolean>`${completedDay} > due_date`) : q.where(sql<boolean>`(due_date is null or ${completedDay} <= due_date)`);
  }
  // How many: from the kept figures when they count this list (a province's million in a few rows), else counted up
  // to the cap.
  const perDay = countedByFigures(f) ? await keptPerDay(db, f) : null;
  const counted = perDay ? perDay.reduce((n, d) => n + d.n, 0) : Number((await db.selectFrom(q.select(sql`1`.as('one')).limit(COUNT_CAP + 1).as('m'))
    .select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const capped = !perDay && counted > COUNT_CAP;
  const total = capped ? COUNT_CAP : counted;
  const offset = (f.page - 1) * f.pageSize;
  const terms = orderOf(f.sort);
  const page = (query: typeof q, skip: number, take: number, reversed = false) =>
    query.selectAll().orderBy(orderSql(terms, reversed)).limit(take).offset(skip).execute();
  // Past the cap no page is offered: the rows are there, but a narrower search finds them.
  if (offset >= total) return { total, capped, items: offset > 0 ? [] : await page(q, offset, f.pageSize) };
  if (offset < DEEP_OFFSET || capped) return { total, capped, items: await page(q, offset, capped ? Math.min(f.pageSize, total - offset) : f.pageSize) };

  // A deep page, found without skipping the rows before it: through the days of receipt (the kept figures say how
  // many each holds: the page starts on a known day, a few rows into it) ...
  if (perDay && f.sort !== 'due') {
    const days = f.sort === 'oldest' ? perDay : [...perDay].reverse();
    let before = 0;
    const start = days.find((d) => { if (before + d.n > offset) return true; before += d.n; return false; })!;
    const from = vnDayStart(start.day);
    const seek = f.sort === 'oldest' ? q.where('created_at', '>=', from) : q.where('created_at', '<', new Date(from.getTime() + 86400_000));
    return { total, capped, items: await page(seek, offset - before, f.pageSize) };
  }
  // ... or, in the back half, from the end: the same rows in the opposite order, then turned back.
  if (offset > total / 2) {
    const take = Math.min(f.pageSize, total - offset);
    return { total, capped, items: (await page(q, total - offset - take, take, true)).reverse() };
  }
  return { total, capped, items: await page(q, offset, f.pageSize) };
}

/** The dossier's audit events, in order. */
export const dossierEvents = (db: Db, code: string) =>
  db.selectFrom('dossier_events').selectAll().where('dossier_code', '=', code).orderBy('seq').execute();

/** Where the leader last placed the signature box, or undefined (the default place). */
export { signaturePlacementOf } from '../../activities/batch.js';

/** Keeps `p` as the leader's default place for the signature box. */
export const saveSignaturePlacement = (db: Db, username: string, p: { x: number; y: number }) =>
  db.insertInto('signature_placements').values({ username, x: p.x, y: p.y })
    .onConflict((oc) => oc.column('username').doUpdateSet({ x: p.x, y: p.y, updated_at: new Date() })).execute();
