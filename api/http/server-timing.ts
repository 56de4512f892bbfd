// A Server-Timing header on staff's answers (a staff session or token): how long the request took, and of that,
// the upload, the scan's inspection, storage, PostgreSQL and Temporal (lib/request-timing.ts). Durations only,
// never what was read; and never to the public or citizens, for whom a count of queries or their time could tell
// an issued dossier from an unknown code on the verification page.
import type { NextFunction, Request, Response } from 'express';
import onHeaders from 'on-headers';
import { performance } from 'node:perf_hooks';
import { serverTimingHeader, withRequestTimings } from '../../lib/request-timing.js';

export function serverTiming(_req: Request, res: Response, next: NextFunction) {
  const start = performance.now();
  withRequestTimings((t) => {
    onHeaders(res, () => { if (res.locals.actor) res.setHeader('Server-Timing', serverTimingHeader(t, performance.now() - start)); });
    next();
  });
}
