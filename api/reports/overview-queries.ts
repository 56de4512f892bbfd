// The SQL of the supervisors' dashboard ("Tổng quan"): over an agency with its subtree and the Vietnam days of receipt
// [from, to]. The counts and the step times are read from the tables the database keeps per agency (with everything
// under it), day and status (migration 027, dossier_counts and dossier_step_times): a province's whole year is a few
// thousand rows. The overdue dossiers are read from the dossiers themselves (few, on a partial index).
import { sql } from 'kysely';
import { WAITING_STATUSES } from '../dossiers/service.js';
import type { Db } from '../../lib/db.js';

/** Per agency (each with its subtree) and status: how many, and of the completed ones how many on time and late. */
export const countsByAgencyStatus = (db: Db, agencies: string[], from: string, to: string) => db.selectFrom('dossier_counts')
  .select(['agency_code', 'status', sql<number>`sum(n)::int`.as('n'), sql<number>`sum(on_time)::int`.as('on_time'), sql<number>`sum(late)::int`.as('late')])
  .where('agency_code', 'in', agencies).where('day', '>=', from).where('day', '<=', to)
  .groupBy(['agency_code', 'status']).execute();

/** Per Vietnam day, over one agency with its subtree: received, and of those completed, how many late. */
export const countsByDay = (db: Db, agency: string, from: string, to: string) => db.selectFrom('dossier_counts')
  .select([sql<string>`day::text`.as('day'), sql<number>`sum(n)::int`.as('received'), sql<number>`(sum(n) filter (where status = 'completed'))::int`.as('completed'),
    sql<number>`sum(late)::int`.as('late')])
  .where('agency_code', '=', agency).where('day', '>=', from).where('day', '<=', to)
  .groupBy('day').orderBy('day').execute();

/** How long the finished stays in each waiting status took, over one agency with its subtree: a histogram per status. */
export const stepTimes = (db: Db, agency: string, from: string, to: string) => db.selectFrom('dossier_step_times')
  .select(['status', 'bucket', sql<number>`sum(n)::int`.as('n')])
  .where('agency_code', '=', agency).where('day', '>=', from).where('day', '<=', to).where('status', 'in', WAITING_STATUSES)
  .groupBy(['status', 'bucket']).orderBy('status').orderBy('bucket').execute();

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
