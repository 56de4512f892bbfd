// npm run bench:lists [-- <dossiers>]: the lists and searches at scale (issue 12). Seeds <dossiers> (default
// 1,000,000) over 500 communes, 50 districts and one province, three years, every status and applicant kind, with
// the audit trail (scripts/bench-seed.ts), into a fresh embedded PostgreSQL; then times each list and search of the
// screens and the API through DossierService.list (what both call): "Theo dõi hồ sơ" for the province's and a
// district's supervisor with every filter (status, applicant kind, code, name / ID number / e-mail substring, a
// date range, overdue, on time / late, the last page), and the staff queues of one commune; and Tổng quan's figures.
// 20 runs each after a warm-up. Prints p50/p95 per case, EXPLAIN (ANALYZE) of the three slowest, and ends with the
// line `lists p95 <N> ms, dashboard p95 <N> ms`. The data folder is removed afterwards.
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import { addDays } from '../domain/calendar.js';
import type { Actor, Role } from '../domain/types.js';
import { vnIsoDate } from '../domain/vn-time.js';
import { DossierService, type ListFilter } from '../api/dossiers/service.js';
import { overview } from '../api/reports/overview.js';
import { createDb, migrateToLatest, poolOf, type Database } from '../lib/db.js';
import { startEmbeddedPostgres } from '../lib/embedded-postgres.js';
import { freePort } from '../lib/local-services.js';
import { seedReferenceData } from '../lib/seed.js';
import { seedProvince } from './bench-seed.js';

const N = Number(process.argv[2] ?? 1_000_000);
const RUNS = 20;
const PAGE = 20;
const dir = path.resolve('.data/bench-lists');
fs.rmSync(dir, { recursive: true, force: true });
const pg = await startEmbeddedPostgres(path.join(dir, 'pg'), await freePort(), 'bench');
const db = createDb(pg.url, 4);
// The same pool, logging each query's SQL (for EXPLAIN of the slowest cases).
let captured: CompiledQuery[] = [];
const logged = new Kysely<Database>({ dialect: new PostgresDialect({ pool: poolOf(db) }), log: (e) => { if (e.level === 'query') captured.push(e.query); } });

const p = (times: number[], q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
async function timed(run: () => Promise<unknown>) {
  await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}

try {
  await migrateToLatest(db);
  await seedReferenceData(db);
  const s = await seedProvince(db, N);
  console.log(`seeded ${N.toLocaleString('en')} dossiers over 551 agencies, ${s.events.toLocaleString('en')} events, in ${s.seedSeconds.toFixed(1)} s, indexed in ${s.indexSeconds.toFixed(1)} s; figures counted in ${s.figuresSeconds.toFixed(1)} s`);

  const actor = (agencyCode: string, roles: Role[]): Actor => ({ username: 'u', fullName: 'U', agencyCode, roles });
  const province = actor('P00', ['supervisor']);
  const district = actor('H07', ['supervisor']);
  const commune = actor('X123', ['creator', 'signer', 'sealer']);
  const today = vnIsoDate(new Date());
  const month = addDays(today, -30);
  // A dossier in the middle, to search for by its own ID number, e-mail and code.
  const probe = await db.selectFrom('dossiers').select(['code', 'applicant_id_number', 'applicant_email', 'applicant_name'])
    .where('code', '=', `B${Math.floor(N / 2) + 1}`).executeTakeFirstOrThrow();
  const withEmail = await db.selectFrom('dossiers').select('applicant_email').where('applicant_email', 'is not', null)
    .where('code', '>=', `B${Math.floor(N / 2) + 1}`).orderBy('code').limit(1).executeTakeFirstOrThrow();
  const neighbour = await db.selectFrom('dossiers').select('applicant_name').where('agency_code', '=', commune.agencyCode).orderBy('code').limit(1).executeTakeFirstOrThrow();
  const theoDoi = (more: Partial<ListFilter> = {}): ListFilter => ({ sort: 'newest', ...more });
  const queue = (more: Partial<ListFilter>): ListFilter => ({ sort: 'oldest', ...more });
  const lastPage = async (who: Actor, f: ListFilter) => {
    const { total } = await new DossierService(db, undefined as never, undefined as never).list(who, { ...f, pageSize: PAGE });
    return { ...f, page: Math.max(1, Math.ceil(total / PAGE)) };
  };
  const cases: [string, Actor, ListFilter][] = [
    ['province: all, newest first', province, theoDoi()],
    ['province: all, the last page', province, await lastPage(province, theoDoi())],
    ['province: completed', province, theoDoi({ statuses: ['completed'] })],
    ['province: awaiting the seal', province, theoDoi({ statuses: ['awaiting_seal'] })],
    ['province: businesses', province, theoDoi({ applicantKind: 'business' })],
    ['province: code contains', province, theoDoi({ code: probe.code.slice(1, 7) })],
    ['province: full name', province, theoDoi({ q: probe.applicant_name })],
    ['province: a given name', province, theoDoi({ q: probe.applicant_name.split(' ').at(-1) })],
    ['province: ID number part', province, theoDoi({ q: probe.applicant_id_number!.slice(3, 10) })],
    ['province: e-mail part', province, theoDoi({ q: withEmail.applicant_email!.split('@')[0] })],
    ['province: e-mail part matching 7 %', province, theoDoi({ q: 'nguoi1' })],
    ['province: last 30 days', province, theoDoi({ from: month, to: today })],
    ['province: overdue now, by due day', province, theoDoi({ overdueBefore: today, sort: 'due' })],
    ['province: completed late', province, theoDoi({ timeliness: 'late' })],
    ['district: all, newest first', district, theoDoi()],
    ['district: completed late, last page', district, await lastPage(district, theoDoi({ timeliness: 'late' }))],
    ['commune: Theo dõi, newest first', commune, theoDoi()],
    ['commune: Theo dõi, the last page', commune, await lastPage(commune, theoDoi())],
    ['commune: Bản sao chờ ký', commune, queue({ statuses: ['awaiting_signature'] })],
    ['commune: Bản sao chờ đóng dấu', commune, queue({ statuses: [], sealerQueue: true })],
    ['commune: Hồ sơ bị từ chối', commune, queue({ statuses: ['returned'] })],
    ['commune: name search', commune, theoDoi({ q: neighbour.applicant_name.split(' ').slice(0, 2).join(' ') })],
  ];
  const service = new DossierService(db, undefined as never, undefined as never);
  const results: { name: string; who: Actor; f: ListFilter; total: number; times: number[] }[] = [];
  for (const [name, who, f] of cases) {
    const first = await service.list(who, { pageSize: PAGE, ...f });
    const times = await timed(() => service.list(who, { pageSize: PAGE, ...f }));
    results.push({ name, who, f, total: first.total, times });
    console.log(`${name.padEnd(40)} total ${((first.capped ? '>' : '') + first.total).padStart(8)}  page ${String(first.page).padStart(6)}  p50 ${p(times, 0.5).toFixed(1).padStart(7)} ms  p95 ${p(times, 0.95).toFixed(1).padStart(7)} ms`);
  }
  const dashboards: [string, Actor, Record<string, string>][] = [
    ['dashboard: province, today', province, {}],
    ['dashboard: province, a whole year', province, { from: addDays(today, -365), to: today }],
    ['dashboard: district, this month', district, { period: 'month' }],
  ];
  let dashboard = 0;
  for (const [name, who, query] of dashboards) {
    const times = await timed(() => overview(db, who, query));
    dashboard = Math.max(dashboard, p(times, 0.95));
    console.log(`${name.padEnd(40)} ${' '.repeat(29)}p50 ${p(times, 0.5).toFixed(1).padStart(7)} ms  p95 ${p(times, 0.95).toFixed(1).padStart(7)} ms`);
  }

  // The plans of the three slowest lists, each query of one run.
  const slowest = [...results].sort((a, b) => p(b.times, 0.95) - p(a.times, 0.95)).slice(0, 3);
  const loggedService = new DossierService(logged as never, undefined as never, undefined as never);
  for (const r of slowest) {
    captured = [];
    await loggedService.list(r.who, { pageSize: PAGE, ...r.f });
    console.log(`\nEXPLAIN ${r.name} (p95 ${p(r.times, 0.95).toFixed(1)} ms):`);
    for (const q of captured.filter((c) => /from "dossiers"/.test(c.sql))) {
      const plan = await sql.raw<{ 'QUERY PLAN': string }>(`explain (analyze, buffers, costs off) ${inline(q)}`).execute(db);
      // The agency list of a province is 551 codes long: shortened to its size.
      console.log(plan.rows.map((row) => `  ${row['QUERY PLAN'].replace(/'\{[A-Z0-9,]{200,}\}'/g, (m) => `'{…${m.split(',').length} agency codes}'`)}`).join('\n'));
    }
  }
  const lists = Math.max(...results.map((r) => p(r.times, 0.95)));
  console.log(`\nlists p95 ${Math.round(lists)} ms, dashboard p95 ${Math.round(dashboard)} ms`);
} finally {
  await db.destroy();
  await pg.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

/** The query with its parameters written in (for EXPLAIN, which takes no parameters here). */
function inline(q: CompiledQuery): string {
  const literal = (v: unknown): string => {
    if (v === null || v === undefined) return 'null';
    if (v instanceof Date) return `'${v.toISOString()}'::timestamptz`;
    if (typeof v === 'number' || typeof v === 'bigint') return String(v);
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    return `'${String(v).replace(/'/g, "''")}'`;
  };
  return q.sql.replace(/\$(\d+)/g, (_, i) => literal(q.parameters[Number(i) - 1]));
}
