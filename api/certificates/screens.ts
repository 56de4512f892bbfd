// Screens of uploaded certificates: "Trang cá nhân → Chứng thư số" (the leader's personal certificates), "Quản lý
// con dấu → Chứng thư số" (the agency seal, for the seal keeper), the leader's remote signing service (Ký từ xa,
// CSC) on the personal page, and the administrator's approvals.
import fs from 'node:fs/promises';
import express, { type Request, type Response } from 'express';
import type { CertificatePurpose } from '../../domain/certificate.js';
import type { AppDeps } from '../http/deps.js';
import { actorOf, flash, staffOnly } from '../http/guards.js';
import { renderAgainOnRefusal } from '../http/render-again.js';
import { parse } from '../http/schemas.js';
import { discard, parseFormUpload } from '../http/upload.js';
import { fingerprintParams, PKCS12_UPLOAD, remoteServiceFields, remoteSignerFields, remoteUseFields, uploadFields } from './schemas.js';
import { PKCS12_UPLOAD_MAX_BYTES, type CertificateView } from './service.js';

const PAGES: Record<CertificatePurpose, { path: string; title: string; back: string; role: 'signer' | 'sealer'; roleMessage: string }> = {
  personal: {
    path: '/trang-ca-nhan/chung-thu-so', title: 'Chứng thư số cá nhân', back: '/trang-ca-nhan', role: 'signer',
    roleMessage: 'Chỉ lãnh đạo ký có chứng thư số cá nhân để ký bản sao.',
  },
  seal: {
    path: '/quan-ly-con-dau/chung-thu-so', title: 'Chứng thư số của cơ quan (con dấu)', back: '/quan-ly-con-dau', role: 'sealer',
    roleMessage: 'Chỉ văn thư (người giữ con dấu) quản lý chứng thư số của cơ quan.',
  },
};

const STATUS_LABELS: Record<CertificateView['status'], string> = {
  in_use: 'Đang dùng', standby: 'Không dùng', needs_approval: 'Chờ quản trị viên xác nhận', expired: 'Hết hạn',
};
const KEY_USAGE_LABELS: Record<string, string> = {
  digitalSignature: 'Ký số', nonRepudiation: 'Chống chối bỏ', keyEncipherment: 'Mã hóa khóa', dataEncipherment: 'Mã hóa dữ liệu',
  keyAgreement: 'Thỏa thuận khóa', keyCertSign: 'Ký chứng thư', cRLSign: 'Ký CRL',
};
const rowOf = (c: CertificateView) => ({
  ...c, statusLabel: STATUS_LABELS[c.status],
  keyUsageLabel: c.keyUsage ? c.keyUsage.map((k) => KEY_USAGE_LABELS[k] ?? k).join(', ') : 'Không giới hạn',
  fingerprintText: c.fingerprint.toUpperCase().match(/.{2}/g)!.join(':'),
});

// Staff only; mounted inside the session router (api/app.ts, screenRoutes).
export function certificateScreens(deps: AppDeps) {
  const r = express.Router();
  const certificates = deps.certificates;

  /** A certificates page; the personal one also shows the remote signing section (`remoteForm`: what was typed). */
  async function renderPage(res: Response, purpose: CertificatePurpose, status = 200, error?: string, remoteForm?: Record<string, unknown>) {
    const page = PAGES[purpose];
    const actor = actorOf(res);
    const list = await certificates.list(actor);
    const remote = purpose === 'personal' ? await certificates.remote.get(actor) : null;
    res.status(status).render('certificates.njk', {
      title: page.title, active: page.back, error, purpose, page, maxKb: PKCS12_UPLOAD_MAX_BYTES / 1024,
      certificates: list[purpose].map(rowOf), remote,
      remoteForm: remoteForm ?? (remote ? { serviceUrl: remote.serviceUrl, authKind: remote.authKind, credentialId: remote.credentialId } : { authKind: 'token' }),
    });
  }

  // Ký từ xa (CSC): list the service's credentials (the form comes back with them to pick one), save, switch.
  // Before the certificates' /:fingerprint/su-dung, which would take "ky-tu-xa" for a fingerprint.
  const personal = PAGES.personal;
  const onlyLeader = staffOnly(personal.role, personal.roleMessage);
  const renderPersonal = (res: Response, status = 200, error?: string, remoteForm?: Record<string, unknown>) => renderPage(res, 'personal', status, error, remoteForm);
  r.post(`${personal.path}/ky-tu-xa`, ...onlyLeader, (req, res, next) => {
    const form = { ...(req.body as Record<string, unknown>) };
    return renderAgainOnRefusal(res, next, async () => {
      if (form.step === 'list') {
        const credentialIds = await certificates.remote.credentials(actorOf(res), parse(remoteServiceFields, form));
        return renderPersonal(res, 200, undefined, { ...form, credentialIds });
      }
      const v = await certificates.remote.save(actorOf(res), parse(remoteSignerFields, form));
      flash(req, v.needsApproval
        ? `Đã lưu cấu hình ký số từ xa. Chứng thư số mang tên “${v.commonName ?? v.subject}”, khác họ tên tài khoản: chỉ dùng để ký sau khi quản trị viên xác nhận.`
        : `Đã lưu cấu hình ký số từ xa: từ nay ký bằng chứng thư số của “${v.commonName ?? v.subject}” trên dịch vụ ${v.serviceUrl}.`);
      res.redirect(303, personal.path);
    }, (status, message) => renderPersonal(res, status, message, { ...form, token: undefined, password: undefined, clientSecret: undefined, pin: undefined }), ['unavailable']);
  });
  r.post(`${personal.path}/ky-tu-xa/su-dung`, ...onlyLeader, (req, res, next) => renderAgainOnRefusal(res, next, async () => {
    const v = await certificates.remote.use(actorOf(res), parse(remoteUseFields, req.body).inUse);
    flash(req, v.inUse ? 'Từ nay ký bản sao qua dịch vụ ký số từ xa.' : 'Từ nay ký bản sao bằng chứng thư số đã tải lên (không dùng ký từ xa).');
    res.redirect(303, personal.path);
  }, (status, message) => renderPersonal(res, status, message)));

  for (const purpose of ['personal', 'seal'] as const) {
    const page = PAGES[purpose];
    const render = (res: Response, status = 200, error?: string) => renderPage(res, purpose, status, error);
    const only = staffOnly(page.role, page.roleMessage);
    r.get(page.path, ...only, async (_req, res, next) => {
      try { await render(res); } catch (e) { next(e); }
    });
    r.post(page.path, ...only, (req: Request, res: Response, next) => renderAgainOnRefusal(res, next, async () => {
      const { fields, file } = await parseFormUpload(req, deps.storage, 'file', PKCS12_UPLOAD_MAX_BYTES, PKCS12_UPLOAD);
      let bytes: Buffer | null = null;
      try { if (file) bytes = await fs.readFile(file.tmpPath); } finally { await discard(file); } // never kept on disk
      const { passphrase } = parse(uploadFields, { ...fields, purpose });
      const v = await certificates.upload(actorOf(res), { file: bytes ?? Buffer.alloc(0), passphrase, purpose, agencyName: res.locals.agencyName ?? '' });
      flash(req, v.status === 'needs_approval'
        ? 'Đã tải lên chứng thư số. Tên chủ chứng thư khác họ tên người dùng: quản trị viên cần xác nhận trước khi dùng để ký.'
        : `Đã tải lên chứng thư số của “${v.commonName ?? v.subject}”; từ nay dùng chứng thư này để ký.${v.warnings.length ? ` Lưu ý: ${v.warnings.map((w) => w.message).join(' ')}` : ''}`);
      res.redirect(303, page.path);
    }, (status, message) => render(res, status, message), ['unavailable', 'throttled']));
    r.post(`${page.path}/:fingerprint/su-dung`, ...only, (req, res, next) => renderAgainOnRefusal(res, next, async () => {
      const v = await certificates.use(actorOf(res), parse(fingerprintParams, req.params).fingerprint);
      flash(req, `Từ nay dùng chứng thư số của “${v.commonName ?? v.subject}” (số hiệu ${v.serial}).`);
      res.redirect(303, page.path);
    }, (status, message) => render(res, status, message)));
  }

  // The administrator: personal certificates whose holder name differs, waiting to be approved.
  const adminOnly = staffOnly('admin', 'Chỉ quản trị viên được xác nhận chứng thư số.');
  const renderApprovals = async (res: Response, status = 200, error?: string) => {
    const pending = await certificates.pending(actorOf(res));
    res.status(status).render('certificate-approvals.njk', { title: 'Xác nhận chứng thư số', active: '/quan-tri/chung-thu-so', error, pending: pending.map(rowOf) });
  };
  r.get('/quan-tri/chung-thu-so', ...adminOnly, async (_req, res, next) => {
    try { await renderApprovals(res); } catch (e) { next(e); }
  });
  r.post('/quan-tri/chung-thu-so/:fingerprint/xac-nhan', ...adminOnly, (req, res, next) => renderAgainOnRefusal(res, next, async () => {
    const v = await certificates.approve(actorOf(res), parse(fingerprintParams, req.params).fingerprint);
    flash(req, `Đã xác nhận chứng thư số của “${v.commonName ?? v.subject}” cho người dùng ${v.owner}.`);
    res.redirect(303, '/quan-tri/chung-thu-so');
  }, (status, message) => renderApprovals(res, status, message)));
  return r;
}
