// npm run bench:trace: where one dossier's time goes, as a timeline of each action, against the stack `npm start`
// runs (BASE_URL, default http://localhost:3000; TEMPORAL_ADDRESS, default 127.0.0.1:7233; the demo users).
// BENCH_DOSSIERS (default 5) dossiers one after another, nothing else in flight, after one warm-up dossier;
// BENCH_SCAN_MIB=28 makes each scan that size (default: one page). Each action (create, sign, seal, deliver) is cut
// into what the web server spent before and around Temporal (its Server-Timing: the upload, the scan's inspection,
// storage, PostgreSQL), and, inside the Temporal call, what the dossier's workflow history says happened between
// the request and the answer: each workflow task (waiting for the worker, then run) and each activity (waiting in
// its queue, then run; the quick steps a workflow task runs in itself, local activities, are named in it); what is
// left of the call is Temporal's own round trips. Prints the medians in ms and ends
// with `trace: create <N> ms, sign <N> ms, seal <N> ms, deliver <N> ms`.
import { Client, Connection } from '@temporalio/client';
import protos, { type temporal } from '@temporalio/proto';
import fs from 'node:fs';
import path from 'node:path';
import { makeScanPdf } from '../activities/pdf/fixtures.js';
import { LOCAL_ACTIVITY_MARKER } from '../api/dossiers/workflow-history.js';
import { parseServerTiming } from '../lib/request-timing.js';
import { makePdf } from '../lib/testing/harness.js';
import { workflowIdFor } from '../workflows/messages.js';
import { benchClient } from './bench-client.js';

const N = Number(process.env.BENCH_DOSSIERS ?? 5);
const SCAN_MIB = Number(process.env.BENCH_SCAN_MIB ?? 0);
const MiB = 1024 * 1024;
const ACTIONS = ['create', 'sign', 'seal', 'deliver'] as const;
type ActionName = (typeof ACTIONS)[number];

async function scanBytes(): Promise<Buffer> {
  if (!SCAN_MIB) return makePdf(1);
  const file = path.resolve(`.data/bench/scan-${SCAN_MIB}mib.pdf`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!fs.existsSync(file)) fs.writeFileSync(file, await makeScanPdf({ pages: 4, imageBytesPerPage: Math.round((SCAN_MIB / 4) * MiB) }));
  return fs.readFileSync(file);
}

const { token, api, call } = benchClient();
const temporalClient = new Client({ connection: await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' }), namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
const [clerk, leader, sealer] = [await token('canbo'), await token('lanhdao'), await token('vanthu')];
const books = await api(sealer, 'GET', '/register-books');
const book = (books.items ?? books).find((b: any) => !(b.closedAt ?? b.closed_at));
if (!book) throw new Error('no open register book for vanthu');
const scan = await scanBytes();

interface Step { action: ActionName; from: number; to: number; clientMs: number; server: Record<string, number> }

/** One action from its request to its settled result (a slow one answers `processing` first; then it is read until done). */
async function step(action: ActionName, tok: string, method: string, p: string, body?: unknown): Promise<{ step: Step; body: any }> {
  const from = Date.now();
  const t = performance.now();
  const r = await call(tok, method, p, body);
  let b = r.body;
  while (b.processing) { await new Promise((res) => setTimeout(res, 20)); b = await api(tok, 'GET', `/dossiers/${encodeURIComponent(b.code)}`); }
  return { step: { action, from, to: Date.now(), clientMs: performance.now() - t, server: parseServerTiming(r.headers.get('server-timing')) }, body: b };
}

async function oneDossier(i: number): Promise<{ code: string; steps: Step[] }> {
  const f = new FormData();
  for (const [k, v] of Object.entries({ applicantKind: 'no_account', fullName: `Người theo dõi ${i}`, idNumber: String(79206000000 + i).padStart(12, '0'), email: `vet${i}@example.vn`, documentType: 'GKS' })) f.append(k, v);
  f.append('scan', new Blob([new Uint8Array(scan)], { type: 'application/pdf' }), 'scan.pdf');
  const created = await step('create', clerk, 'POST', '/dossiers', f);
  const p = `/dossiers/${encodeURIComponent(created.body.code)}`;
  const signed = await step('sign', leader, 'POST', `${p}/sign`);
  const sealed = await step('seal', sealer, 'POST', `${p}/seal`, { registerBookId: book.id });
  const delivered = await step('deliver', sealer, 'POST', `${p}/deliver`);
  return { code: created.body.code, steps: [created.step, signed.step, sealed.step, delivered.step] };
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EVENT_TYPES = protos.temporal.api.enums.v1.EventType as unknown as Record<number, string>;
const at = (e: HistoryEvent) => Number(e.eventTime?.seconds ?? 0) * 1000 + Number(e.eventTime?.nanos ?? 0) / 1e6;

/** Each workflow task and activity in an action's window: its wait (scheduled → started) and its run (started → closed). */
function spans(events: HistoryEvent[], s: Step) {
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  const out: { name: string; wait: number; run: number; local: string[]; after: boolean }[] = [];
  for (const e of events) {
    const t = at(e);
    if (t < s.from - 5 || t > s.to + 5) continue;
    const started = e.workflowTaskStartedEventAttributes ?? e.activityTaskStartedEventAttributes;
    if (!started) continue;
    const scheduled = byId.get(Number(started.scheduledEventId));
    const closed = events.find((c) => {
      const a = c.workflowTaskCompletedEventAttributes ?? c.workflowTaskFailedEventAttributes ?? c.workflowTaskTimedOutEventAttributes ?? c.activityTaskCompletedEventAttributes ?? c.activityTaskFailedEventAttributes ?? c.activityTaskTimedOutEventAttributes;
      return a && Number(a.startedEventId) === Number(e.eventId);
    });
    if (!scheduled || !closed) continue;
    const name = scheduled.activityTaskScheduledEventAttributes?.activityType?.name ?? 'workflow task';
    // The quick steps a workflow task ran in itself (local activities): the markers its completion recorded.
    const local: string[] = [];
    for (let id = Number(closed.eventId) + 1; byId.get(id) && !byId.get(id)!.workflowTaskScheduledEventAttributes; id++) {
      const m = byId.get(id)!.markerRecordedEventAttributes;
      if (m?.markerName === LOCAL_ACTIVITY_MARKER) local.push(JSON.parse(Buffer.from(m.details!.data!.payloads![0].data!).toString()).activity_type);
    }
    out.push({ name, wait: t - at(scheduled), run: at(closed) - t, local, after: at(closed) > s.to + 5 });
  }
  return out;
}

const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : 0);
const f1 = (n: number) => n.toFixed(1).padStart(8);

await oneDossier(0); // warm-up: the first dossier pays for fonts, keys and caches
const runs: { code: string; steps: Step[] }[] = [];
for (let i = 1; i <= N; i++) runs.push(await oneDossier(i));

console.log(`bench:trace: ${N} dossiers one after another (after one warm-up), scan ${scan.length >= MiB ? `${(scan.length / MiB).toFixed(1)} MiB` : `${(scan.length / 1024).toFixed(1)} KiB`}; medians in ms`);
const totals: Record<string, number> = {};
for (const action of ACTIONS) {
  const rows = new Map<string, number[]>();
  const add = (k: string, v: number) => rows.set(k, [...(rows.get(k) ?? []), v]);
  for (const run of runs) {
    const s = run.steps.find((x) => x.action === action)!;
    const events = (await temporalClient.workflow.getHandle(workflowIdFor(run.code)).fetchHistory()).events ?? [];
    const sv = s.server;
    const temporalMs = sv.temporal ?? 0;
    add('  the request, client to answer', s.clientMs);
    add('  web server, in all', sv.total ?? 0);
    for (const k of ['upload', 'inspect', 'store']) if (sv[k] !== undefined) add(`    ${k}`, sv[k]);
    add('    PostgreSQL (the web server\'s queries)', sv.db ?? 0);
    add('    Temporal calls', temporalMs);
    let inside = 0;
    const seen = new Map<string, number>();
    for (const sp of spans(events, s)) {
      const n = (seen.get(sp.name) ?? 0) + 1;
      seen.set(sp.name, n);
      const label = sp.name === 'workflow task' ? `workflow task ${n}` : sp.name;
      add(`      ${label}: waiting for a worker`, sp.wait);
      add(`      ${label}: run${sp.local.length ? ` (with ${sp.local.join(', ')} in it)` : ''}${sp.after ? ', ending after the answer' : ''}`, sp.run);
      if (!sp.after) inside += sp.wait + sp.run;
    }
    add('      Temporal\'s own round trips (the rest of the calls)', Math.max(0, temporalMs - inside));
    add('    the rest (Express, JSON, checks)', Math.max(0, (sv.total ?? 0) - temporalMs - (sv.upload ?? 0) - (sv.inspect ?? 0) - (sv.store ?? 0) - (sv.db ?? 0)));
    add('  until settled (a "processing" answer read again)', Math.max(0, s.to - s.from - s.clientMs));
    add('  network and client', Math.max(0, s.clientMs - (sv.total ?? 0)));
  }
  const total = median(runs.map((r) => { const s = r.steps.find((x) => x.action === action)!; return s.to - s.from; }));
  totals[action] = total;
  console.log(`\n${action}: ${total.toFixed(0)} ms from the request to its result`);
  for (const [label, xs] of rows) if (median(xs) >= 0.05 || xs.length < runs.length) console.log(`${f1(median(xs))}  ${label}${xs.length < runs.length ? ` (in ${xs.length} of ${runs.length})` : ''}`);
}
const after = median(await Promise.all(runs.map(async (r) => {
  const events = (await temporalClient.workflow.getHandle(workflowIdFor(r.code)).fetchHistory()).events ?? [];
  const last = r.steps[r.steps.length - 1].to;
  const closedAt = events.filter((e) => EVENT_TYPES[Number(e.eventType)]?.endsWith('WORKFLOW_EXECUTION_COMPLETED')).map(at)[0];
  return closedAt ? closedAt - last : NaN;
})));
if (Number.isFinite(after)) console.log(`\nthe workflow completed ${after.toFixed(0)} ms after the deliver's answer (the e-mail sent meanwhile)`);
console.log(`trace: ${ACTIONS.map((a) => `${a} ${totals[a].toFixed(0)} ms`).join(', ')}`);
await temporalClient.connection.close();
