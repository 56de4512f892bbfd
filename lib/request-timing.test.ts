import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { addTiming, parseServerTiming, serverTimingHeader, timed, withRequestTimings } from './request-timing.js';

describe('request timings', () => {
  it('keeps each request its own, however their awaits interleave', async () => {
    const one = withRequestTimings(async (t) => {
      await timed('db', () => sleep(30));
      await timed('db', () => sleep(5));
      return t;
    });
    const two = withRequestTimings(async (t) => {
      await timed('temporal', () => sleep(10));
      return t;
    });
    const [a, b] = await Promise.all([one, two]);
    expect(a.count).toEqual({ db: 2 });
    expect(a.ms.db).toBeGreaterThanOrEqual(34);
    expect(b.count).toEqual({ temporal: 1 });
    expect(b.ms.temporal).toBeGreaterThanOrEqual(9);
  });

  it('counts a call that throws, and nothing outside a request', async () => {
    addTiming('db', 99); // no request: ignored, and no error
    const t = await withRequestTimings(async (t) => {
      await expect(timed('store', async () => { await sleep(5); throw new Error('disk full'); })).rejects.toThrow('disk full');
      return t;
    });
    expect(t.count).toEqual({ store: 1 });
  });

  it('writes a Server-Timing header that reads back', () => {
    const header = serverTimingHeader({ ms: { upload: 12.34, db: 4 }, count: { upload: 1, db: 7 } }, 20);
    expect(header).toBe('upload;dur=12.3;desc="1", db;dur=4.0;desc="7", total;dur=20.0');
    expect(parseServerTiming(header)).toEqual({ upload: 12.3, db: 4, total: 20 });
    expect(parseServerTiming(null)).toEqual({});
  });
});
