// Who may reach a route. The acting user always comes from the session (screens) or the bearer token (API),
// put in res.locals by the shell (api/shell.ts) or the API's token check; never from a form.
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../../domain/errors.js';
import type { Actor, Role } from '../../domain/types.js';

export const FORBIDDEN_MESSAGE = 'Bạn không có quyền truy cập chức năng này.';

/** The logged-in staff member of this request (after needLogin / the API's staff check). */
export const actorOf = (res: Response) => res.locals.actor as Actor;

/** Screens: a visitor without a session goes to the login page, and comes back here afterwards. */
export function needLogin(req: Request, res: Response, next: NextFunction) {
  if (!res.locals.actor) return res.redirect(303, `/dang-nhap?next=${encodeURIComponent(req.originalUrl)}`);
  next();
}

/** Throws `forbidden` unless the actor holds one of the roles. */
export function assertRole(actor: Actor | null | undefined, roles: Role | readonly Role[], message = FORBIDDEN_MESSAGE): asserts actor is Actor {
  const wanted: readonly Role[] = typeof roles === 'string' ? [roles] : roles;
  if (!actor || !wanted.some((r) => actor.roles.includes(r))) throw new DomainError('forbidden', message);
}

/** A route for holders of one of the roles (after needLogin on screens, after the token check in the API). */
export const needRole = (roles: Role | readonly Role[], message = FORBIDDEN_MESSAGE) => (_req: Request, res: Response, next: NextFunction) => {
  try { assertRole(res.locals.actor as Actor | null, roles, message); next(); } catch (e) { next(e); }
};

/** Screens: needLogin, then needRole. */
export const staffOnly = (roles: Role | readonly Role[], message = FORBIDDEN_MESSAGE) => [needLogin, needRole(roles, message)];

/** A one-line notice shown on the next page (post/redirect/get). */
export const flash = (req: Request, text: string) => { req.session!.flash = text; };
