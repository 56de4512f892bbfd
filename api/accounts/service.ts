// The use cases of accounts and roles, shared by the screens and the JSON API: list, create and edit the staff
// accounts of the acting administrator's scope, their roles per agency, deactivation (sessions and tokens end in
// the same transaction) and a password reset (the user changes it at the next login); and a user's own change
// of password.
//
// Scope (api/admin/service.ts): a user belongs to its home agency (users.agency_code) and is in the scope when
// that agency is; every agency a role is given in must be in the scope too. Anything outside is answered 404.
// A user who also holds a role in an agency outside the actor's scope is shown but not changed (403): a new
// password would hand that role over. Every accepted change is recorded (recordedChange), never with a
// password or its hash: `passwordReset: true` says that one was set.
import bcrypt from 'bcryptjs';
import type { AccountRecord } from '../../domain/admin-audit.js';
import { DomainError } from '../../domain/errors.js';
import type { Actor, Role } from '../../domain/types.js';
import type { Db } from '../../lib/db.js';
import { deleteSessionsAndTokens } from '../http/sessions.js';
import { getAgency, inScope, listAgencies, recordedChange, scopeOf } from '../admin/service.js';
import * as q from './queries.js';

export const PASSWORD_MIN = 10;
const BCRYPT_COST = 10;
const NOT_IN_SCOPE = (username: string) => `Không tìm thấy tài khoản ${username} trong phạm vi quản trị của bạn.`;
const AGENCY_NOT_IN_SCOPE = (code: string) => `Không tìm thấy cơ quan, đơn vị ${code} trong phạm vi quản trị của bạn.`;

export interface UserView extends AccountRecord { mustChangePassword: boolean; createdAt: string }
export interface UserInput {
  username: string; password: string; fullName: string; title?: string; idNumber?: string | null; email?: string | null;
  roles: { agencyCode: string; role: Role }[]; agencyCode?: string;
}
export interface UserPatch {
  fullName?: string; title?: string; idNumber?: string | null; email?: string | null; active?: boolean;
  roles?: { agencyCode: string; role: Role }[]; password?: string;
}

/** One role once, in a stable order (agency, then role), so that before and after compare field by field. */
function normalRoles(roles: { agencyCode: string; role: Role }[]) {
  const seen = new Map(roles.map((r) => [`${r.agencyCode}|${r.role}`, { agencyCode: r.agencyCode, role: r.role }]));
  return [...seen.values()].sort((a, b) => a.agencyCode.localeCompare(b.agencyCode) || a.role.localeCompare(b.role));
}

const recordOf = (u: q.UserRow, roles: { agencyCode: string; role: Role }[]): AccountRecord => ({
  username: u.username, fullName: u.full_name, title: u.title, idNumber: u.id_number, email: u.email, agencyCode: u.agency_code,
  active: u.active, roles: normalRoles(roles),
});
const viewOf = (u: q.UserRow, roles: { agencyCode: string; role: Role }[]): UserView => ({
  ...recordOf(u, roles), mustChangePassword: u.must_change_password, createdAt: new Date(u.created_at).toISOString(),
});

/** The password's rules (a 400 naming `field` otherwise). */
export function checkPassword(password: string, username: string, field = 'password') {
  if (password.length < PASSWORD_MIN) throw new DomainError('validation', `Mật khẩu phải có ít nhất ${PASSWORD_MIN} ký tự.`, field);
  if (password.toLowerCase().includes(username.toLowerCase())) throw new DomainError('validation', 'Mật khẩu không được chứa tên đăng nhập.', field);
}

/** Every agency named is in the scope (404 naming `field` otherwise) and active (409: no new account or role there). */
async function checkAgencies(db: Db, actor: Actor, codes: string[], field: string) {
  for (const code of new Set(codes)) {
    const agency = (await inScope(db, actor, code)) ? await getAgency(db, actor, code) : null;
    if (!agency) throw new DomainError('not_found', AGENCY_NOT_IN_SCOPE(code), field);
    if (!agency.active) throw new DomainError('wrong_state', `“${agency.name}” đã ngừng hoạt động: không thêm tài khoản hay quyền tại đó được.`, field);
  }
}

/** The users whose home agency is in the scope (or is `agencyCode`, which must be in it), with all their roles. */
export async function listUsers(db: Db, actor: Actor, filter: { agencyCode?: string } = {}): Promise<UserView[]> {
  const scope = await listAgencies(db, actor);
  if (filter.agencyCode && !scope.some((a) => a.code === filter.agencyCode)) throw new DomainError('not_found', AGENCY_NOT_IN_SCOPE(filter.agencyCode), 'agencyCode');
  const users = await q.usersOf(db, filter.agencyCode ? [filter.agencyCode] : scope.map((a) => a.code));
  const roles = await q.rolesOfUsers(db, users.map((u) => u.username));
  return users.map((u) => viewOf(u, roles.filter((r) => r.username === u.username)));
}

/** A user of the scope, locked when `trx` is a transaction that changes it (404 outside the scope). */
async function userInScope(db: Db, actor: Actor, username: string, lock = false) {
  const user = lock ? await q.lockUser(db, username) : await q.findUser(db, username);
  if (!user || !(await inScope(db, actor, user.agency_code))) throw new DomainError('not_found', NOT_IN_SCOPE(username));
  const roles = (await q.rolesOfUsers(db, [username])).map(({ agencyCode, role }) => ({ agencyCode, role }));
  return { user, roles };
}

export async function getUser(db: Db, actor: Actor, username: string): Promise<UserView> {
  const { user, roles } = await userInScope(db, actor, username);
  return viewOf(user, roles);
}

export async function createUser(db: Db, actor: Actor, input: UserInput): Promise<UserView> {
  scopeOf(actor);
  const roles = normalRoles(input.roles);
  const home = input.agencyCode || roles[0]?.agencyCode;
  if (!home) throw new DomainError('validation', 'Vui lòng chọn đơn vị của tài khoản và ít nhất một quyền.', 'roles');
  checkPassword(input.password, input.username);
  const passwordHash = await bcrypt.hash(input.password, BCRYPT_COST); // outside the transaction: it takes a while
  return recordedChange(db, actor, async (trx) => {
    await checkAgencies(trx, actor, [home], input.agencyCode ? 'agencyCode' : 'roles');
    await checkAgencies(trx, actor, roles.map((r) => r.agencyCode), 'roles');
    if ((await q.findUser(trx, input.username)) || (await q.takenByPortalAccount(trx, input.username))) {
      throw new DomainError('conflict', `Tên đăng nhập ${input.username} đã được dùng: chọn tên khác.`, 'username');
    }
    const fields = { username: input.username, fullName: input.fullName, title: input.title ?? '', idNumber: input.idNumber ?? null, email: input.email ?? null, agencyCode: home };
    try {
      await q.insertUser(trx, { ...fields, passwordHash });
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new DomainError('conflict', `Tên đăng nhập ${input.username} đã được dùng: chọn tên khác.`, 'username');
      throw e;
    }
    await q.replaceRoles(trx, input.username, [], roles);
    const user = (await q.findUser(trx, input.username))!;
    const after = recordOf(user, roles);
    return { value: viewOf(user, roles), agencyCode: home, event: { entity: 'user', entityId: user.username, action: 'created', before: null, after } };
  });
}

/**
 * Edits a user of the scope whose roles are all in the scope (403 otherwise): a field left out keeps its value.
 * `roles` replaces its roles; `active: false` also ends its sessions and API tokens, and `password` sets a new one that the user must
 * change at the next login (its sessions and tokens end too). An admin neither deactivates itself nor gives up
 * its own admin role (409). Nothing changed: nothing recorded.
 */
export async function updateUser(db: Db, actor: Actor, username: string, patch: UserPatch): Promise<UserView> {
  scopeOf(actor);
  if (patch.password !== undefined) checkPassword(patch.password, username);
  const passwordHash = patch.password !== undefined ? await bcrypt.hash(patch.password, BCRYPT_COST) : null;
  const self = username === actor.username;
  if (self && patch.active === false) throw new DomainError('conflict', 'Bạn không tự ngừng hoạt động tài khoản của mình được: nhờ một quản trị viên khác.', 'active');
  if (self && patch.roles && !patch.roles.some((r) => r.agencyCode === actor.agencyCode && r.role === 'admin')) {
    throw new DomainError('conflict', 'Bạn không tự bỏ quyền quản trị của mình được: nhờ quản trị viên cấp trên.', 'roles');
  }
  return recordedChange(db, actor, async (trx) => {
    const { user, roles: held } = await userInScope(trx, actor, username, true);
    // A role above the actor's scope would let it take that power over (a new password, then log in): such an
    // account is changed by an admin whose scope holds all of its roles.
    for (const r of held) {
      if (!(await inScope(trx, actor, r.agencyCode))) {
        throw new DomainError('forbidden', `Tài khoản ${username} có quyền tại đơn vị ngoài phạm vi quản trị của bạn (${r.agencyCode}): chỉ quản trị viên quản lý cả đơn vị đó mới sửa được.`);
      }
    }
    const before = recordOf(user, held);
    let roles = before.roles;
    if (patch.roles) {
      // Roles in an agency that stopped stay as they are; a new one needs an active agency of the scope.
      const added = patch.roles.filter((r) => !held.some((x) => x.agencyCode === r.agencyCode));
      for (const r of patch.roles) if (!(await inScope(trx, actor, r.agencyCode))) throw new DomainError('not_found', AGENCY_NOT_IN_SCOPE(r.agencyCode), 'roles');
      await checkAgencies(trx, actor, added.map((r) => r.agencyCode), 'roles');
      roles = normalRoles(patch.roles);
    }
    const after: AccountRecord = {
      ...before,
      ...(patch.fullName !== undefined ? { fullName: patch.fullName } : {}),
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.idNumber !== undefined ? { idNumber: patch.idNumber } : {}),
      ...(patch.email !== undefined ? { email: patch.email } : {}),
      ...(patch.active !== undefined ? { active: patch.active } : {}),
      roles,
      ...(passwordHash ? { passwordReset: true as const } : {}),
    };
    const changed = JSON.stringify(before) !== JSON.stringify(after);
    if (!changed) return { value: viewOf(user, held), agencyCode: user.agency_code, event: null };
    await q.updateUser(trx, username, after);
    if (patch.roles) await q.replaceRoles(trx, username, [...new Set(held.map((r) => r.agencyCode))], roles);
    if (passwordHash) await q.setPassword(trx, username, passwordHash, true);
    // Deactivated or given a new password: whatever was logged in with the old state stops now.
    if ((before.active && !after.active) || passwordHash) await deleteSessionsAndTokens(trx, 'staff', username);
    const now = (await q.findUser(trx, username))!;
    const action = before.active !== after.active ? (after.active ? 'reactivated' : 'deactivated') : 'updated';
    return { value: viewOf(now, roles), agencyCode: user.agency_code, event: { entity: 'user', entityId: username, action, before, after } };
  });
}

/**
 * A user changes its own password (the current one checked); it no longer has to change it, and every session and
 * API token made with the old one ends in the same transaction (the caller opens a fresh one for the user).
 */
export async function changeOwnPassword(db: Db, username: string, currentPassword: string, newPassword: string): Promise<void> {
  const hash = await q.passwordHashOf(db, username);
  if (!hash || !(await bcrypt.compare(currentPassword, hash))) throw new DomainError('validation', 'Mật khẩu hiện tại không đúng.', 'currentPassword');
  checkPassword(newPassword, username, 'newPassword');
  if (newPassword === currentPassword) throw new DomainError('validation', 'Mật khẩu mới phải khác mật khẩu hiện tại.', 'newPassword');
  const next = await bcrypt.hash(newPassword, BCRYPT_COST);
  await db.transaction().execute(async (trx) => {
    await q.setPassword(trx, username, next, false);
    await deleteSessionsAndTokens(trx, 'staff', username);
  });
}

/** The agencies of the scope that roles can be given in (active ones), in tree order, for the forms. */
export async function roleAgencyOptions(db: Db, actor: Actor) {
  return (await listAgencies(db, actor)).filter((a) => a.active).map((a) => ({ code: a.code, name: a.name, depth: a.depth }));
}
