// Benchmark of the register book's Excel export (api/register/service.ts, api/register/export.ts) for a book of 10,000 entries:
// database read + exceljs workbook + xlsx buffer, as the screen's and the API's export routes run it.
// Run: npx tsx scripts/bench-export.ts   (BENCH_ENTRIES, BENCH_RUNS; DATABASE_URL to use a running PostgreSQL,
// otherwise a throwaway embedded PostgreSQL is started in a temporary folder and removed afterwards).
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { registerBookWorkbook } from '../api/register/service.js';
import { createDb, migrateToLatest } from '../lib/db.js';
import { freePort } from '../lib/local-services.js';
import { startEmbeddedPostgres, type EmbeddedPg } from '../lib/embedded-postgres.js';
import { DEMO_AGENCY, seedDemoData, seedReferenceData } from '../lib/seed.js';

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let embedded: EmbeddedPg | null = null;
let dir = '';
let url = process.env.DATABASE_URL ?? '';
const dbName = `bench_export_${process.pid}`;
if (!url) {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctdt-bench-export-'));
  fs.chmodSync(dir, 0o755); // as root, PostgreSQL runs as its own user and must reach its data folder
  embedded = await startEmbeddedPostgres(path.join(dir, 'pg'), await freePort(), 'postgres');
  url = embedded.url;
}
// A database of its own, dropped at the end.
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`create database ${dbName}`);
const benchUrl = new URL(url);
benchUrl.pathname = `/${dbName}`;
const db = createDb(benchUrl.toString());

try {
  await migrateToLatest(db);
  await seedReferenceData(db);
  await seedDemoData(db);
  const book = await db.insertInto('register_books').values({
    agency_code: DEMO_AGENCY.code, name: 'Sổ đo hiệu năng/ĐT', start_number: 1, current_number: ENTRIES + 1,
    open_date: '2026-01-01', close_date: '2026-12-31', created_by: 'vanthu',
  }).returning('id').executeTakeFirstOrThrow();
  let t0 = process.hrtime.bigint();
  const start = Date.parse('2026-01-02T01:00:00Z');
  for (let i = 0; i < ENTRIES; i += 1000) {
    await db.insertInto('register_entries').values(Array.from({ length: Math.min(1000, ENTRIES - i) }, (_, j) => {
      const n = i + j + 1;
      return {
        register_book_id: book.id, number: n, certification_number: `${n}/ĐT`, dossier_code: `G22.29-BENCH-${String(n).padStart(6, '0')}`,
        applicant_name: `Nguyễn Thị Người Yêu Cầu ${n}`, document_type_name: n % 3 ? 'Giấy khai sinh' : 'Giấy chứng nhận quyền sử dụng đất',
        signer_name: 'Lâm Phước Thọ', copies: 1 + (n % 4), fee: 2000 * (1 + (n % 4)), certified_at: new Date(start + n * 40 * 60_000).toISOString(),
      };
    })).execute();
  }
  console.log(`${ENTRIES} entries inserted in ${ms(t0).toFixed(0)} ms`);

  const times: number[] = [];
  let size = 0;
  let rows = 0;
  for (let r = 0; r <= RUNS; r++) {
    t0 = process.hrtime.bigint();
    const { buffer } = await registerBookWorkbook(db, DEMO_AGENCY.code, book.id);
    const t = ms(t0);
    if (r > 0) times.push(t); // the first run warms up
    size = buffer.length;
    if (r === 0) {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(buffer as unknown as ArrayBuffer);
      rows = wb.getWorksheet('Sổ chứng thực')!.rowCount;
    }
  }
  const heap = process.memoryUsage().rss / 1024 / 1024;
  console.log(`Excel export of a ${ENTRIES}-entry register book (node ${process.version}, ${os.cpus().length} CPU, ${os.cpus()[0]?.model ?? ''}):`);
  console.log(`  median ${median(times).toFixed(0)} ms, min ${Math.min(...times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms over ${RUNS} runs after a warm-up`);
  console.log(`  file ${(size / 1024).toFixed(0)} KiB, ${rows} rows in the sheet; process RSS ${heap.toFixed(0)} MiB`);
} finally {
  await db.destroy();
  await admin.query(`drop database if exists ${dbName}`);
  await admin.end();
  if (embedded) await embedded.stop().catch(() => {});
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
