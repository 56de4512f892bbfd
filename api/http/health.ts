// GET /healthz: can this web server reach what it depends on, right now? "degraded" (503) names the dependency that
// is down; it says "ok" again by itself once that is back (nothing cached, nothing to restart).
import type { Client } from '@temporalio/client';
import type { RequestHandler } from 'express';
import { sql } from 'kysely';
import type { Db } from '../../lib/db.js';

/** A dependency that has not answered within this is reported down (load balancers poll with short timeouts). */
const CHECK_MS = 1000;

async function probe(check: () => Promise<unknown>): Promise<'ok' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('no answer')), CHECK_MS); });
  try {
    await Promise.race([check(), late]);
    return 'ok';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

export function healthCheck(db: Db, temporal: Client): RequestHandler {
  return async (_req, res) => {
    const [database, temporalState] = await Promise.all([
      probe(() => sql`select 1`.execute(db)),
      probe(() => temporal.connection.withDeadline(Date.now() + CHECK_MS, () => temporal.workflowService.getSystemInfo({}))),
    ]);
    const ok = database === 'ok' && temporalState === 'ok';
    res.status(ok ? 200 : 503).set('Cache-Control', 'no-store').json({ status: ok ? 'ok' : 'degraded', database, temporal: temporalState });
  };
}
