// Screens of the public verification, "Xác thực bản sao điện tử" (no login): GET /xac-thuc (the code form and the
// result), POST /xac-thuc (upload of the PDF, CSRF-checked).
import express, { type Response } from 'express';
import { DomainError } from '../../domain/errors.js';
import type { AppDeps } from '../http/deps.js';
import { clientKey, setRetryAfter } from '../http/rate-limit.js';
import { renderAgainOnRefusal } from '../http/render-again.js';
import { discard, MAX_SCAN_BYTES, parseFormUpload, type UploadedFile } from '../http/upload.js';
import { VERIFY_UPLOAD } from './service.js';

const TITLE = 'Xác thực bản sao điện tử';

export function verificationScreens(deps: AppDeps) {
  const r = express.Router();
  const v = deps.verification;
  const render = (res: Response, status: number, view: Record<string, unknown>) =>
    res.status(status).set('Cache-Control', 'no-store').render('verify.njk', { title: TITLE, active: '/xac-thuc', ...view });

  r.get('/xac-thuc', (req, res, next) => {
    const raw = req.query.code;
    if (raw === undefined) return render(res, 200, {});
    const code = (typeof raw === 'string' ? raw : '').trim().slice(0, 100);
    return renderAgainOnRefusal(res, next, async () => {
      if (!code) throw new DomainError('validation', 'Vui lòng nhập mã chứng thực in trên bản sao điện tử.');
      v.limits.codes.take(clientKey(req));
      const record = await v.byCode(code);
      if (!record) return render(res, 404, { code, notFound: true });
      render(res, 200, { code, record });
    }, (status, message, e) => { setRetryAfter(res, e); render(res, status, { code, error: message }); }, []);
  });

  r.post('/xac-thuc', (req, res, next) => renderAgainOnRefusal(res, next, async () => {
    let file: UploadedFile | null = null;
    try {
      v.limits.uploads.take(clientKey(req));
      if (!req.is('multipart/form-data')) throw new DomainError('validation', 'Vui lòng chọn tệp PDF cần xác thực.');
      const parsed = await parseFormUpload(req, deps.storage, 'file', MAX_SCAN_BYTES, VERIFY_UPLOAD);
      file = parsed.file;
      if (!file) throw new DomainError('validation', 'Vui lòng chọn tệp PDF cần xác thực.');
      const verdict = await v.byUpload(file);
      file = null;
      render(res, 200, { verdict, fileName: parsed.file?.fileName ?? '' });
    } catch (e) {
      await discard(file); // refused or failed: the upload is not kept either
      throw e;
    }
  }, (status, message, e) => { setRetryAfter(res, e); render(res, status, { error: message }); }, []));
  return r;
}
