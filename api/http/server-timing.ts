// A Server-Timing header on every answer: how long the request took, and of that, the upload, the scan's
// inspection, storage, PostgreSQL and Temporal (lib/request-timing.ts). Durations only, never what was read.
import type { NextFunction, Request, Response } from 'express';
import onHeaders from 'on-headers';
import { performance } from 'node:perf_hooks';
import { serverTimingHeader, withRequestTimings } from '../../lib/request-timing.js';

export function serverTiming(_req: Request, res: Response, next: NextFunction) {
  const start = performance.now();
  withRequestTimings((t) => {
    onHeaders(res, () => { res.setHeader('Server-Timing', serverTimingHeader(t, performance.now() - start)); });
    next();
  });
}
