// JSON API of uploaded certificates: /api/v1/certificates (list, upload), /{fingerprint}/use, /{fingerprint}/approve;
// the leader's remote signing service: /certificates/remote (read, save), /remote/credentials, /remote/use.
// Mounted after the bearer-token check (api/app.ts, jsonRoutes); the acting user comes from the token.
import fs from 'node:fs/promises';
import express from 'express';
import { DomainError } from '../../domain/errors.js';
import { agencyNameOf } from '../auth/service.js';
import type { AppDeps } from '../http/deps.js';
import { actorOf } from '../http/guards.js';
import { parse } from '../http/schemas.js';
import { discard, parseMultipart } from '../http/upload.js';
import { fingerprintParams, PKCS12_UPLOAD, remoteServiceFields, remoteSignerFields, remoteUseFields, uploadFields } from './schemas.js';
import { PKCS12_UPLOAD_MAX_BYTES } from './service.js';

export function certificateJson(deps: AppDeps) {
  const r = express.Router();
  const certificates = deps.certificates;

  r.get('/certificates', async (_req, res, next) => {
    try { res.json(await certificates.list(actorOf(res))); } catch (e) { next(e); }
  });

  r.post('/certificates', async (req, res, next) => {
    try {
      if (!req.is('multipart/form-data')) throw new DomainError('validation', 'Gửi dạng multipart/form-data: tệp "file" (PKCS#12), "passphrase" và "purpose".');
      const { fields, file } = await parseMultipart(req, deps.storage, 'file', PKCS12_UPLOAD_MAX_BYTES, PKCS12_UPLOAD);
      let bytes: Buffer;
      try {
        if (!file) throw new DomainError('validation', 'Vui lòng gửi tệp chứng thư số (.p12, .pfx) trong trường "file".', 'file');
        bytes = await fs.readFile(file.tmpPath);
      } finally { await discard(file); } // the PKCS#12 never stays on disk
      const { purpose, passphrase } = parse(uploadFields, fields);
      const actor = actorOf(res);
      const view = await certificates.upload(actor, { file: bytes, passphrase, purpose, agencyName: await agencyNameOf(deps.db, actor.agencyCode) });
      res.status(201).json(view);
    } catch (e) { next(e); }
  });

  // Before /certificates/:fingerprint/…: "remote" is not a fingerprint.
  r.get('/certificates/remote', async (_req, res, next) => {
    try { res.json({ remoteSigner: await certificates.remote.get(actorOf(res)) }); } catch (e) { next(e); }
  });
  r.put('/certificates/remote', async (req, res, next) => {
    try { res.json(await certificates.remote.save(actorOf(res), parse(remoteSignerFields, req.body))); } catch (e) { next(e); }
  });
  r.post('/certificates/remote/credentials', async (req, res, next) => {
    try { res.json({ credentialIds: await certificates.remote.credentials(actorOf(res), parse(remoteServiceFields, req.body)) }); } catch (e) { next(e); }
  });
  r.post('/certificates/remote/use', async (req, res, next) => {
    try { res.json(await certificates.remote.use(actorOf(res), parse(remoteUseFields, req.body).inUse)); } catch (e) { next(e); }
  });

  r.post('/certificates/:fingerprint/use', async (req, res, next) => {
    try { res.json(await certificates.use(actorOf(res), parse(fingerprintParams, req.params).fingerprint)); } catch (e) { next(e); }
  });
  r.get('/certificates/pending', async (_req, res, next) => {
    try { res.json({ items: await certificates.pending(actorOf(res)) }); } catch (e) { next(e); }
  });
  r.post('/certificates/:fingerprint/approve', async (req, res, next) => {
    try { res.json(await certificates.approve(actorOf(res), parse(fingerprintParams, req.params).fingerprint)); } catch (e) { next(e); }
  });
  return r;
}
