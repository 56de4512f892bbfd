// Staff and portal logins, API tokens and login throttling. The acting user always comes from here, never from a form.
import bcrypt from 'bcryptjs';
import crypto from 'node:crypto';
import { DomainError } from '../../domain/errors.js';
import type { Actor, Role } from '../../domain/types.js';
import type { Db } from '../../lib/db.js';
import { parse } from '../http/schemas.js';
import { loginBody } from './schemas.js';
import * as q from './queries.js';

/**
 * The acting staff user, working in one agency: `agencyCode` (chosen in the header, or carried by a token) when the
 * user holds a role there, else the home agency when it holds one there, else the first agency where it holds one
 * (else the home agency, with no role). The roles are those held in the working agency only.
 */
export async function loadActor(db: Db, username: string, agencyCode?: string): Promise<Actor | null> {
  const user = await q.activeUser(db, username);
  if (!user) return null;
  const held = await q.allRolesOf(db, username);
  const agencies = [...new Set(held.map((r) => r.agency_code))];
  const working = agencyCode && agencies.includes(agencyCode) ? agencyCode
    : agencies.includes(user.agency_code) ? user.agency_code : agencies[0] ?? user.agency_code;
  const roles = held.filter((r) => r.agency_code === working);
  return { username: user.username, fullName: user.full_name, agencyCode: working, roles: roles.map((r) => r.role as Role), title: user.title };
}

/** The agencies where the user holds a role, by name: the header's choice of working agency. */
export const workingAgencies = (db: Db, username: string) => q.roleAgencies(db, username);

/** Whether the user must change the password before anything else (an account made or reset by an admin). */
export const mustChangePassword = async (db: Db, username: string) => Boolean((await q.activeUser(db, username))?.must_change_password);

/** The agency a staff user asks to work in: one where it holds a role (403 otherwise, 400 when unknown). */
export async function checkWorkingAgency(db: Db, username: string, agencyCode: string): Promise<string> {
  const agencies = await q.roleAgencies(db, username);
  if (!agencies.some((a) => a.code === agencyCode)) {
    throw new DomainError('forbidden', `Bạn không có quyền nào tại cơ quan, đơn vị ${agencyCode}: không làm việc tại đó được.`, 'agencyCode');
  }
  return agencyCode;
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
export async function issueToken(db: Db, secret: string, username: string, ttlMs = 12 * 3600_000, agencyCode?: string): Promise<string> {
  const id = crypto.randomBytes(16).toString('base64url');
  const exp = Date.now() + ttlMs;
  await q.deleteExpiredTokens(db);
  await q.insertToken(db, id, username, new Date(exp));
  // The working agency (a): signed with the rest, so it cannot be changed without a new login.
  const payload = Buffer.from(JSON.stringify({ u: username, exp, id, ...(agencyCode ? { a: agencyCode } : {}) })).toString('base64url');
  const mac = crypto.createHmac('sha256', secret).update(payload).digest('base64url');
  return `${payload}.${mac}`;
}

/** The token's subject when it is genuine, unexpired and not revoked; null otherwise. */
export async function verifyToken(db: Db, secret: string, token: string): Promise<string | null> {
  return (await verifyTokenClaims(db, secret, token))?.subject ?? null;
}

/** The token's subject and the working agency it carries (if any), when it is genuine, unexpired and not revoked. */
export async function verifyTokenClaims(db: Db, secret: string, token: string): Promise<{ subject: string; agencyCode?: string } | null> {
  const [payload, mac] = token.split('.');
  if (!payload || !mac) return null;
  const expected = crypto.createHmac('sha256', secret).update(payload).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  let claims: { u?: unknown; exp?: unknown; id?: unknown; a?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const { u, exp, id, a } = claims;
  if (typeof u !== 'string' || typeof exp !== 'number' || typeof id !== 'string' || exp <= Date.now()) return null;
  const row = await q.liveToken(db, id, u);
  return row ? { subject: u, ...(typeof a === 'string' ? { agencyCode: a } : {}) } : null;
}
