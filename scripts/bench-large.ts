// npm run bench:large: a 28 MiB scan signed and sealed over the HTTP API, against the stack `npm start` runs
// (BASE_URL, default http://localhost:3000; the demo users; the signature level the stack is configured with, by
// default B-LTA with the demo TSA, OCSP responder and CRL on loopback). BENCH_RUNS (default 3) dossiers one after
// another, after a warm-up dossier that is not timed (the first after a start loads fonts and compiles code: some
// 500 ms a step): each created by canbo, signed by lanhdao and sealed by vanthu, each action timed from the request
// to its result; `sha256sum` of the same file timed in the same run as the reference. Meanwhile the worker's resident memory
// is sampled every 20 ms from before the warm-up: its growth over what it held before (its Temporal core, bundle and
// heap, some 380 MiB idle) is what a file costs it. Prints the medians and ends with
// `large: sign + seal <N> ms = <R> × sha256sum, worker RSS +<N> MiB (goal ≤ <N> MiB = 3 × file + 150 MiB)`;
// exits non-zero when a goal (≤ 4 × sha256sum, the RSS growth) is missed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeScanPdf } from '../activities/pdf/fixtures.js';
import { benchClient } from './bench-client.js';

const BASE = (process.env.BASE_URL ?? 'http://localhost:3000').replace(/\/$/, '');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MiB = 1024 * 1024;

const dir = path.resolve('.data/bench');
fs.mkdirSync(dir, { recursive: true });
const file = path.join(dir, 'scan-28mib.pdf');
if (!fs.existsSync(file)) fs.writeFileSync(file, await makeScanPdf({ pages: 4, imageBytesPerPage: 7 * MiB }));
const scan = fs.readFileSync(file);

const { token, api } = benchClient();

/** The worker's process (the one running worker.ts, not its npm or tsx wrapper). */
const worker = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).find((pid) => {
  try { const c = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'); return /worker\.ts/.test(c) && !/^(bash|sh|npm)\0/.test(c) && !/\.bin\/tsx\0/.test(c) && !/vitest/.test(c); } catch { return false; }
});
if (!worker) throw new Error('no worker (worker.ts) found in /proc: start the stack with npm start');
const rssMiB = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${worker}/status`, 'utf8'))![1]) / 1024;

const [clerk, leader, sealer] = [await token('canbo'), await token('lanhdao'), await token('vanthu')];
const books = await api(sealer, 'GET', '/register-books');
const book = (books.items ?? books).find((b: any) => !(b.closedAt ?? b.closed_at));
if (!book) throw new Error('no open register book for vanthu');

const settled = async (tok: string, p: string, r: any) => {
  while (r.processing) { await new Promise((res) => setTimeout(res, 50)); r = await api(tok, 'GET', p); }
  return r;
};
const sha256sum = () => { const t = performance.now(); execFileSync('sha256sum', [file]); return performance.now() - t; };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const signs: number[] = [], seals: number[] = [], hashes: number[] = [];
let peak = 0;
const sampler = setInterval(() => { peak = Math.max(peak, rssMiB()); }, 20);
const before = rssMiB();
for (let i = -1; i < RUNS; i++) { // -1: the warm-up, not timed
  const f = new FormData();
  for (const [k, v] of Object.entries({ applicantKind: 'no_account', fullName: `Người thử lớn ${i}`, idNumber: String(79205000000 + i).padStart(12, '0'), email: `lon${i}@example.vn`, documentType: 'GKS' })) f.append(k, v);
  f.append('scan', new Blob([new Uint8Array(scan)], { type: 'application/pdf' }), 'scan.pdf');
  const { code } = await api(clerk, 'POST', '/dossiers', f);
  const p = `/dossiers/${encodeURIComponent(code)}`;
  const hashed = sha256sum();
  let t = performance.now();
  await settled(leader, p, await api(leader, 'POST', `${p}/sign`));
  const signed = performance.now() - t;
  t = performance.now();
  const sealed = await settled(sealer, p, await api(sealer, 'POST', `${p}/seal`, { registerBookId: book.id }));
  const sealedIn = performance.now() - t;
  if (!sealed.certificationNumber) throw new Error(`${code} not sealed: ${sealed.status}`);
  if (i < 0) continue;
  signs.push(signed);
  seals.push(sealedIn);
  hashes.push(hashed, sha256sum());
}
clearInterval(sampler);

const chain = median(signs.map((s, i) => s + seals[i]));
const ratio = chain / median(hashes);
const limit = 3 * scan.length / MiB + 150;
console.log(`${RUNS} dossiers with a ${(scan.length / MiB).toFixed(1)} MiB scan, signed then sealed over the API against ${BASE}`);
console.log(`  sign  median ${median(signs).toFixed(0)} ms   (${signs.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`  seal  median ${median(seals).toFixed(0)} ms   (${seals.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`  sha256sum of the same file, median ${median(hashes).toFixed(0)} ms   (${hashes.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`  worker RSS ${before.toFixed(0)} MiB before, ${peak.toFixed(0)} MiB at most`);
console.log(`large: sign + seal ${chain.toFixed(0)} ms = ${ratio.toFixed(1)} × sha256sum, worker RSS +${(peak - before).toFixed(0)} MiB (goal ≤ ${limit.toFixed(0)} MiB = 3 × file + 150 MiB)`);
if (ratio > 4 || peak - before > limit) process.exitCode = 1;
