// CSRF: one check for every state-changing request, whatever its content type, before any route runs.
import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../../domain/errors.js';
import { leadingField } from './multipart-peek.js';

/** CSRF: a random token kept in the session, sent back as a hidden field `_csrf` or the `X-CSRF-Token` header. */
export function csrfToken(req: Request): string {
  const s = req.session!;
  if (!s.csrf) s.csrf = crypto.randomBytes(24).toString('base64url');
  return s.csrf as string;
}

export function csrfValid(req: Request, given: unknown): boolean {
  const expected = req.session?.csrf as string | undefined;
  const g = typeof given === 'string' ? given : '';
  if (!expected || g.length !== expected.length) return false;
  return crypto.timingSafeEqual(Buffer.from(g), Buffer.from(expected));
}

export const CSRF_MESSAGE = 'Phiên làm việc đã hết hạn hoặc yêu cầu không hợp lệ. Vui lòng tải lại trang và thử lại.';


const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** For a form that takes no file: its fields come from express.urlencoded, so a multipart body there is refused. */
const NOT_MULTIPART = 'Biểu mẫu này không nhận dữ liệu dạng tải tệp lên (multipart). Vui lòng tải lại trang và gửi lại biểu mẫu.';

/**
 * Checks CSRF on every state-changing request, whatever its content type, before any route runs: the
 * `X-CSRF-Token` header (htmx), else the `_csrf` field: of an urlencoded body, or of a multipart body, where it must
 * come before the file (api/multipart-peek.ts reads it and leaves the body to the upload route).
 */
export function csrfMiddleware(req: Request, res: Response, next: NextFunction) {
  if (SAFE_METHODS.has(req.method)) return next();
  const refuse = () => next(new DomainError('csrf', CSRF_MESSAGE));
  const header = req.get('x-csrf-token');
  const multipart = req.is('multipart/form-data');
  if (multipart) guardMultipartBody(req);
  if (header !== undefined) return csrfValid(req, header) ? next() : refuse();
  if (!multipart) return csrfValid(req, (req.body as Record<string, unknown> | undefined)?._csrf) ? next() : refuse();
  leadingField(req, '_csrf').then((token) => {
    if (csrfValid(req, token)) return next();
    res.set('Connection', 'close'); // do not read the rest of a refused upload
    refuse();
  }, next);
}

/**
 * A multipart body is for the upload routes, which stream it themselves (api/upload.ts); a route that reads
 * req.body instead (an urlencoded form) gets a 400 with a Vietnamese message, never undefined fields.
 */
function guardMultipartBody(req: Request) {
  Object.defineProperty(req, 'body', {
    configurable: true, enumerable: true,
    get() { throw new DomainError('validation', NOT_MULTIPART); },
    set(value) { Object.defineProperty(req, 'body', { configurable: true, enumerable: true, writable: true, value }); },
  });
}
