// The Express application: screens, JSON API, static files and one error handler.
import type { Client } from '@temporalio/client';
import express, { type NextFunction, type Request, type Response } from 'express';
import nunjucks from 'nunjucks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { FileStorage } from '../activities/storage.js';
import { vnDate, vnDateTime, vnIsoDate } from '../domain/dates.js';
import { DomainError, HTTP_STATUS, RETRY_AFTER_SECONDS } from '../domain/errors.js';
import { formatVnd } from '../domain/fee.js';
import { APPLICANT_KIND_LABELS, STATUS_LABELS, type ApplicantKind, type DossierStatus } from '../domain/types.js';
import type { Config } from '../lib/config.js';
import { isDatabaseUnavailable, type Db } from '../lib/db.js';
import { csrfMiddleware, LoginThrottle } from './auth.js';
import { AppointmentService } from './appointments.js';
import { DossierService } from './dossiers.js';
import { healthCheck } from './health.js';
import { refuseControlCharacters } from './input-guard.js';
import { noStore, securityHeaders } from './security.js';
import { sessionMiddleware } from './sessions.js';
import { idempotencyKeyGuard } from './idempotency.js';
import { apiRoutes } from './v1.js';
import { webRoutes } from './web.js';
import { isTemporaryRefusal, UNAVAILABLE_MESSAGE } from './workflow-errors.js';

export interface AppDeps {
  config: Config;
  db: Db;
  temporal: Client;
  storage: FileStorage;
  dossiers: DossierService;
  appointments: AppointmentService;
  throttle: LoginThrottle;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function createApp(input: { config: Config; db: Db; temporal: Client; storage: FileStorage }): express.Express {
  const deps: AppDeps = { ...input, dossiers: new DossierService(input.db, input.temporal, input.storage, input.config.taskQueue, input.config.workflow, { actionMs: input.config.actionAnswerMs }),
    appointments: new AppointmentService(input.db, input.temporal, input.config.taskQueue, input.config.appointmentTimers ?? undefined, input.config.appointmentLimits), throttle: new LoginThrottle() };
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  const env = nunjucks.configure(path.join(root, 'views'), { autoescape: true, express: app, noCache: input.config.mode === 'demo' });
  env.addGlobal('dateTime', (d: Date | string) => (d ? vnDateTime(d) : ''));
  env.addGlobal('date', (d: Date | string) => (d ? vnDate(d) : ''));
  env.addGlobal('money', formatVnd);
  env.addGlobal('todayIso', () => vnIsoDate(new Date()));
  env.addGlobal('statusLabel', (s: DossierStatus) => STATUS_LABELS[s] ?? s);
  env.addGlobal('kindLabel', (k: ApplicantKind) => APPLICANT_KIND_LABELS[k] ?? k);
  app.set('view engine', 'njk');

  app.use(securityHeaders(input.config)); // CSP, X-Frame-Options, nosniff, Referrer-Policy... (api/security.ts)
  const require = createRequire(import.meta.url);
  app.get('/static/htmx.min.js', (_req, res) => res.sendFile(require.resolve('htmx.org/dist/htmx.min.js')));
  app.use('/static', express.static(path.join(root, 'views/static'), { maxAge: '1h' }));
  app.use(noStore); // everything below carries or may carry personal data
  app.get('/healthz', healthCheck(input.db, input.temporal));

  app.use(refuseControlCharacters); // path and query; again after each body parser
  app.use('/api/v1', apiRoutes(deps));

  app.use(sessionMiddleware(input.config, input.db));
  app.use(express.urlencoded({ extended: false, limit: '64kb' }));
  app.use(refuseControlCharacters);
  app.use(idempotencyKeyGuard); // a form's malformed _key is refused before any route acts
  app.use(csrfMiddleware);
  app.use(webRoutes(deps));

  app.use((req, _res, next) => next(new DomainError('not_found', 'Không tìm thấy trang.')));
  // One error handler: JSON {error, message} for the API, a Vietnamese page for the screens.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
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
  });
  return app;
}
