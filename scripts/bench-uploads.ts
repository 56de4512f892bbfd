// npm run bench:uploads: BENCH_UPLOADS (default 20) scans of 29.5 MiB (noise images that do not compress, under the
// 30 MiB limit) created as dossiers at once over the HTTP API, against the stack `npm start` runs (BASE_URL, default
// http://localhost:3000). While they stream, the web server's resident memory is sampled every 20 ms (/proc) and a
// small request (GET /healthz, and a static file) is timed every 50 ms, from a separate process, so one sees whether
// an upload is held in memory and whether it blocks the others. Prints each upload's time beside one upload alone, the RSS growth per upload, and the small
// requests' p50/p95/max; ends with `uploads: <N> × <MiB> MiB at once, RSS growth <N> MiB per upload, healthz p95 <N> ms`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { makeScanPdf } from '../activities/pdf/fixtures.js';
import { MAX_SCAN_BYTES } from '../api/http/upload.js';
import { benchClient } from './bench-client.js';

const BASE = (process.env.BASE_URL ?? 'http://localhost:3000').replace(/\/$/, '');
const N = Number(process.env.BENCH_UPLOADS ?? 20);
const MiB = 1024 * 1024;

const dir = path.resolve('.data/bench');
fs.mkdirSync(dir, { recursive: true });
const file = path.join(dir, 'scan-upload-29.5mib.pdf');
if (!fs.existsSync(file)) fs.writeFileSync(file, await makeScanPdf({ pages: 6, imageBytesPerPage: Math.floor(4.9 * MiB) }));
const scan = fs.readFileSync(file);
if (scan.length > MAX_SCAN_BYTES) throw new Error(`the scan is ${scan.length} bytes, over the upload limit`);

const token = await benchClient().token('canbo');

/** The web server's process (the one running server.ts). */
const web = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).find((pid) => {
  try { const c = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'); return /server\.ts/.test(c) && !/^(bash|sh|npm)\0/.test(c) && !/\.bin\/tsx\0/.test(c); } catch { return false; }
});
if (!web) throw new Error('no web server (server.ts) found in /proc: start the stack with npm start');

async function upload(i: number): Promise<number> {
  const f = new FormData();
  for (const [k, v] of Object.entries({ applicantKind: 'no_account', fullName: `Người tải ${i}`, idNumber: String(79204000000 + i).padStart(12, '0'), email: `tai${i}@example.vn`, documentType: 'GKS' })) f.append(k, v);
  f.append('scan', new Blob([new Uint8Array(scan)], { type: 'application/pdf' }), 'scan.pdf');
  const t = performance.now();
  const res = await fetch(`${BASE}/api/v1/dossiers`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'idempotency-key': crypto.randomUUID() }, body: f });
  const body = await res.text();
  if (res.status !== 201 && res.status !== 202) throw new Error(`upload ${i}: ${res.status} ${body}`);
  return performance.now() - t;
}

const alone = await upload(-1);
await new Promise((res) => setTimeout(res, 2000)); // the first one's garbage collected
// The web server's RSS is sampled every 20 ms and two small requests are timed every 50 ms (/healthz, which reaches
// PostgreSQL and Temporal, and a static file, only the web server's event loop) from another process: in this one
// they would wait behind the uploads' own encoding (a 30 MiB body each), and time this process, not the server.
const watcher = spawn(process.execPath, ['-e', `
  const fs = require('node:fs');
  const rss = () => Number(/VmRSS:\\s+(\\d+)/.exec(fs.readFileSync('/proc/${web}/status', 'utf8'))[1]) / 1024;
  const baseline = rss(); let peak = baseline, running = true;
  const sampler = setInterval(() => { peak = Math.max(peak, rss()); }, 20);
  const probe = async (url, into) => {
    while (running) {
      const t = performance.now();
      await fetch(url).then((x) => x.arrayBuffer());
      into.push(performance.now() - t);
      await new Promise((res) => setTimeout(res, 50));
    }
  };
  const probes = [], statics = [];
  const prober = Promise.all([probe('${BASE}/healthz', probes), probe('${BASE}/static/app.css', statics)]);
  process.stdout.write('ready\\n');
  process.stdin.on('data', async () => {
    running = false; await prober; clearInterval(sampler);
    process.stdout.write(JSON.stringify({ baseline, peak, probes, statics }) + '\\n');
    process.exit(0);
  });
`], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: watcher.stdout! })[Symbol.asyncIterator]();
if ((await lines.next()).value !== 'ready') throw new Error('the watcher did not start');
const t0 = performance.now();
const times = await Promise.all(Array.from({ length: N }, (_, i) => upload(i)));
const wall = performance.now() - t0;
watcher.stdin!.write('stop\n');
const { baseline, peak, probes, statics } = JSON.parse((await lines.next()).value) as { baseline: number; peak: number; probes: number[]; statics: number[] };

const q = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]; };
const growth = Math.max(0, peak - baseline);
console.log(`${N} uploads of ${(scan.length / MiB).toFixed(1)} MiB at once against ${BASE}: all created in ${(wall / 1000).toFixed(1)} s (${(N * scan.length / MiB / (wall / 1000)).toFixed(0)} MiB/s)`);
console.log(`  one upload alone ${alone.toFixed(0)} ms; at once p50 ${q(times, 0.5).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms`);
console.log(`  web server RSS ${baseline.toFixed(0)} MiB before, ${peak.toFixed(0)} MiB at most: ${growth.toFixed(0)} MiB in all, ${(growth / N).toFixed(1)} MiB per upload`);
console.log(`  GET /healthz meanwhile (${probes.length}): p50 ${q(probes, 0.5).toFixed(0)} ms, p95 ${q(probes, 0.95).toFixed(0)} ms, max ${Math.max(...probes).toFixed(0)} ms`);
console.log(`  a static file meanwhile (${statics.length}): p50 ${q(statics, 0.5).toFixed(0)} ms, p95 ${q(statics, 0.95).toFixed(0)} ms, max ${Math.max(...statics).toFixed(0)} ms`);
console.log(`uploads: ${N} × ${(scan.length / MiB).toFixed(1)} MiB at once, RSS growth ${(growth / N).toFixed(1)} MiB per upload, healthz p95 ${q(probes, 0.95).toFixed(0)} ms`);
