// The bulk data of the scale benchmarks (bench:overview, bench:lists): one province (P00) with 50 districts (H01–H50)
// of 10 communes each (X001–X500); <n> dossiers over three years back from now, spread over the communes, with
// applicants of every kind (Vietnamese names, 12-digit ID numbers, e-mails), due three days after receipt, completed
// ones sealed 0–5 days after (so some late), the last two weeks in every status (the waiting ones past their due day
// overdue), and the audit trail (an event per step, a minute to two days apart). Straight in SQL with the triggers
// off, then the figures the database keeps counted in one pass (rebuild_dossier_statistics, migration 027).
import { sql } from 'kysely';
import type { Db } from '../lib/db.js';

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý'];
const MIDDLE = ['Văn', 'Thị', 'Minh', 'Ngọc', 'Quốc', 'Thanh', 'Hữu', 'Đức', 'Thu', 'Gia'];
const GIVEN = ['An', 'Bình', 'Châu', 'Dũng', 'Giang', 'Hà', 'Hải', 'Hạnh', 'Hùng', 'Hương', 'Khánh', 'Lan', 'Linh', 'Long', 'Mai', 'Nam',
  'Nga', 'Phong', 'Phúc', 'Quân', 'Sơn', 'Tâm', 'Thảo', 'Trang', 'Tuấn', 'Vy', 'Yến', 'Bảo', 'Cường', 'Đạt', 'Hiếu', 'Kiên'];
const list = (xs: string[]) => sql.raw(`array[${xs.map((x) => `'${x}'`).join(',')}]`);

export interface Seeded { dossiers: number; events: number; seedSeconds: number; indexSeconds: number; figuresSeconds: number }

export async function seedProvince(db: Db, n: number): Promise<Seeded> {
  const t0 = performance.now();
  // A bulk load, as one restores a dump: the secondary indexes of the two big tables dropped, then built again from
  // their own definitions (pg_indexes) once the rows are in; much faster than keeping them up row by row.
  const indexes = (await sql<{ name: string; def: string }>`select indexname as name, indexdef as def from pg_indexes
    where tablename in ('dossiers', 'dossier_events') and indexname not in (select conname from pg_constraint)`.execute(db)).rows;
  for (const i of indexes) await sql.raw(`drop index ${i.name}`).execute(db);
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
  await sql`insert into dossiers (code, agency_code, status, applicant_kind, applicant_name, applicant_id_number, applicant_email,
      document_type_code, document_type_name, copies, page_count, fee, created_by, created_at, updated_at, due_date, completed_at, delivered_at, snapshot, awaiting_role)
    select 'B' || i, 'X' || lpad((1 + i % 500)::text, 3, '0'), s.status, k.kind,
      (${list(FAMILY)})[1 + i % 16] || ' ' || (${list(MIDDLE)})[1 + (i / 16) % 10] || ' ' || (${list(GIVEN)})[1 + (i / 160) % 32],
      case when k.kind = 'business' then lpad((3000000000 + i)::text, 10, '0') else '0' || lpad((79200000000 + (i::bigint * 7919) % 1000000000)::text, 11, '0') end,
      case when i % 3 = 0 then null else 'nguoi' || i || '@example.vn' end,
      'GKS', 'Giấy khai sinh', 1, 1, 2000, 'canbo',
      t.created, t.created, (t.created at time zone 'Asia/Ho_Chi_Minh')::date + 3,
      case when s.status = 'completed' then t.created + ((i % 6) || ' days')::interval end,
      case when s.status = 'completed' and t.created < now() - interval '14 days' then t.created + ((i % 6) || ' days')::interval end, '{}',
      case s.status when 'awaiting_signature' then 'signer' when 'awaiting_seal' then 'sealer' when 'returned' then 'creator' end
    from generate_series(1, ${n}) i,
      lateral (select case when (i / 7) % 10 = 0 then 'business' when (i / 7) % 10 = 1 then 'no_account' else 'citizen' end as kind) k,
      lateral (select now() - ((i::bigint * 1096 * 86400 / ${n}) || ' seconds')::interval as created) t,
      lateral (select case when t.created > now() - interval '14 days'
        then (array['completed','completed','completed','completed','completed','completed','awaiting_signature','awaiting_seal','returned','cancelled'])[1 + (i / 500) % 10]
        else (array['completed','completed','completed','completed','completed','completed','completed','completed','completed','cancelled'])[1 + (i / 500) % 10] end as status) s`.execute(db);
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
  const seedSeconds = (performance.now() - t0) / 1000;
  const ti = performance.now();
  await db.connection().execute(async (c) => {
    await sql`set maintenance_work_mem = '512MB'`.execute(c);
    for (const i of indexes) await sql.raw(i.def).execute(c);
  });
  const indexSeconds = (performance.now() - ti) / 1000;
  const events = (await sql<{ n: number }>`select count(*)::int as n from dossier_events`.execute(db)).rows[0].n;
  const t1 = performance.now();
  await sql`select rebuild_dossier_statistics()`.execute(db);
  await sql`vacuum (analyze)`.execute(db); // as autovacuum leaves a settled table: statistics, and the visibility map for index-only scans
  return { dossiers: n, events, seedSeconds, indexSeconds, figuresSeconds: (performance.now() - t1) / 1000 };
}
