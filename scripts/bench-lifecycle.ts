// npm run bench:lifecycle: dossiers through their whole life over the HTTP API, as staff make them, against the
// stack `npm start` runs (BASE_URL, default http://localhost:3000; or BASE_URLS=http://a,http://b, the requests
// taking the web servers in turn, as a load balancer would; the demo users). BENCH_DOSSIERS (default 60)
// one-page dossiers, BENCH_IN_FLIGHT (default 10) at a time, each created by canbo, signed by lanhdao, sealed by
// vanthu in the first open register book and delivered ("Hoàn thành và chuyển"). Prints completed dossiers per
// second, p50/p95 latency of each action, and the CPU time and peak RSS of each process of the stack (found in
// /proc by their command lines: web, worker, Temporal, PostgreSQL); then checks every number: each dossier
// completed, signed once, its certification number unique and the run's numbers continuous. Ends with the line
// `lifecycle: <N> dossiers/s with <C> in flight`. A 503 (Temporal or the database briefly unavailable) is sent
// again after its Retry-After with the same idempotency key, as a client honouring it would; the count is printed.
// BENCH_PROC_MARK=<text>: only processes whose command line or environment holds it count (other stacks may run
// on the machine); BENCH_PROGRESS=1 prints `completed <k>` as each dossier completes (npm run cluster reads it).
import fs from 'node:fs';
import { makePdf } from '../lib/testing/harness.js';
import { benchClient } from './bench-client.js';

const client = benchClient();
const { token, api } = client;
const BASES = client.bases;
const MARK = process.env.BENCH_PROC_MARK || null;
const PROGRESS = process.env.BENCH_PROGRESS === '1';
const N = Number(process.env.BENCH_DOSSIERS ?? 60);
const C = Number(process.env.BENCH_IN_FLIGHT ?? 10);

// The stack's processes, by what their command line runs; PostgreSQL as each server (postmaster, by its data
// directory) with its backends, which come and go with connections: a process's CPU is its own plus that of its
// children that ended (cutime), read at the start and the end of the run.
type Proc = { pid: number; ppid: number; cmd: string; marked: boolean };
function processes(): Proc[] {
  const out: Proc[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      const ppid = Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      let marked = !MARK || cmd.includes(MARK);
      if (!marked) try { marked = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').includes(MARK!); } catch { /* not ours to read */ }
      if (cmd) out.push({ pid: Number(pid), ppid, cmd, marked });
    } catch { /* gone */ }
  }
  return out;
}
function stackGroups(all: Proc[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  const add = (k: string, pid: number) => groups.set(k, [...(groups.get(k) ?? []), pid]);
  const isPg = (p: Proc) => /(^|\/)postgres( |$)|^postgres: /.test(p.cmd);
  for (const p of all) {
    if (!p.marked) continue; // a PostgreSQL backend counts through its postmaster, which is marked by its -D
    if (/bench-lifecycle|vitest/.test(p.cmd) || /^(bash|sh|npm) /.test(p.cmd) || /node_modules\/\.bin\/tsx /.test(p.cmd)) continue;
    if (/server\.ts/.test(p.cmd)) add('web', p.pid);
    else if (/worker\.ts/.test(p.cmd)) add('worker', p.pid);
    else if (/trust-services\.ts/.test(p.cmd)) add('trust services (demo OCSP, CRL, TSA)', p.pid);
    // The real server (temporal-server-<version>/server … start --service=history): one group per service.
    else if (/temporal-server\S*\/server .*\bstart\b/.test(p.cmd)) add(`temporal ${/--service[= ](\w+)/.exec(p.cmd)?.[1] ?? 'all'}`, p.pid);
    else if (/temporal.*server start-dev|temporal-server/.test(p.cmd)) add('temporal', p.pid);
    else if (isPg(p) && / -D /.test(p.cmd)) {
      const dir = / -D (\S+)/.exec(p.cmd)![1];
      for (const c of [p, ...all.filter((x) => x.ppid === p.pid)]) add(`postgres ${dir.replace(/^.*\/([^/]+\/[^/]+)$/, '…/$1')}`, c.pid);
    }
  }
  return groups;
}
const TICK = 100; // USER_HZ: clock ticks per second on Linux
/** Its CPU seconds, and those of its children that ended. */
function cpuSeconds(pid: number): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICK;
  } catch { return 0; }
}
function peakRssMiB(pid: number): number {
  try { return Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024; } catch { return 0; }
}

const [clerk, leader, sealer] = [await token('canbo'), await token('lanhdao'), await token('vanthu')];
const books = await api(sealer, 'GET', '/register-books');
const book = (books.items ?? books).find((b: any) => !(b.closedAt ?? b.closed_at));
if (!book) throw new Error('no open register book for vanthu');
const pdf = await makePdf(1);
const cpuBefore = new Map(processes().map((p) => [p.pid, cpuSeconds(p.pid)]));
const latency: Record<string, number[]> = { create: [], sign: [], seal: [], deliver: [] };
const done: { code: string; number: string }[] = [];

async function timedAction<T>(name: string, run: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const r = await run();
  latency[name].push(performance.now() - t);
  return r;
}
async function oneLife(i: number) {
  const f = new FormData();
  for (const [k, v] of Object.entries({ applicantKind: 'no_account', fullName: `Người thử ${i}`, idNumber: String(79203000000 + i).padStart(12, '0'), email: `bench${i}@example.vn`, documentType: 'GKS' })) f.append(k, v);
  f.append('scan', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'scan.pdf');
  const { code } = await timedAction('create', () => api(clerk, 'POST', '/dossiers', f));
  const path = `/dossiers/${encodeURIComponent(code)}`;
  // An action still running after the answer's time comes back 202 "processing": followed until it is done.
  const settled = async (tok: string, r: any) => {
    while (r.processing) { await new Promise((res) => setTimeout(res, 100)); r = await api(tok, 'GET', path); }
    return r;
  };
  await timedAction('sign', async () => settled(leader, await api(leader, 'POST', `${path}/sign`)));
  const sealed = await timedAction('seal', async () => settled(sealer, await api(sealer, 'POST', `${path}/seal`, { registerBookId: book.id })));
  await timedAction('deliver', async () => settled(sealer, await api(sealer, 'POST', `${path}/deliver`)));
  done.push({ code, number: sealed.certificationNumber });
  if (PROGRESS) console.log(`completed ${done.length}`);
}

const t0 = performance.now();
let next = 0;
await Promise.all(Array.from({ length: Math.min(C, N) }, async () => { while (next < N) await oneLife(next++); }));
const seconds = (performance.now() - t0) / 1000;
// A backend that ended during the run is in its postmaster's cutime; one that began in it counts from zero.
const procs = stackGroups(processes());
const cpu = new Map([...procs].map(([k, pids]) => [k, pids.reduce((s, p) => s + cpuSeconds(p) - (cpuBefore.get(p) ?? 0), 0)]));

// Every number exact: each dossier completed and signed once, its number unique and the run's numbers continuous.
const numbers = done.map((d) => Number.parseInt(d.number, 10)).sort((a, b) => a - b);
if (done.length !== N || new Set(numbers).size !== N || numbers.some((n, i) => i > 0 && n !== numbers[i - 1] + 1)) {
  throw new Error(`numbers not exact: ${done.length} of ${N} done, ${new Set(numbers).size} distinct, from ${numbers[0]} to ${numbers.at(-1)}`);
}
for (const d of done.slice(0, 10)) {
  const v = await api(clerk, 'GET', `/dossiers/${encodeURIComponent(d.code)}`);
  if (v.status !== 'completed' || v.history.filter((h: any) => h.action === 'sign').length !== 1) throw new Error(`${d.code}: ${v.status}, signed ${v.history.filter((h: any) => h.action === 'sign').length} times`);
}

const q = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]; };
console.log(`${N} dossiers through create → sign → seal → deliver, ${C} in flight, in ${seconds.toFixed(1)} s against ${BASES.join(', ')}`);
if (client.retried503) console.log(`  ${client.retried503} request(s) answered 503 and sent again after Retry-After`);
for (const [name, xs] of Object.entries(latency)) console.log(`  ${name.padEnd(8)} p50 ${q(xs, 0.5).toFixed(0).padStart(6)} ms  p95 ${q(xs, 0.95).toFixed(0).padStart(6)} ms`);
for (const kind of ['web', 'worker', 'temporal']) if (![...procs.keys()].some((k) => k === kind || k.startsWith(`${kind} `))) console.log(`  ${kind.padEnd(8)} (not found in /proc)`);
for (const [kind, pids] of procs) {
  console.log(`  ${kind.padEnd(8)} CPU ${cpu.get(kind)!.toFixed(1).padStart(6)} s (${(100 * cpu.get(kind)! / seconds).toFixed(0)} % of one core)  peak RSS ${pids.reduce((s, p) => s + peakRssMiB(p), 0).toFixed(0)} MiB over ${pids.length} process(es)`);
}
console.log(`numbers exact: ${N} completed, certification numbers ${numbers[0]}–${numbers.at(-1)} continuous`);
console.log(`lifecycle: ${(N / seconds).toFixed(1)} dossiers/s with ${C} in flight`);
