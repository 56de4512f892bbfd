// The Express application: screens, JSON API, static files and one error handler.
import type { Client } from '@temporalio/client';
import express from 'express';
import nunjucks from 'nunjucks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { FileStorage } from '../activities/storage.js';
import { vnDate, vnDateTime, vnIsoDate } from '../domain/dates.js';
import { DomainError } from '../domain/errors.js';
import { formatVnd } from '../domain/fee.js';
import { APPLICANT_KIND_LABELS, STATUS_LABELS, type ApplicantKind, type DossierStatus } from '../domain/types.js';
import type { Config } from '../lib/config.js';
import type { Db } from '../lib/db.js';
import { LoginThrottle } from './auth/service.js';
import { csrfMiddleware } from './http/csrf.js';
import { AppointmentService } from './appointments.js';
import { DossierService } from './dossiers/service.js';
import { healthCheck } from './http/health.js';
import { refuseControlCharacters } from './http/input-guard.js';
import { noStore, securityHeaders } from './http/security.js';
import { sessionMiddleware } from './http/sessions.js';
import { idempotencyKeyGuard } from './http/idempotency.js';
import { apiRoutes } from './dossiers/json.js';
import { webRoutes } from './dossiers/screens.js';
import type { AppDeps } from './http/deps.js';
import { errorHandler } from './http/errors.js';


const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type { AppDeps } from './http/deps.js';

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
  app.use(errorHandler);
  return app;
}
