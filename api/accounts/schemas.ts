// What the account routes accept (screens and API alike): an account to create (POST), an edit (PATCH: a field
// left out keeps its value), a username in the path, the list's filter, and a user's own password change. The
// rules that need the database or the actor (scope, duplicates, the password's rules, oneself) are checked and
// explained by api/accounts/service.ts.
import { z } from 'zod';
import { ROLES, type Role } from '../../domain/types.js';
import { object, oneOf, optionalText, password, text } from '../http/schemas.js';

export const USERNAME_MESSAGE = 'Tên đăng nhập gồm 3 đến 32 ký tự: chữ thường không dấu (a–z), chữ số, dấu chấm, gạch dưới hoặc gạch ngang.';
const ID_NUMBER_MESSAGE = 'Số CMND/CCCD gồm 9 chữ số (CMND) hoặc 12 chữ số (CCCD).';
const EMAIL_MESSAGE = 'Thư điện tử không hợp lệ (ví dụ: canbo@example.vn).';
const ACTIVE_MESSAGE = 'Trường "Đang hoạt động" (active) phải là true hoặc false.';
const ROLES_MESSAGE = 'Quyền (roles) là danh sách {agencyCode, role}.';

export const isUsername = (v: string) => /^[a-z0-9._-]{3,32}$/.test(v);

const username = text('Tên đăng nhập', 100).transform((v, ctx) => {
  if (isUsername(v)) return v;
  ctx.addIssue({ code: 'custom', message: USERNAME_MESSAGE });
  return z.NEVER;
});
const fullName = text('Họ và tên', 200);
const title = optionalText('Chức danh', 200);
const idNumber = optionalText('Số CMND/CCCD', 20).transform((v, ctx) => {
  if (v === '' || /^(\d{9}|\d{12})$/.test(v)) return v || null;
  ctx.addIssue({ code: 'custom', message: ID_NUMBER_MESSAGE });
  return z.NEVER;
});
const email = optionalText('Thư điện tử', 200).transform((v, ctx) => {
  if (v === '' || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) return v || null;
  ctx.addIssue({ code: 'custom', message: EMAIL_MESSAGE });
  return z.NEVER;
});
const agencyCode = text('Đơn vị', 100);
const role = oneOf('Quyền', ROLES, `Quyền (role) phải là một trong: ${ROLES.join(', ')}.`).transform((v, ctx) => {
  if (v) return v as Role;
  ctx.addIssue({ code: 'custom', message: `Quyền (role) phải là một trong: ${ROLES.join(', ')}.` });
  return z.NEVER;
});
const roles = z.array(object({ agencyCode, role }), { error: ROLES_MESSAGE }).max(200, { message: 'Quá nhiều quyền.' });
const active = z.union([z.boolean(), z.enum(['true', 'false'])], { error: ACTIVE_MESSAGE }).optional()
  .transform((v) => (v === undefined ? undefined : v === true || v === 'true'));

export const userBody = object({
  username, password, fullName, title, idNumber, email, roles,
  /** The home agency (users.agency_code): the first role's agency when left out. */
  agencyCode: optionalText('Đơn vị', 100),
});

export const userPatch = object({
  fullName: fullName.optional(), title: title.optional(), idNumber: idNumber.optional(), email: email.optional(),
  active, roles: roles.optional(),
  /** A new password set by the admin: the user changes it at the next login. */
  password: z.unknown().optional().transform((v, ctx) => {
    if (v === undefined) return undefined;
    const r = password.safeParse(v);
    if (r.success) return r.data;
    ctx.addIssue({ code: 'custom', message: r.error.issues[0].message });
    return z.NEVER;
  }),
});

export const userParams = object({ username: text('Tên đăng nhập', 100) });

/** GET /admin/users and "Tài khoản người dùng": the users of one agency of the scope (its home agency), or all. */
export const userListQuery = object({ agencyCode: optionalText('Đơn vị', 100) });

/** POST /auth/password and "Đổi mật khẩu". */
export const passwordChange = object({ currentPassword: password, newPassword: password });
