// Staff and portal logins, API tokens and login throttling. The acting user always comes from here, never from a form.
import bcrypt from 'bcryptjs';
import crypto from 'node:crypto';
import { DomainError } from '../../domain/errors.js';
import type { Actor, Role } from '../../domain/types.js';
import type { Db } from '../../lib/db.js';
import { parse } from '../http/schemas.js';
import { loginBody } from './schemas.js';
import * as q from './queries.js';

export async function loadActor(db: Db, username: string): Promise<Actor | null> {
  const user = await q.activeUser(db, username);
  if (!user) return null;
  const roles = await q.rolesOf(db, username, user.agency_code);
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
  const user = u ? await q.staffCredentials(db, u) : undefined;
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
  const u = await q.portalAccount(db, username);
  return u ? { username: u.username, fullName: u.full_name, kind: u.kind, idNumber: u.id_number } : null;
}

/** Citizens and businesses log in with their portal (DVCQG) account. */
export async function verifyCitizenLogin(db: Db, throttle: LoginThrottle, ip: string, username: unknown, password: unknown): Promise<PortalUser> {
  const typed = parse(loginBody, { username, password });
  const u = typed.username.toLowerCase();
  const p = typed.password;
  const key = `portal|${ip}|${u}`;
  throttle.check(key);
  const account = u ? await q.portalCredentials(db, u) : undefined;
  const ok = await bcrypt.compare(p, account?.password_hash ?? DUMMY_HASH);
  if (!account || !ok) {
    throttle.fail(key);
    throw new DomainError('unauthenticated', 'Tên đăng nhập hoặc mật khẩu không đúng.');
  }
  throttle.succeed(key);
  return (await loadPortalUser(db, account.username))!;
}

/** Whether `username` (as typed) names a staff user rather than a portal account. */
export async function isStaffUsername(db: Db, username: string): Promise<boolean> {
  return Boolean(username && (await q.staffUsername(db, username.toLowerCase())));
}

/** The name of the actor's agency, shown in the staff shell's header. */
export const agencyNameOf = async (db: Db, agencyCode: string) => (await q.agencyName(db, agencyCode)) ?? '';

/** A token's subject: a staff username, or `p:<username>` for a portal account. */
export const portalSubject = (username: string) => `p:${username}`;

/**
 * Bearer tokens for the JSON API: payload.hmac, valid 12 hours. The payload names a row of api_tokens, so a token
 * is revocable: logging out everywhere or deactivating a user deletes the rows (api/sessions.ts endSessionsOf).
 */
export async function issueToken(db: Db, secret: string, username: string, ttlMs = 12 * 3600_000): Promise<string> {
  const id = crypto.randomBytes(16).toString('base64url');
  const exp = Date.now() + ttlMs;
  await q.deleteExpiredTokens(db);
  await q.insertToken(db, id, username, new Date(exp));
  const payload = Buffer.from(JSON.stringify({ u: username, exp, id })).toString('base64url');
  const mac = crypto.createHmac('sha256', secret).update(payload).digest('base64url');
  return `${payload}.${mac}`;
}

/** The token's subject when it is genuine, unexpired and not revoked; null otherwise. */
export async function verifyToken(db: Db, secret: string, token: string): Promise<string | null> {
  const [payload, mac] = token.split('.');
  if (!payload || !mac) return null;
  const expected = crypto.createHmac('sha256', secret).update(payload).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  let claims: { u?: unknown; exp?: unknown; id?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const { u, exp, id } = claims;
  if (typeof u !== 'string' || typeof exp !== 'number' || typeof id !== 'string' || exp <= Date.now()) return null;
  const row = await q.liveToken(db, id, u);
  return row ? u : null;
}
