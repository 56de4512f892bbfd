// The idempotency key a client sends with a state-changing request (header `Idempotency-Key` on the API, the
// hidden `_key` field on forms). It ends up in a database key and a Temporal update id, so it is checked before
// anything happens: a bad key is a 400 that changes nothing, never a 500 after a workflow started.
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../../domain/errors.js';

export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
const SAFE = /^[A-Za-z0-9._:-]+$/;

/** The key as given ('' when none was sent), or a validation error naming it. */
export function checkIdempotencyKey(raw: unknown): string {
  if (raw === undefined || raw === null || raw === '') return '';
  if (typeof raw !== 'string' || raw.length > MAX_IDEMPOTENCY_KEY_LENGTH || !SAFE.test(raw)) {
    throw new DomainError('validation',
      `Khóa chống gửi trùng (Idempotency-Key) không hợp lệ: tối đa ${MAX_IDEMPOTENCY_KEY_LENGTH} ký tự, chỉ gồm chữ cái không dấu, chữ số và các dấu . _ : -`,
      'idempotencyKey');
  }
  return raw;
}

/**
 * Refuses a request whose idempotency key (header, or the `_key` / `idempotencyKey` field of a parsed body) is
 * malformed, before any route acts on it. Multipart fields are parsed later: their keys are checked where used.
 */
export function idempotencyKeyGuard(req: Request, _res: Response, next: NextFunction) {
  try {
    checkIdempotencyKey(req.get('idempotency-key'));
    const body = req.body as Record<string, unknown> | undefined;
    if (body && typeof body === 'object') {
      checkIdempotencyKey(body._key);
      checkIdempotencyKey(body.idempotencyKey);
    }
    next();
  } catch (e) { next(e); }
}
