// Sessions, API tokens, CSRF and login throttling. The acting user always comes from here, never from a form.
import bcrypt from 'bcryptjs';
import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../domain/errors.js';
import type { Actor, Role } from '../domain/types.js';
import type { Db } from '../lib/db.js';
import { loginBody, parse } from './schemas.js';

export async function loadActor(db: Db, username: string): Promise<Actor | null> {
  const user = await db.selectFrom('users').selectAll().where('username', '=', username).where('active', '=', true).executeTakeFirst();
  if (!user) return null;
  const roles = await db.selectFrom('user_roles').select('role').where('username', '=', username).where('agency_code', '=', user.agency_code).execute();
  return { username: user.username, fullName: user.full_name, agencyCode: user.agency_code, roles: roles.map((r) => r.role as Role), title: user.title };
}

export interface PortalUser { username: string; fullName: string; kind: 'citizen' | 'business'; idNumber: string }

/** Counts failed logins per user and address; after 5 failures the pair waits 5 minutes. */
export class LoginThrottle {
  private fails = new Map<string, { count: number; until: number }>();
  constructor(private readonly max = 5, private readonly lockMs = 5 * 60_000) {}
  check(key: string): void {
    const f = this.fails.get(key);
    if (f && f.until > Date.now()) {
      const minutes = Math.ceil((f.until - Date.now()) / 60_000);
      throw new DomainError('throttled', `Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ${minutes} phút.`);
    }
  }
  fail(key: string): void {
    const f = this.fails.get(key) ?? { count: 0, until: 0 };
    f.count += 1;
    if (f.count >= this.max) { f.until = Date.now() + this.lockMs; f.count = 0; }
    this.fails.set(key, f);
  }
  succeed(key: string): void { this.fails.delete(key); }
}

const DUMMY_HASH = bcrypt.hashSync('not-a-password', 10);

export async function verifyStaffLogin(db: Db, throttle: LoginThrottle, ip: string, username: unknown, password: unknown): Promise<Actor> {
  const typed = parse(loginBody, { username, password });
  const u = typed.username.toLowerCase();
  const p = typed.password;
  const key = `${ip}|${u}`;
  throttle.check(key);
  const user = u ? await db.selectFrom('users').select(['username', 'password_hash', 'active']).where('username', '=', u).executeTakeFirst() : undefined;
  // Compare against a dummy hash when the user is unknown, so timing does not reveal which usernames exist.
  const ok = await bcrypt.compare(p, user?.password_hash ?? DUMMY_HASH);
  if (!user || !ok || !user.active) {
    throttle.fail(key);
    throw new DomainError('unauthenticated', 'Tên đăng nhập hoặc mật khẩu không đúng.');
  }
  throttle.succeed(key);
  return (await loadActor(db, user.username))!;
}

export async function loadPortalUser(db: Db, username: string): Promise<PortalUser | null> {
  const u = await db.selectFrom('portal_accounts').select(['username', 'full_name', 'kind', 'id_number']).where('username', '=', username).executeTakeFirst();
  return u ? { username: u.username, fullName: u.full_name, kind: u.kind, idNumber: u.id_number } : null;
}

/** Citizens and businesses log in with their portal (DVCQG) account. */
export async function verifyCitizenLogin(db: Db, throttle: LoginThrottle, ip: string, username: unknown, password: unknown): Promise<PortalUser> {
  const typed = parse(loginBody, { username, password });
  const u = typed.username.toLowerCase();
  const p = typed.password;
  const key = `portal|${ip}|${u}`;
  throttle.check(key);
  const account = u ? await db.selectFrom('portal_accounts').select(['username', 'password_hash']).where('username', '=', u).executeTakeFirst() : undefined;
  const ok = await bcrypt.compare(p, account?.password_hash ?? DUMMY_HASH);
  if (!account || !ok) {
    throttle.fail(key);
    throw new DomainError('unauthenticated', 'Tên đăng nhập hoặc mật khẩu không đúng.');
  }
  throttle.succeed(key);
  return (await loadPortalUser(db, account.username))!;
}

/** A token's subject: a staff username, or `p:<username>` for a portal account. */
export const portalSubject = (username: string) => `p:${username}`;

/** Stateless bearer tokens for the JSON API: payload.hmac, valid 12 hours. */
export function issueToken(secret: string, username: string, ttlMs = 12 * 3600_000): string {
  const payload = Buffer.from(JSON.stringify({ u: username, exp: Date.now() + ttlMs })).toString('base64url');
  const mac = crypto.createHmac('sha256', secret).update(payload).digest('base64url');
  return `${payload}.${mac}`;
}

export function verifyToken(secret: string, token: string): string | null {
  const [payload, mac] = token.split('.');
  if (!payload || !mac) return null;
  const expected = crypto.createHmac('sha256', secret).update(payload).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  try {
    const { u, exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { u: string; exp: number };
    return exp > Date.now() ? u : null;
  } catch {
    return null;
  }
}

/** CSRF: a random token kept in the session, sent back as a hidden field `_csrf` or the `X-CSRF-Token` header. */
export function csrfToken(req: Request): string {
  const s = req.session!;
  if (!s.csrf) s.csrf = crypto.randomBytes(24).toString('base64url');
  return s.csrf as string;
}

export function csrfValid(req: Request, given: unknown): boolean {
  const expected = req.session?.csrf as string | undefined;
  const g = typeof given === 'string' ? given : '';
  if (!expected || g.length !== expected.length) return false;
  return crypto.timingSafeEqual(Buffer.from(g), Buffer.from(expected));
}

export const CSRF_MESSAGE = 'Phiên làm việc đã hết hạn hoặc yêu cầu không hợp lệ. Vui lòng tải lại trang và thử lại.';

/** Checks CSRF on every state-changing request with an urlencoded body (multipart forms: parseFormUpload). */
export function csrfMiddleware(req: Request, _res: Response, next: NextFunction) {
  if (req.method === 'GET' || req.method === 'HEAD') return next();
  if (req.is('multipart/form-data')) return next();
  const given = req.get('x-csrf-token') ?? (req.body as Record<string, unknown> | undefined)?._csrf;
  if (!csrfValid(req, given)) return next(new DomainError('csrf', CSRF_MESSAGE));
  next();
}
