// npm run bench:overview [-- <dossiers>]: Tổng quan at scale. Seeds <dossiers> (default 1,000,000) into a fresh
// embedded PostgreSQL with the app's migrations — 500 communes under 50 districts under one province, three years
// of dossiers (the last two weeks in every status), on time, late and overdue, with their audit trail (an event per
// step, minutes to days apart) — straight in SQL with the triggers off, then the figures the database keeps counted
// in one pass (rebuild_dossier_statistics, migration 027; timed), then times the dashboard's figures
// (api/reports/overview.ts, the same function the screen and the API call) for the province's supervisor, a
// district's and one commune, over today, this month and a whole year; 20 runs each after one warm-up. Prints
// p50/p95 per case and ends with the line `dashboard p95 <N> ms`. The data folder is removed afterwards.
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { addDays } from '../domain/calendar.js';
import type { Actor } from '../domain/types.js';
import { vnIsoDate } from '../domain/vn-time.js';
import { overview } from '../api/reports/overview.js';
import { createDb, migrateToLatest } from '../lib/db.js';
import { startEmbeddedPostgres } from '../lib/embedded-postgres.js';
import { freePort } from '../lib/local-services.js';
import { seedReferenceData } from '../lib/seed.js';

const N = Number(process.argv[2] ?? 1_000_000);
const RUNS = 20;
const dir = path.resolve('.data/bench-overview');
fs.rmSync(dir, { recursive: true, force: true });
const pg = await startEmbeddedPostgres(path.join(dir, 'pg'), await freePort(), 'bench');
const db = createDb(pg.url, 4);
try {
  await migrateToLatest(db);
  await seedReferenceData(db);
  const t0 = performance.now();
  // A bulk load: the triggers that keep the figures are off for it, the figures counted once afterwards.
  await db.transaction().execute(async (db) => {
  await sql`set local session_replication_role = replica`.execute(db);
  await sql`insert into agencies (code, name, portal_code, parent_code) values ('P00', 'Sở Tư pháp tỉnh thử nghiệm', 'BP00', null)`.execute(db);
  await sql`insert into agencies (code, name, portal_code, parent_code)
    select 'H' || lpad(d::text, 2, '0'), 'Phòng Tư pháp huyện ' || d, 'BH' || d, 'P00' from generate_series(1, 50) d`.execute(db);
  await sql`insert into agencies (code, name, portal_code, parent_code)
    select 'X' || lpad(c::text, 3, '0'), 'UBND xã ' || c, 'BX' || c, 'H' || lpad((1 + (c - 1) / 10)::text, 2, '0') from generate_series(1, 500) c`.execute(db);
  // Three years back from now; due three days after creation; a completed one sealed 0-5 days after, so some are
  // late. The last two weeks hold every status (the waiting ones past their due day are overdue); older dossiers
  // are completed or cancelled, as in an office where nothing waits for months.
  await sql`insert into dossiers (code, agency_code, status, applicant_kind, applicant_name, document_type_code, document_type_name,
      copies, page_count, fee, created_by, created_at, updated_at, due_date, completed_at, snapshot, awaiting_role)
    select 'B' || i, 'X' || lpad((1 + i % 500)::text, 3, '0'), s.status, 'citizen', 'Người thử ' || i, 'GKS', 'Giấy khai sinh', 1, 1, 2000, 'canbo',
      t.created, t.created, (t.created at time zone 'Asia/Ho_Chi_Minh')::date + 3,
      case when s.status = 'completed' then t.created + ((i % 6) || ' days')::interval end, '{}',
      case s.status when 'awaiting_signature' then 'signer' when 'awaiting_seal' then 'sealer' when 'returned' then 'creator' end
    from generate_series(1, ${N}) i,
      lateral (select now() - ((i::bigint * 1096 * 86400 / ${N}) || ' seconds')::interval as created) t,
      lateral (select case when t.created > now() - interval '14 days'
        then (array['completed','completed','completed','completed','completed','completed','awaiting_signature','awaiting_seal','returned','cancelled'])[1 + i % 10]
        else (array['completed','completed','completed','completed','completed','completed','completed','completed','completed','cancelled'])[1 + i % 10] end as status) s`.execute(db);
  // The audit trail: submitted (waiting for the signature), then signed (for the seal) and sealed, or returned, or
  // cancelled; each step from a minute to two days after the one before.
  await sql`insert into dossier_events (event_id, dossier_code, seq, action, actor, actor_name, status, at, type, payload)
    select d.code || '#' || e.seq, d.code, e.seq, e.type, 'canbo', 'Cán bộ', e.status, d.created_at + e.after, e.type, '{}'
    from dossiers d, lateral (select (60 + (hashtext(d.code) & 65535) * 2.6) * interval '1 second' as step) w,
      lateral (values (1, 'submitted', case when d.status = 'cancelled' then 'returned' else 'awaiting_signature' end, interval '0'),
        (2, case when d.status in ('returned', 'cancelled') then 'returned' else 'signed' end, case when d.status = 'awaiting_signature' then null when d.status in ('returned', 'cancelled') then 'returned' else 'awaiting_seal' end, w.step),
        (3, case when d.status = 'cancelled' then 'cancelled' else 'sealed' end, case when d.status in ('completed', 'cancelled') then d.status end, w.step * 2)) e (seq, type, status, after)
    where e.status is not null`.execute(db);
  });
  const seeded = (performance.now() - t0) / 1000;
  const events = (await sql<{ n: number }>`select count(*)::int as n from dossier_events`.execute(db)).rows[0].n;
  console.log(`seeded ${N.toLocaleString('en')} dossiers over 551 agencies, ${events.toLocaleString('en')} events, in ${seeded.toFixed(1)} s`);
  const t1 = performance.now();
  await sql`select rebuild_dossier_statistics()`.execute(db);
  await sql`analyze`.execute(db);
  console.log(`figures counted (dossier_counts, dossier_step_times) in ${((performance.now() - t1) / 1000).toFixed(1)} s`);

  const actor = (agencyCode: string): Actor => ({ username: 'giamsat', fullName: 'Giám sát', agencyCode, roles: ['supervisor'] });
  const today = vnIsoDate(new Date());
  const cases: [string, Actor, Record<string, string>][] = [
    ['province, today', actor('P00'), {}],
    ['province, this month', actor('P00'), { period: 'month' }],
    ['province, a whole year', actor('P00'), { from: addDays(today, -365), to: today }],
    ['district, this month', actor('H07'), { period: 'month' }],
    ['district, a whole year', actor('H07'), { from: addDays(today, -365), to: today }],
    ['one commune of the province, a year', actor('P00'), { from: addDays(today, -365), to: today, agencyCode: 'X123' }],
  ];
  let worst = 0;
  for (const [name, who, query] of cases) {
    const first = await overview(db, who, query);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await overview(db, who, query);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const p = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
    worst = Math.max(worst, p(0.95));
    console.log(`${name.padEnd(40)} received ${String(first.received).padStart(8)}  overdue now ${String(first.overdueNow).padStart(7)}  p50 ${p(0.5).toFixed(1).padStart(7)} ms  p95 ${p(0.95).toFixed(1).padStart(7)} ms`);
  }
  console.log(`dashboard p95 ${Math.round(worst)} ms`);
} finally {
  await db.destroy();
  await pg.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
