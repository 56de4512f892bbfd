// Server-side sessions for the screens (staff and citizen portal alike): express-session with its PostgreSQL store
// (connect-pg-simple) on the app's own pool. The cookie carries only a signed session id, so logging out, or
// deactivating a user, ends a session at once: its row is gone and a saved cookie finds nothing.
import connectPgSimple from 'connect-pg-simple';
import crypto from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import { sql } from 'kysely';
import type { Config } from '../../lib/config.js';
import { poolOf, type Db } from '../../lib/db.js';

declare module 'express-session' {
  interface SessionData {
    /** The staff user logged in (users.username). */
    uid?: string;
    /** The portal account logged in (portal_accounts.username). */
    pid?: string;
    csrf?: string;
    flash?: string | null;
    /** The working agency chosen in the header by a user with roles in several agencies (agencies.code). */
    agency?: string;
    /** When the login happened (ms), for the absolute expiry. */
    startedAt?: number;
  }
}

export const SESSION_COOKIE = 'ctdt.sid';
/** A session nobody uses for this long ends (each request moves the limit). */
export const SESSION_IDLE_MS = 60 * 60_000;
/** A login lasts at most this long, however busy (a working day). */
export const SESSION_ABSOLUTE_MS = 8 * 3600_000;

const PgStore = connectPgSimple(session);

/** The session middleware: a signed id in an HttpOnly, SameSite=Lax cookie (Secure in production), the data in PostgreSQL. */
export function sessionMiddleware(config: Config, db: Db, limits = { idleMs: SESSION_IDLE_MS, absoluteMs: SESSION_ABSOLUTE_MS }): RequestHandler[] {
  const store = new PgStore({ pool: poolOf(db), tableName: 'sessions', createTableIfMissing: false, pruneSessionInterval: 15 * 60 });
  const sessions = session({
    name: SESSION_COOKIE, secret: config.sessionSecret, store, resave: false, saveUninitialized: false, rolling: true, unset: 'destroy',
    cookie: { httpOnly: true, sameSite: 'lax', secure: config.mode === 'production', maxAge: limits.idleMs, path: '/' },
  });
  const absolute = (req: Request, _res: Response, next: NextFunction) => {
    const started = req.session.startedAt;
    if (!started || Date.now() - started <= limits.absoluteMs) return next();
    req.session.regenerate((err) => next(err)); // the old row is deleted; the visitor starts anonymous again
  };
  // express-session stores a changed session while the answer is already on its way; a browser follows a redirect
  // as soon as it has the headers, so the next page could read the session before the flash message was stored.
  // A redirect therefore goes out only once the session is stored.
  const saveBeforeRedirect = (req: Request, res: Response, next: NextFunction) => {
    const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
    res.redirect = ((...args: unknown[]) => {
      if (!req.session) return redirect(...args); // destroyed (logged out): nothing to store
      req.session.save((err) => (err ? next(err) : redirect(...args)));
    }) as Response['redirect'];
    next();
  };
  return [sessions, absolute, saveBeforeRedirect];
}

/** Logs in: a fresh session id (no fixation) holding only this login and a new CSRF token; whatever was there ends. */
export function startSession(req: Request, who: { uid: string } | { pid: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.regenerate((err) => {
      if (err) return reject(err);
      Object.assign(req.session, who, { csrf: crypto.randomBytes(24).toString('base64url'), startedAt: Date.now() });
      req.session.save((e) => (e ? reject(e) : resolve()));
    });
  });
}

/** Logs out: the session's row is deleted (a saved copy of the cookie opens nothing) and the cookie cleared. */
export function endSession(req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.destroy((err) => {
      if (err) return reject(err);
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      resolve();
    });
  });
}

/** Deletes the sessions and API tokens of one person, inside the caller's transaction. */
export async function deleteSessionsAndTokens(db: Db, kind: 'staff' | 'portal', username: string): Promise<void> {
  const key = kind === 'staff' ? 'uid' : 'pid'; // the session field; the partial index sessions_<key>_idx serves it
  await db.deleteFrom('sessions').where(sql<boolean>`sess ? ${sql.lit(key)}`).where(sql<string>`sess->>${sql.lit(key)}`, '=', username).execute();
  await db.deleteFrom('api_tokens').where('subject', '=', kind === 'staff' ? username : `p:${username}`).execute();
}

/**
 * Ends every session and API token of a staff user (`kind` 'staff') or a portal account ('portal') at once: for
 * deactivation, a changed password, or "log out everywhere".
 */
export async function endSessionsOf(db: Db, username: string, kind: 'staff' | 'portal' = 'staff'): Promise<void> {
  await db.transaction().execute((trx) => deleteSessionsAndTokens(trx, kind, username));
}

/** Deactivates a staff user: it can no longer log in, and its sessions and tokens end in the same step. */
export async function deactivateUser(db: Db, username: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ active: false }).where('username', '=', username).execute();
    await deleteSessionsAndTokens(trx, 'staff', username);
  });
}
