// The JSON API's logins: POST /api/v1/auth/token, and the bearer-token check that names the acting user of every
// other route (a staff member or a portal account), never taken from the request body.
import express, { type NextFunction, type Request, type Response } from 'express';
import { DomainError } from '../../domain/errors.js';
import type { AppDeps } from '../http/deps.js';
import { refuseControlCharacters } from '../http/input-guard.js';
import { parse } from '../http/schemas.js';
import { loginBody, tokenAgency } from './schemas.js';
import { checkWorkingAgency, isStaffUsername, issueToken, loadActor, loadPortalUser, mustChangePassword, portalSubject, verifyCitizenLogin, verifyStaffLogin, verifyTokenClaims } from './service.js';

/** The one route a user who must change the password may use (api/accounts/json.ts). */
export const PASSWORD_ROUTE = '/auth/password';
export const PASSWORD_CHANGE_REQUIRED = 'Bạn cần đổi mật khẩu trước khi dùng hệ thống (POST /api/v1/auth/password).';

export function authJson(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;
  r.post('/auth/token', express.json({ limit: '16kb' }), refuseControlCharacters, async (req, res, next) => {
    try {
      const { username, password } = req.body ?? {};
      const typed = parse(loginBody, req.body ?? {});
      if ((await isStaffUsername(db, typed.username)) || req.body?.kind === 'staff') {
        const a = await verifyStaffLogin(db, deps.throttle, req.ip ?? '', username, password);
        // A user with roles in several agencies names the working agency; the token carries it.
        const agencyCode = parse(tokenAgency, req.body ?? {}).agencyCode || undefined;
        if (agencyCode) await checkWorkingAgency(db, a.username, agencyCode);
        return res.json({ token: await issueToken(db, deps.config.sessionSecret, a.username, undefined, agencyCode), expiresIn: 12 * 3600 });
      }
      // A citizen's or business's portal account.
      const p = await verifyCitizenLogin(db, deps.throttle, req.ip ?? '', username, password);
      res.json({ token: await issueToken(db, deps.config.sessionSecret, portalSubject(p.username)), expiresIn: 12 * 3600 });
    } catch (e) { next(e); }
  });
  return r;
}

/** Every route after this needs a bearer token: res.locals.actor (staff) or res.locals.citizen (portal account). */
export function bearerToken(deps: AppDeps) {
  const { db } = deps;
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const m = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
      const claims = m ? await verifyTokenClaims(db, deps.config.sessionSecret, m[1]) : null;
      const subject = claims?.subject;
      const citizen = subject?.startsWith('p:') ? await loadPortalUser(db, subject.slice(2)) : null;
      const actor = subject && !subject.startsWith('p:') ? await loadActor(db, subject, claims?.agencyCode) : null;
      if (!actor && !citizen) throw new DomainError('unauthenticated', 'Thiếu hoặc sai mã truy cập (Bearer token).');
      // A password made or reset by an admin is changed first: every other route is refused until then.
      if (actor && req.path !== PASSWORD_ROUTE && (await mustChangePassword(db, actor.username))) {
        return res.status(403).json({ error: 'password_change_required', message: PASSWORD_CHANGE_REQUIRED });
      }
      res.locals.actor = actor;
      res.locals.citizen = citizen;
      next();
    } catch (e) { next(e); }
  };
}

/** Every route after this is for staff tokens only (after bearerToken). */
export const staffTokensOnly = (_req: Request, res: Response, next: NextFunction) =>
  next(res.locals.actor ? undefined : new DomainError('forbidden', 'Chức năng này dành cho cán bộ của cơ quan chứng thực.'));
