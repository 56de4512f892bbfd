// Frozen: the supervisors' figures kept by the database itself, so that Tổng quan over a province's whole year reads
// a few thousand rows instead of every dossier and event (issue 11: p95 ≤ 100 ms at a million dossiers).
// - dossier_counts: per agency, Vietnam day of receipt and status, how many dossiers, and of the completed ones how
//   many on time and late; each agency's row counts its own dossiers and those of every agency under it.
// - dossier_step_times: per agency (with its subtree), day of receipt and waiting status, a histogram of how long the
//   finished stays in that status took (buckets an eighth of a power of two wide: a median read from it is within
//   4.5 % of the exact one).
// Triggers keep both exact in the transaction that changes a dossier, records its event or moves an agency; the rows
// a change touches are updated in one statement per table in key order, and the tables in one order (step times,
// then counts: an event is written before its dossier's row), so two concurrent changes never deadlock. The audit
// trail is append-only (nothing deletes events), which is what the step times rely on.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table dossier_counts (
      agency_code text not null, day date not null, status text not null,
      n integer not null, on_time integer not null, late integer not null,
      primary key (agency_code, day, status))`.execute(db);
  await sql`
    create table dossier_step_times (
      agency_code text not null, day date not null, status text not null, bucket smallint not null, n integer not null,
      primary key (agency_code, day, status, bucket))`.execute(db);

  // An agency and every agency above it (union, not union all: a cycle ends instead of looping).
  await sql`
    create function agency_chain(agency text) returns table (code text) language sql stable as $$
      with recursive up (code, parent) as (
        select a.code, a.parent_code from agencies a where a.code = agency
        union select a.code, a.parent_code from agencies a join up on a.code = up.parent)
      select code from up $$`.execute(db);
  await sql`create function vn_day(t timestamptz) returns date language sql stable as $$ select (t at time zone 'Asia/Ho_Chi_Minh')::date $$`.execute(db);
  await sql`
    create function step_time_bucket(seconds double precision) returns smallint language sql immutable as $$
      select case when seconds < 1 then 0 else 1 + floor(8 * ln(seconds) / ln(2)) end::smallint $$`.execute(db);

  // Every finished stay of one dossier in a waiting status: from the event that put it there to the next event that
  // changed its status (an event that changes nothing, e.g. "overdue", does not split it).
  await sql`
    create function dossier_stays(dossier text) returns table (status text, seconds double precision) language sql stable as $$
      with ev as (
        select e.seq, e.at, e.status, lag(e.status) over (order by e.seq) as prev from dossier_events e where e.dossier_code = dossier
      ), changes as (
        select ev.status, ev.at, lead(ev.at) over (order by ev.seq) as left_at from ev where ev.prev is distinct from ev.status
      )
      select c.status, greatest(0, extract(epoch from c.left_at - c.at))::double precision from changes c
      where c.left_at is not null and c.status in ('awaiting_review', 'awaiting_signature', 'returned', 'awaiting_seal') $$`.execute(db);

  await sql`
    create function dossier_counts_change() returns trigger language plpgsql as $$
    begin
      insert into dossier_counts as c (agency_code, day, status, n, on_time, late)
      select a.code, d.day, d.status, sum(d.sign), sum(d.sign * d.on_time), sum(d.sign * d.late)
      from (
        select -1 as sign, OLD.agency_code as agency, vn_day(OLD.created_at) as day, OLD.status as status,
          (OLD.status = 'completed' and OLD.completed_at is not null and (OLD.due_date is null or vn_day(OLD.completed_at) <= OLD.due_date))::int as on_time,
          (OLD.status = 'completed' and OLD.completed_at is not null and vn_day(OLD.completed_at) > OLD.due_date)::int as late
        where TG_OP in ('UPDATE', 'DELETE') and OLD.status <> 'draft'
        union all
        select 1, NEW.agency_code, vn_day(NEW.created_at), NEW.status,
          (NEW.status = 'completed' and NEW.completed_at is not null and (NEW.due_date is null or vn_day(NEW.completed_at) <= NEW.due_date))::int,
          (NEW.status = 'completed' and NEW.completed_at is not null and vn_day(NEW.completed_at) > NEW.due_date)::int
        where TG_OP in ('INSERT', 'UPDATE') and NEW.status <> 'draft'
      ) d cross join lateral agency_chain(d.agency) a
      group by a.code, d.day, d.status
      having sum(d.sign) <> 0 or sum(d.sign * d.on_time) <> 0 or sum(d.sign * d.late) <> 0
      order by 1, 2, 3
      on conflict (agency_code, day, status) do update set n = c.n + excluded.n, on_time = c.on_time + excluded.on_time, late = c.late + excluded.late;
      -- A dossier moved to another agency or day of receipt takes its step times with it.
      if TG_OP = 'UPDATE' and (OLD.agency_code <> NEW.agency_code or vn_day(OLD.created_at) <> vn_day(NEW.created_at)) then
        insert into dossier_step_times as t (agency_code, day, status, bucket, n)
        select a.code, m.day, s.status, step_time_bucket(s.seconds), sum(m.sign)
        from dossier_stays(NEW.code) s
          cross join (values (-1, OLD.agency_code, vn_day(OLD.created_at)), (1, NEW.agency_code, vn_day(NEW.created_at))) m (sign, agency, day)
          cross join lateral agency_chain(m.agency) a
        group by 1, 2, 3, 4 having sum(m.sign) <> 0 order by 1, 2, 3, 4
        on conflict (agency_code, day, status, bucket) do update set n = t.n + excluded.n;
      end if;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger dossier_counts_insert_delete after insert or delete on dossiers
      for each row execute function dossier_counts_change()`.execute(db);
  await sql`
    create trigger dossier_counts_update after update of status, agency_code, created_at, completed_at, due_date on dossiers
      for each row when (OLD.status is distinct from NEW.status or OLD.agency_code is distinct from NEW.agency_code
        or OLD.created_at is distinct from NEW.created_at or OLD.completed_at is distinct from NEW.completed_at
        or OLD.due_date is distinct from NEW.due_date)
      execute function dossier_counts_change()`.execute(db);

  // A new event that changes the status ends the stay in the status before it (when that one is a waiting one).
  await sql`
    create function dossier_step_time_recorded() returns trigger language plpgsql as $$
    declare
      prev text; started timestamptz; agency text; received timestamptz;
    begin
      select e.status into prev from dossier_events e where e.dossier_code = NEW.dossier_code and e.seq < NEW.seq order by e.seq desc limit 1;
      if prev is null or prev = NEW.status or prev not in ('awaiting_review', 'awaiting_signature', 'returned', 'awaiting_seal') then return null; end if;
      select min(e.at) into started from dossier_events e where e.dossier_code = NEW.dossier_code and e.seq < NEW.seq
        and e.seq > coalesce((select max(x.seq) from dossier_events x where x.dossier_code = NEW.dossier_code and x.seq < NEW.seq and x.status <> prev), 0);
      select d.agency_code, d.created_at into agency, received from dossiers d where d.code = NEW.dossier_code;
      if agency is null then return null; end if;
      insert into dossier_step_times as t (agency_code, day, status, bucket, n)
      select a.code, vn_day(received), prev, step_time_bucket(greatest(0, extract(epoch from NEW.at - started))), 1
      from agency_chain(agency) a order by 1
      on conflict (agency_code, day, status, bucket) do update set n = t.n + 1;
      return null;
    end $$`.execute(db);
  await sql`create trigger dossier_step_time_recorded after insert on dossier_events for each row execute function dossier_step_time_recorded()`.execute(db);

  // An agency given another parent takes its subtree's figures from the old chain above it to the new one.
  await sql`
    create function agency_statistics_moved() returns trigger language plpgsql as $$
    begin
      -- The step times first, then the counts: the order every read-model transaction takes them in (no deadlock).
      insert into dossier_step_times as t (agency_code, day, status, bucket, n)
      select m.code, x.day, x.status, x.bucket, sum(m.sign * x.n)
      from (select -1 as sign, code from agency_chain(OLD.parent_code) union all select 1, code from agency_chain(NEW.parent_code)) m
        cross join dossier_step_times x
      where x.agency_code = NEW.code
      group by 1, 2, 3, 4 having sum(m.sign * x.n) <> 0 order by 1, 2, 3, 4
      on conflict (agency_code, day, status, bucket) do update set n = t.n + excluded.n;
      insert into dossier_counts as c (agency_code, day, status, n, on_time, late)
      select m.code, x.day, x.status, sum(m.sign * x.n), sum(m.sign * x.on_time), sum(m.sign * x.late)
      from (select -1 as sign, code from agency_chain(OLD.parent_code) union all select 1, code from agency_chain(NEW.parent_code)) m
        cross join dossier_counts x
      where x.agency_code = NEW.code
      group by 1, 2, 3 having sum(m.sign * x.n) <> 0 or sum(m.sign * x.on_time) <> 0 or sum(m.sign * x.late) <> 0 order by 1, 2, 3
      on conflict (agency_code, day, status) do update set n = c.n + excluded.n, on_time = c.on_time + excluded.on_time, late = c.late + excluded.late;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger agency_statistics_moved after update of parent_code on agencies
      for each row when (OLD.parent_code is distinct from NEW.parent_code) execute function agency_statistics_moved()`.execute(db);

  // Both tables from what is there, set-based (also for bulk loads made with the triggers off).
  await sql`
    create function rebuild_dossier_statistics() returns void language plpgsql as $$
    begin
      truncate dossier_counts, dossier_step_times;
      create temporary table agency_ancestors on commit drop as
        with recursive anc (code, ancestor) as (
          select code, code from agencies
          union select anc.code, a.parent_code from anc join agencies a on a.code = anc.ancestor where a.parent_code is not null)
        select code, ancestor from anc;
      insert into dossier_counts (agency_code, day, status, n, on_time, late)
      select x.ancestor, d.day, d.status, count(*), sum(d.on_time), sum(d.late)
      from (select agency_code, vn_day(created_at) as day, status,
          (status = 'completed' and completed_at is not null and (due_date is null or vn_day(completed_at) <= due_date))::int as on_time,
          (status = 'completed' and completed_at is not null and vn_day(completed_at) > due_date)::int as late
        from dossiers where status <> 'draft') d
      join agency_ancestors x on x.code = d.agency_code
      group by 1, 2, 3;
      insert into dossier_step_times (agency_code, day, status, bucket, n)
      with ev as (
        select e.dossier_code, e.seq, e.at, e.status, lag(e.status) over (partition by e.dossier_code order by e.seq) as prev from dossier_events e
      ), changes as (
        select dossier_code, status, at, lead(at) over (partition by dossier_code order by seq) as left_at from ev where prev is distinct from status
      )
      select x.ancestor, vn_day(d.created_at), c.status, step_time_bucket(greatest(0, extract(epoch from c.left_at - c.at))), count(*)
      from changes c join dossiers d on d.code = c.dossier_code join agency_ancestors x on x.code = d.agency_code
      where c.left_at is not null and c.status in ('awaiting_review', 'awaiting_signature', 'returned', 'awaiting_seal')
      group by 1, 2, 3, 4;
      drop table agency_ancestors;
    end $$`.execute(db);
  await sql`select rebuild_dossier_statistics()`.execute(db);

  // The audit export reads the events of a period.
  await sql`create index dossier_events_at on dossier_events (at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index dossier_events_at`.execute(db);
  await sql`drop trigger agency_statistics_moved on agencies`.execute(db);
  await sql`drop trigger dossier_step_time_recorded on dossier_events`.execute(db);
  await sql`drop trigger dossier_counts_update on dossiers`.execute(db);
  await sql`drop trigger dossier_counts_insert_delete on dossiers`.execute(db);
  for (const f of ['rebuild_dossier_statistics()', 'agency_statistics_moved()', 'dossier_step_time_recorded()', 'dossier_counts_change()',
    'dossier_stays(text)', 'step_time_bucket(double precision)', 'vn_day(timestamptz)', 'agency_chain(text)']) {
    await sql.raw(`drop function ${f}`).execute(db);
  }
  await sql`drop table dossier_step_times`.execute(db);
  await sql`drop table dossier_counts`.execute(db);
}
