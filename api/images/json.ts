// JSON API of the seal and signature images: /api/v1/images/{seal,signature} (GET the PNG, POST a new one).
// Mounted at /api/v1/images after the bearer-token check (api/app.ts, jsonRoutes).
import express, { type NextFunction, type Request, type Response } from 'express';
import { DomainError } from '../../domain/errors.js';
import { PNG_MAX_BYTES } from '../../domain/png.js';
import type { AppDeps } from '../http/deps.js';
import { actorOf } from '../http/guards.js';
import { discard, parseMultipart } from '../http/upload.js';
import { sendPng } from './send-png.js';
import { imageOwnerFor, noImageFile, PNG_UPLOAD, requireImage, saveImage, type ImageKind, type ImageRecord } from './service.js';

function imageBody(rec: ImageRecord) {
  return { kind: rec.kind, owner: rec.owner, sha256: rec.sha256, size: rec.size, width: rec.width, height: rec.height, uploadedBy: rec.uploadedBy, uploadedAt: rec.uploadedAt };
}

export function imageJson(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;

  const upload = (kind: ImageKind) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      // The role (and, for a signature, the user named in the query) first: a refused caller's file is never stored.
      const query = typeof req.query.username === 'string' ? req.query.username : undefined;
      imageOwnerFor(actorOf(res), kind, query);
      if (!req.is('multipart/form-data')) throw new DomainError('validation', 'Gửi hình ảnh dạng multipart/form-data với tệp "image" (ảnh PNG).');
      // A bearer-token request: no CSRF check (parseMultipart, not parseFormUpload).
      const { fields, file } = await parseMultipart(req, deps.storage, 'image', PNG_MAX_BYTES, PNG_UPLOAD);
      let owner: string;
      try { owner = imageOwnerFor(actorOf(res), kind, fields.username ?? query); } catch (e) { await discard(file); throw e; }
      if (!file) throw noImageFile(kind);
      res.json(imageBody(await saveImage(db, deps.storage, { kind, owner, actor: actorOf(res), file })));
    } catch (e) { next(e); }
  };
  r.post('/seal', upload('seal'));
  r.post('/signature', upload('signature'));

  r.get('/seal', async (_req, res, next) => {
    try { sendPng(res, deps.storage, await requireImage(db, 'seal', actorOf(res).agencyCode), next); } catch (e) { next(e); }
  });
  r.get('/signature', async (_req, res, next) => {
    try { sendPng(res, deps.storage, await requireImage(db, 'signature', actorOf(res).username), next); } catch (e) { next(e); }
  });
  return r;
}
