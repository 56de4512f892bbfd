// One error handler: JSON {error, message} for the API, a Vietnamese page for the screens.
import type { NextFunction, Request, Response } from 'express';
import { DomainError, HTTP_STATUS, RETRY_AFTER_SECONDS } from '../../domain/errors.js';
import { isDatabaseUnavailable } from '../../lib/db.js';
import { isTemporaryRefusal, UNAVAILABLE_MESSAGE } from './workflow-errors.js';

export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction) {
  let e = err as DomainError;
  if (!(err instanceof DomainError)) {
    const status = (err as { status?: number }).status;
    if (isTemporaryRefusal(err)) e = new DomainError('unavailable', UNAVAILABLE_MESSAGE);
    else if (status === 413) e = new DomainError('too_large', 'Dữ liệu gửi lên quá lớn.');
    else if (isDatabaseUnavailable(err)) e = new DomainError('unavailable', 'Hệ thống tạm thời không kết nối được cơ sở dữ liệu, vui lòng thử lại sau ít phút.');
    else if (status && status < 500) e = new DomainError('validation', 'Yêu cầu không hợp lệ.');
    else {
      console.error(err);
      const body = { error: 'internal', message: 'Hệ thống đang gặp sự cố, vui lòng thử lại sau.' };
      if (req.originalUrl.startsWith('/api/')) return res.status(500).json(body);
      return res.status(500).render('error.njk', { title: 'Lỗi hệ thống', error: body.message, actor: res.locals.actor, menu: res.locals.menu, csrf: res.locals.csrf });
    }
  }
  const status = HTTP_STATUS[e.code] ?? 400;
  // A temporary refusal (worker restarting, workflow task failing): 503, and when to try again.
  if (e.code === 'unavailable') res.set('Retry-After', String(RETRY_AFTER_SECONDS));
  if (req.originalUrl.startsWith('/api/')) return res.status(status).json({ error: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) });
  if (e.code === 'unauthenticated') return res.redirect(303, '/dang-nhap');
  res.status(status).render('error.njk', { title: 'Thông báo', error: e.message });
}
