// The SQL of the supervisors' dashboard ("Tổng quan"): over a set of agencies and the dossiers received in [from, to).
// Each figure is one grouped scan on the dossiers' indexes (agency, created_at; agency, due day for those waiting);
// the times per step read the audit trail of the same dossiers once, with window functions.
import { sql } from 'kysely';
import { WAITING_STATUSES, completedDay } from '../dossiers/service.js';
import type { Db } from '../../lib/db.js';

const VN_DAY = sql<string>`to_char(created_at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD')`;
const ON_TIME = sql<boolean>`status = 'completed' and completed_at is not null and (due_date is null or ${completedDay} <= due_date)`;
const LATE = sql<boolean>`status = 'completed' and completed_at is not null and ${completedDay} > due_date`;

const received = (db: Db, agencies: string[], from: Date, to: Date) => db.selectFrom('dossiers')
  .where('agency_code', 'in', agencies).where('created_at', '>=', from).where('created_at', '<', to).where('status', '<>', 'draft');

/** Per agency and status: how many, and of the completed ones how many on time and late. */
export const countsByAgencyStatus = (db: Db, agencies: string[], from: Date, to: Date) => received(db, agencies, from, to)
  .select(['agency_code', 'status', sql<number>`count(*)::int`.as('n'), sql<number>`(count(*) filter (where ${ON_TIME}))::int`.as('on_time'), sql<number>`(count(*) filter (where ${LATE}))::int`.as('late')])
  .groupBy(['agency_code', 'status']).execute();

/** Per Vietnam day: received, and of those completed, on time and late. */
export const countsByDay = (db: Db, agencies: string[], from: Date, to: Date) => received(db, agencies, from, to)
  .select([VN_DAY.as('day'), sql<number>`count(*)::int`.as('received'), sql<number>`(count(*) filter (where status = 'completed'))::int`.as('completed'),
    sql<number>`(count(*) filter (where ${LATE}))::int`.as('late')])
  .groupBy(VN_DAY).orderBy(VN_DAY).execute();

/** The dossiers still waiting on someone whose due day is before `today`, per agency (not bound to the period). */
export const overdueByAgency = (db: Db, agencies: string[], today: string) => db.selectFrom('dossiers')
  .select(['agency_code', sql<number>`count(*)::int`.as('n')])
  .where('agency_code', 'in', agencies).where('status', 'in', WAITING_STATUSES).where('due_date', '<', today)
  .groupBy('agency_code').execute();

/** The oldest overdue dossiers first, with the role whose step they wait on. */
export const overdueList = (db: Db, agencies: string[], today: string, limit: number) => db.selectFrom('dossiers')
  .select(['code', 'agency_code', 'status', 'awaiting_role', 'due_date', 'created_at', 'applicant_name', 'document_type_name'])
  .where('agency_code', 'in', agencies).where('status', 'in', WAITING_STATUSES).where('due_date', '<', today)
  .orderBy('due_date').orderBy('created_at').limit(limit).execute();

/** The active staff holding `roles` at these agencies (whose step an overdue dossier waits on). */
export const staffWithRoles = (db: Db, agencies: string[], roles: string[]) => db.selectFrom('user_roles')
  .innerJoin('users', 'users.username', 'user_roles.username')
  .select(['user_roles.agency_code', 'user_roles.role', 'users.full_name'])
  .where('user_roles.agency_code', 'in', agencies).where('user_roles.role', 'in', roles.length ? roles : ['']).where('users.active', '=', true)
  .orderBy('users.full_name').execute();

/**
 * How long the dossiers received in the period stayed in each waiting status: from the event that put a dossier in
 * it to the next event that changed its status (an event that changes nothing, e.g. "overdue", does not split it);
 * the median and 90th percentile in seconds, and how many such stays. A stay still open is not counted.
 */
export async function stepDurations(db: Db, agencies: string[], from: Date, to: Date) {
  const r = await sql<{ status: string; n: number; p50: number; p90: number }>`
    with ev as (
      select e.dossier_code, e.seq, e.at, e.status, lag(e.status) over (partition by e.dossier_code order by e.seq) as prev
      from dossier_events e join dossiers d on d.code = e.dossier_code
      where d.agency_code in (${sql.join(agencies)}) and d.created_at >= ${from} and d.created_at < ${to} and d.status <> 'draft'
    ), changes as (
      select status, at, lead(at) over (partition by dossier_code order by seq) as left_at from ev where prev is distinct from status
    )
    select status, count(*)::int as n,
      percentile_cont(0.5) within group (order by extract(epoch from left_at - at)) as p50,
      percentile_cont(0.9) within group (order by extract(epoch from left_at - at)) as p90
    from changes where left_at is not null and status in (${sql.join(WAITING_STATUSES)}) group by status`.execute(db);
  return r.rows;
}
