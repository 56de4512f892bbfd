// The Express application: middleware order, static files, the screens and the JSON API (each mounted here, in
// order), and one error handler.
import type { Client } from '@temporalio/client';
import express from 'express';
import nunjucks from 'nunjucks';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { createFileKeyStore, type KeyStore } from '../activities/pdf/pki.js';
import { loadTrustAnchors } from '../activities/pdf/trust-anchors.js';
import type { FileStorage } from '../activities/storage.js';
import { vnDate, vnDateTime, vnIsoDate } from '../domain/vn-time.js';
import { DomainError } from '../domain/errors.js';
import { formatVnd } from '../domain/fee.js';
import { APPLICANT_KIND_LABELS, STATUS_LABELS, type ApplicantKind, type DossierStatus } from '../domain/dossier.js';
import type { Config } from '../lib/config.js';
import { keyRingOf } from '../lib/key-encryption.js';
import type { Db } from '../lib/db.js';
import { accountJson } from './accounts/json.js';
import { accountScreens } from './accounts/screens.js';
import { adminJson } from './admin/json.js';
import { adminScreens } from './admin/screens.js';
import { processJson } from './process/json.js';
import { processScreens } from './process/screens.js';
import { replayScreens } from './replay/screens.js';
import { batchScreens } from './batches/screens.js';
import { batchJsonRoutes } from './batches/json.js';
import { webhookScreens } from './webhooks/screens.js';
import { webhookJson } from './webhooks/json.js';
import { signingAuthorityScreens } from './signing-authority/screens.js';
import { signingAuthorityJson } from './signing-authority/json.js';
import { cataloguesJson } from './catalogues/json.js';
import { cataloguesScreens } from './catalogues/screens.js';
import { templateJson } from './templates/json.js';
import { templateScreens } from './templates/screens.js';
import { authJson, bearerToken, staffTokensOnly } from './auth/json.js';
import { authScreens } from './auth/screens.js';
import { LoginThrottle } from './auth/service.js';
import { csrfMiddleware } from './http/csrf.js';
import { appointmentJson } from './appointments/json.js';
import { appointmentScreens } from './appointments/screens.js';
import { AppointmentService } from './appointments/service.js';
import { deliveryJson } from './deliveries/json.js';
import { deliveryScreens } from './deliveries/screens.js';
import { dossiersJson } from './dossiers/json.js';
import { dossierScreens } from './dossiers/screens.js';
import { DossierService } from './dossiers/service.js';
import { healthCheck } from './http/health.js';
import { refuseControlCharacters } from './http/input-guard.js';
import { noStore, securityHeaders } from './http/security.js';
import { serverTiming } from './http/server-timing.js';
import { sessionMiddleware } from './http/sessions.js';
import { CODEC_PATH, codecJson } from './codec/json.js';
import { idempotencyKeyGuard } from './http/idempotency.js';
import { VerificationService, verificationOptions } from './verification/service.js';
import type { AppDeps } from './http/deps.js';
import { errorHandler } from './http/errors.js';
import { needLogin } from './http/guards.js';
import { certificateJson } from './certificates/json.js';
import { certificateScreens } from './certificates/screens.js';
import { CertificateService } from './certificates/service.js';
import { imageJson } from './images/json.js';
import { imageScreens } from './images/screens.js';
import { openApiDocument } from './openapi.js';
import { portalScreens } from './portal/screens.js';
import { registerJson } from './register/json.js';
import { registerScreens } from './register/screens.js';
import { reportJson } from './reports/json.js';
import { reportScreens } from './reports/screens.js';
import { home, staffShell } from './shell.js';
import { verificationJson } from './verification/json.js';
import { verificationScreens } from './verification/screens.js';


const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The CA certificates an uploaded certificate must chain to: TRUST_ANCHORS, and in demo mode the generated test CA. */
function certificateTrustAnchors(config: Config, testPki: KeyStore): () => Promise<Buffer[]> {
  const anchors = (config.trustAnchorsDir ? loadTrustAnchors(config.trustAnchorsDir) : []).map((pem) => new X509Certificate(pem).raw);
  return async () => [...anchors, ...(config.mode === 'demo' ? [new X509Certificate(await testPki.caCertPem()).raw] : [])];
}

export function createApp(input: { config: Config; db: Db; temporal: Client; storage: FileStorage }): express.Express {
  const testPki = createFileKeyStore(path.join(input.config.dataDir, 'pki'));
  const certificates = new CertificateService(input.db, { mode: input.config.mode, keyRing: keyRingOf(input.config), trustAnchors: certificateTrustAnchors(input.config, testPki) });
  const deps: AppDeps = { ...input, certificates,
    dossiers: new DossierService(input.db, input.temporal, input.storage, input.config.taskQueue, input.config.workflow, { actionMs: input.config.actionAnswerMs, certificates }),
    appointments: new AppointmentService(input.db, input.temporal, input.config.taskQueue, input.config.appointmentTimers ?? undefined, input.config.appointmentLimits), throttle: new LoginThrottle(),
    verification: new VerificationService(input.db, testPki, verificationOptions(input.config)) };
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  const env = nunjucks.configure(path.join(root, 'views'), { autoescape: true, express: app, noCache: input.config.mode === 'demo' });
  env.addGlobal('dateTime', (d: Date | string) => (d ? vnDateTime(d) : ''));
  env.addGlobal('date', (d: Date | string) => (d ? vnDate(d) : ''));
  env.addGlobal('money', formatVnd);
  env.addGlobal('count', (n: number) => n.toLocaleString('vi-VN'));
  env.addGlobal('todayIso', () => vnIsoDate(new Date()));
  env.addGlobal('statusLabel', (s: DossierStatus) => STATUS_LABELS[s] ?? s);
  env.addGlobal('kindLabel', (k: ApplicantKind) => APPLICANT_KIND_LABELS[k] ?? k);
  app.set('view engine', 'njk');

  app.use(serverTiming); // Server-Timing: upload, inspect, store, db, temporal (api/http/server-timing.ts)
  app.use(securityHeaders(input.config)); // CSP, X-Frame-Options, nosniff, Referrer-Policy... (api/security.ts)
  const require = createRequire(import.meta.url);
  app.get('/static/htmx.min.js', (_req, res) => res.sendFile(require.resolve('htmx.org/dist/htmx.min.js')));
  app.use('/static', express.static(path.join(root, 'views/static'), { maxAge: '1h' }));
  app.use(noStore); // everything below carries or may carry personal data
  app.get('/healthz', healthCheck(input.db, input.temporal));

  app.use(refuseControlCharacters); // path and query; again after each body parser
  const sessions = sessionMiddleware(input.config, input.db);
  // The Temporal UI's codec (api/codec/json.ts): the session or a bearer token, JSON, CORS for the UI; no CSRF (it changes nothing).
  app.use(CODEC_PATH, sessions, codecJson(deps));
  app.use('/api/v1', jsonRoutes(deps));

  app.use(sessions);
  app.use(express.urlencoded({ extended: false, limit: '64kb' }));
  app.use(refuseControlCharacters);
  app.use(idempotencyKeyGuard); // a form's malformed _key is refused before any route acts
  app.use(csrfMiddleware);
  app.use(screenRoutes(deps));

  app.use((req, _res, next) => next(new DomainError('not_found', 'Không tìm thấy trang.')));
  app.use(errorHandler);
  return app;
}

/** Every screen, in order: the shell first, the citizen portal before any staff route. */
function screenRoutes(deps: AppDeps) {
  const r = express.Router();
  r.use(staffShell(deps)); // who is acting (from the session), CSRF token, menu, agency name, flash
  r.use('/cong-dan', portalScreens(deps)); // Cổng dịch vụ công — Công dân: its own session check, before any staff route
  r.use(authScreens(deps)); // Đăng nhập, Đăng xuất
  r.get('/', needLogin, home);
  r.use(batchScreens(deps)); // Ký số, đóng dấu các hồ sơ đã chọn, and the batch's progress (before /ho-so/:code)
  r.use(dossierScreens(deps)); // Thêm mới bản sao, the lists, a dossier's page and its actions
  r.use(registerScreens(deps)); // Quản lý sổ chứng thực, khóa sổ, Xem sổ
  r.use(reportScreens(deps)); // Báo cáo lệ phí
  r.use(deliveryScreens(deps)); // Quản lý gửi lại email; e-mailed download links (/tai-ve, no login)
  r.use(verificationScreens(deps)); // Xác thực bản sao điện tử, public
  r.use(imageScreens(deps)); // Quản lý con dấu, Trang cá nhân / Quản lý chữ ký cá nhân
  r.use(certificateScreens(deps)); // Trang cá nhân → Chứng thư số, Quản lý con dấu → Chứng thư số, admin approvals
  r.use(appointmentScreens(deps)); // Lịch hẹn chờ duyệt, Dời lịch hẹn
  r.use(adminScreens(deps)); // Quản trị → Cơ quan, đơn vị; Nhật ký quản trị
  r.use(processScreens(deps)); // Quản trị → Cấu hình quy trình
  r.use(replayScreens(deps)); // Kiểm thử phát lại (testers)
  r.use(cataloguesScreens(deps)); // Quản trị → Danh mục loại giấy tờ; Lịch làm việc, khung giờ hẹn
  r.use(accountScreens(deps)); // Quản trị → Tài khoản người dùng; Đổi mật khẩu; the working agency
  r.use(templateScreens(deps)); // Quản trị → Mẫu lời chứng, mẫu sổ
  r.use(webhookScreens(deps)); // Quản trị → Webhook: subscriptions and their delivery log
  r.use(signingAuthorityScreens(deps)); // Quản trị → Người ký, ký thay
  return r;
}

/** The JSON API /api/v1 for machines (SPEC §5a), in order: public routes, the token check, then each feature. */
function jsonRoutes(deps: AppDeps) {
  const r = express.Router();
  r.get('/openapi.json', (_req, res) => res.json(openApiDocument));
  r.use(authJson(deps)); // POST /auth/token
  r.use(verificationJson(deps)); // public: GET /verify/{code}, POST /verify
  r.use(bearerToken(deps)); // every other route needs a bearer token; the acting user comes from it
  r.use(express.json({ limit: '64kb' }), refuseControlCharacters);
  r.use(idempotencyKeyGuard); // a malformed Idempotency-Key is a 400 before any route acts
  r.use(appointmentJson(deps)); // citizens and staff
  r.use(staffTokensOnly); // everything below is for staff only
  r.use(dossiersJson(deps)); // document types, dossiers and their actions
  r.use(batchJsonRoutes(deps)); // POST /batches, GET /batches/{id}
  r.use(deliveryJson(deps)); // GET /deliveries, /dossiers/{code}/deliveries
  r.use(registerJson(deps)); // register books
  r.use(reportJson(deps)); // the daily fee report
  r.use('/images', imageJson(deps)); // seal and signature images (PNG)
  r.use(certificateJson(deps)); // uploaded certificates (PKCS#12): personal and seal
  r.use(adminJson(deps)); // /admin/agencies…, /admin/audit: administration in the admin's scope
  r.use(processJson(deps)); // /admin/agencies/{code}/process…: each agency's process definitions
  r.use(cataloguesJson(deps)); // /admin/document-types…, /admin/agencies/{code}/slots|days…, /admin/public-holidays…
  r.use(accountJson(deps)); // /admin/users…, POST /auth/password
  r.use(templateJson(deps)); // /admin/templates…: the attestation text and the register layout, versioned
  r.use(webhookJson(deps)); // /admin/agencies/{code}/webhooks, /admin/webhooks/{id}…, /admin/webhook-deliveries/{id}/resend
  r.use(signingAuthorityJson(deps)); // /admin/agencies/{code}/signing-authority|delegations, /admin/delegations/{id}/revoke
  return r;
}
