// JSON API of the public verification: GET /api/v1/verify/{dossierCode}, POST /api/v1/verify (multipart `file`).
// Mounted before the bearer-token check (api/app.ts, jsonRoutes): no login.
import express from 'express';
import { DomainError } from '../../domain/errors.js';
import type { AppDeps } from '../http/deps.js';
import { clientKey, setRetryAfter } from '../http/rate-limit.js';
import { MAX_SCAN_BYTES, parseMultipart } from '../http/upload.js';
import { NOT_FOUND_MESSAGE, VERIFY_UPLOAD } from './service.js';

export function verificationJson(deps: AppDeps) {
  const r = express.Router();
  const v = deps.verification;
  r.get('/verify/:code', async (req, res, next) => {
    try {
      v.limits.codes.take(clientKey(req));
      const record = await v.byCode(req.params.code);
      if (!record) throw new DomainError('not_found', NOT_FOUND_MESSAGE);
      res.set('Cache-Control', 'no-store').json(record);
    } catch (e) { setRetryAfter(res, e); next(e); }
  });
  r.post('/verify', async (req, res, next) => {
    try {
      v.limits.uploads.take(clientKey(req));
      if (!req.is('multipart/form-data')) throw new DomainError('validation', 'Gửi tệp PDF cần xác thực dạng multipart/form-data, trường "file".', 'file');
      const { file } = await parseMultipart(req, deps.storage, 'file', MAX_SCAN_BYTES, VERIFY_UPLOAD);
      if (!file) throw new DomainError('validation', 'Chưa có tệp PDF cần xác thực (trường "file").', 'file');
      const verdict = await v.byUpload(file);
      res.set('Cache-Control', 'no-store').json({
        genuine: verdict.genuine, identical: verdict.identical, containsIssuedRevision: verdict.containsIssuedRevision, intact: verdict.intact,
        matchedBy: verdict.matchedBy, sha256: verdict.sha256, size: verdict.size, modifiedAfterLastSignature: verdict.modifiedAfterLastSignature,
        ltvUpdates: verdict.ltvUpdates, level: verdict.level, timestamp: verdict.timestamp,
        reasons: verdict.reasons, signatures: verdict.signatures, dossier: verdict.dossier,
      });
    } catch (e) { setRetryAfter(res, e); next(e); }
  });
  return r;
}
