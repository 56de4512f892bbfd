// POST /api/v1/temporal-codec/decode: the Codec Server protocol that the Temporal Web UI (and `temporal workflow
// show --codec-endpoint`) calls to show our encrypted payloads (lib/payload-codec.ts). The caller is the logged-in
// supervisor or tester: the session cookie (the UI sends it with "include cross-origin credentials") or a bearer
// token (the CLI's --codec-auth). Only the configured Temporal UI origins may read the answer from a browser
// (CORS); it changes nothing, so no CSRF token is asked. No /encode: nobody starts or signals a dossier's workflow
// from the Temporal UI.
import express, { type NextFunction, type Request, type Response } from 'express';
import { DomainError } from '../../domain/errors.js';
import type { AppDeps } from '../http/deps.js';
import { parse } from '../http/schemas.js';
import { loadActor, verifyTokenClaims } from '../auth/service.js';
import { codecBody, decodePayloads } from './service.js';

export const CODEC_PATH = '/api/v1/temporal-codec';

export function codecJson(deps: AppDeps) {
  const r = express.Router();
  const origins = new Set(deps.config.temporalUiOrigins);
  r.use((req: Request, res: Response, next: NextFunction) => {
    const origin = req.get('origin');
    if (origin && origins.has(origin)) {
      res.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': 'Content-Type, X-Namespace, Authorization',
        'Access-Control-Max-Age': '600',
        Vary: 'Origin',
      });
    }
    if (req.method === 'OPTIONS') return res.status(origin && origins.has(origin) ? 204 : 403).end();
    next();
  });
  r.post('/decode', express.json({ limit: '8mb' }), async (req, res, next) => {
    try {
      const namespace = req.get('x-namespace');
      if (namespace && namespace !== deps.config.temporalNamespace) {
        throw new DomainError('validation', `Không giải mã dữ liệu của namespace “${namespace}”.`);
      }
      const m = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
      const claims = m ? await verifyTokenClaims(deps.db, deps.config.sessionSecret, m[1]) : null;
      // A bearer token, when given, decides (a wrong one is no login); else the session.
      const username = m ? (claims && !claims.subject.startsWith('p:') ? claims.subject : null) : ((req.session?.uid as string | undefined) ?? null);
      const actor = username ? await loadActor(deps.db, username, claims?.agencyCode ?? (req.session?.agency as string | undefined)) : null;
      const body = parse(codecBody, req.body ?? {});
      res.json(await decodePayloads(actor, body.payloads, deps.temporal.options.loadedDataConverter.payloadCodecs));
    } catch (e) { next(e); }
  });
  return r;
}
