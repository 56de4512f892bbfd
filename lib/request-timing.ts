// Where one request's time went, by kind (the upload, the scan's inspection, storage, PostgreSQL, Temporal): kept
// per request in async context, sent back in a Server-Timing header (api/http/server-timing.ts) so a browser's
// developer tools, or `npm run bench:trace`, can show it without a profiler.
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';

/** The kinds, in the order the header lists them. */
export const TIMING_KINDS = ['upload', 'inspect', 'store', 'db', 'temporal'] as const;
export type TimingKind = (typeof TIMING_KINDS)[number];

export interface RequestTimings {
  /** Milliseconds per kind; overlapping work of one kind (two queries at once) adds up. */
  ms: Partial<Record<TimingKind, number>>;
  /** How many times each kind ran (queries, Temporal calls). */
  count: Partial<Record<TimingKind, number>>;
}

const current = new AsyncLocalStorage<RequestTimings>();

/** Runs `fn` with a fresh set of timings for everything it awaits. */
export function withRequestTimings<T>(fn: (t: RequestTimings) => T): T {
  const t: RequestTimings = { ms: {}, count: {} };
  return current.run(t, () => fn(t));
}

/** Adds `ms` to the current request's `kind` (nothing outside a request: the worker, start-up, tests). */
export function addTiming(kind: TimingKind, ms: number): void {
  const t = current.getStore();
  if (!t) return;
  t.ms[kind] = (t.ms[kind] ?? 0) + ms;
  t.count[kind] = (t.count[kind] ?? 0) + 1;
}

/** Times `fn` as `kind` of the current request, whether it resolves or throws. */
export async function timed<T>(kind: TimingKind, fn: () => Promise<T>): Promise<T> {
  if (!current.getStore()) return fn();
  const start = performance.now();
  try {
    return await fn();
  } finally {
    addTiming(kind, performance.now() - start);
  }
}

/** The Server-Timing header's value: `upload;dur=12.3, db;dur=4.1;desc="7"` (desc: how many), then the total. */
export function serverTimingHeader(t: RequestTimings, totalMs: number): string {
  const parts = TIMING_KINDS.filter((k) => t.ms[k] !== undefined).map((k) => `${k};dur=${t.ms[k]!.toFixed(1)};desc="${t.count[k]}"`);
  return [...parts, `total;dur=${totalMs.toFixed(1)}`].join(', ');
}

/** Reads a Server-Timing header back into milliseconds per name (what the benchmarks use). */
export function parseServerTiming(header: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().split(';');
    const dur = params.map((p) => p.trim()).find((p) => p.startsWith('dur='));
    if (name && dur) out[name] = Number(dur.slice(4));
  }
  return out;
}
