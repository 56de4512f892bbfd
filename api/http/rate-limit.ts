// Gentle per-address rate limits, in memory (one process): a fixed window per key, refused with 'throttled'
// and the seconds to wait, which routes send back as Retry-After.
import type { Request, Response } from 'express';
import { DomainError } from '../../domain/errors.js';

/** A 'throttled' refusal, carrying the seconds until the window resets. */
export type Throttled = DomainError & { retryAfter: number };

export class RateLimiter {
  private hits = new Map<string, { count: number; resetAt: number }>();
  /** `message(seconds)`: the Vietnamese refusal past the limit. */
  constructor(private readonly max: number, private readonly windowMs: number, private readonly message: (seconds: number) => string) {}
  /** Counts one request; throws a 'throttled' error past the limit. */
  take(key: string, now = Date.now()): void {
    if (this.hits.size > 10_000) for (const [k, h] of this.hits) if (h.resetAt <= now) this.hits.delete(k);
    let h = this.hits.get(key);
    if (!h || h.resetAt <= now) { h = { count: 0, resetAt: now + this.windowMs }; this.hits.set(key, h); }
    h.count += 1;
    if (h.count > this.max) {
      const seconds = Math.ceil((h.resetAt - now) / 1000);
      throw Object.assign(new DomainError('throttled', this.message(seconds)), { retryAfter: seconds }) as Throttled;
    }
  }
}

/** The client's address (behind the trusted proxy: the forwarded one). */
export const clientKey = (req: Request) => req.ip ?? req.socket.remoteAddress ?? '';

/** Sets Retry-After when `e` is a rate limiter's refusal. */
export function setRetryAfter(res: Response, e: unknown) {
  const s = (e as { retryAfter?: number }).retryAfter;
  if (s) res.set('Retry-After', String(s));
}
