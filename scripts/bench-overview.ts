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
import { addDays } from '../domain/calendar.js';
import type { Actor } from '../domain/types.js';
import { vnIsoDate } from '../domain/vn-time.js';
import { overview } from '../api/reports/overview.js';
import { createDb, migrateToLatest } from '../lib/db.js';
import { startEmbeddedPostgres } from '../lib/embedded-postgres.js';
import { freePort } from '../lib/local-services.js';
import { seedReferenceData } from '../lib/seed.js';
import { seedProvince } from './bench-seed.js';

const N = Number(process.argv[2] ?? 1_000_000);
const RUNS = 20;
const dir = path.resolve('.data/bench-overview');
fs.rmSync(dir, { recursive: true, force: true });
const pg = await startEmbeddedPostgres(path.join(dir, 'pg'), await freePort(), 'bench');
const db = createDb(pg.url, 4);
try {
  await migrateToLatest(db);
  await seedReferenceData(db);
  const s = await seedProvince(db, N);
  console.log(`seeded ${N.toLocaleString('en')} dossiers over 551 agencies, ${s.events.toLocaleString('en')} events, in ${s.seedSeconds.toFixed(1)} s, indexed in ${s.indexSeconds.toFixed(1)} s`);
  console.log(`figures counted (dossier_counts, dossier_step_times) in ${s.figuresSeconds.toFixed(1)} s`);

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
