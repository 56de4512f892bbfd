// Heartbeats: a running activity tells Temporal it is alive, so that a killed worker's activity is retried after
// the short heartbeat timeout set in the workflow's activity options, not after its whole start-to-close timeout.
import { asyncLocalStorage } from '@temporalio/activity';

/**
 * Sends a heartbeat when running as an activity whose options ask for heartbeats; does nothing otherwise
 * (a direct call from a test or a script). Activities call it between their long steps.
 */
export function beat(details?: unknown): void {
  const ctx = asyncLocalStorage.getStore();
  if (ctx?.info.heartbeatTimeoutMs) ctx.heartbeat(details);
}

/** How often a running activity beats (the SDK throttles what it sends to 80 % of the heartbeat timeout). */
const EVERY_MS = 1000;

/** Runs `fn`, beating every second while the event loop turns; a stopped process stops beating. */
export async function whileBeating<T>(fn: () => Promise<T>): Promise<T> {
  const timer = asyncLocalStorage.getStore()?.info.heartbeatTimeoutMs ? setInterval(() => beat(), EVERY_MS) : null;
  beat();
  try {
    return await fn();
  } finally {
    if (timer) clearInterval(timer);
  }
}
