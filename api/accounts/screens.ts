// Screens of accounts: "Quản trị → Tài khoản người dùng" (the accounts of the administrator's scope, by agency;
// add an account; edit its details, roles per agency, active; reset its password), "Đổi mật khẩu" (a user's own
// change, where a user who must change the password is sent by the shell), and the header's choice of working
// agency. Forms post and redirect (post/redirect/get) and work without JavaScript; a refusal renders the form
// again with its message.
import express, { type Request, type Response } from 'express';
import { ROLE_LABELS, ROLES, type Role } from '../../domain/types.js';
import { checkWorkingAgency } from '../auth/service.js';
import { ADMIN_ONLY } from '../admin/service.js';
import type { AppDeps } from '../http/deps.js';
import { actorOf, flash, needLogin, staffOnly } from '../http/guards.js';
import { renderAgainOnRefusal } from '../http/render-again.js';
import { startSession } from '../http/sessions.js';
import { parse } from '../http/schemas.js';
import { passwordChange, userBody, userListQuery, userParams, userPatch } from './schemas.js';
import { changeOwnPassword, createUser, getUser, listUsers, roleAgencyOptions, updateUser, type UserView } from './service.js';
import { DomainError } from '../../domain/errors.js';

const USERS = '/quan-tri/tai-khoan';
const PASSWORD = '/doi-mat-khau';
const SECTION = 'Quản trị';

/** The form as typed: strings, and the checked roles (name "roles", value "<agency>|<role>"). */
function formOf(body: unknown): { fields: Record<string, string>; roles: { agencyCode: string; role: Role }[] } {
  const b = (body ?? {}) as Record<string, unknown>;
  const fields = Object.fromEntries(Object.entries(b).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  const checked = (Array.isArray(b.roles) ? b.roles : typeof b.roles === 'string' ? [b.roles] : []).filter((v): v is string => typeof v === 'string');
  const roles = checked.map((v) => { const i = v.lastIndexOf('|'); return { agencyCode: v.slice(0, i), role: v.slice(i + 1) as Role }; })
    .filter((r) => r.agencyCode && ROLES.includes(r.role));
  return { fields, roles };
}

const roleKey = (r: { agencyCode: string; role: string }) => `${r.agencyCode}|${r.role}`;

export function accountScreens(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;
  const only = staffOnly('admin', ADMIN_ONLY);

  async function renderForm(res: Response, o: { user?: UserView; fields: Record<string, string>; roles: { agencyCode: string; role: string }[]; status?: number; error?: string; field?: string }) {
    const agencies = await roleAgencyOptions(db, actorOf(res));
    const mine = new Set(agencies.map((a) => a.code));
    const checked = new Set(o.roles.map(roleKey));
    res.status(o.status ?? 200).render('admin-user-form.njk', {
      title: o.user ? 'Sửa tài khoản người dùng' : 'Thêm tài khoản người dùng', section: SECTION, active: USERS,
      user: o.user, form: o.fields, error: o.error, field: o.field,
      agencies: agencies.map((a) => ({
        ...a, marks: '— '.repeat(a.depth),
        roles: ROLES.map((role) => ({ role, label: ROLE_LABELS[role], value: `${a.code}|${role}`, checked: checked.has(`${a.code}|${role}`) })),
      })),
      // Roles held in agencies outside the scope: shown; such an account is changed by an admin above (403 here).
      otherRoles: (o.user?.roles ?? []).filter((x) => !mine.has(x.agencyCode)).map((x) => ({ agencyCode: x.agencyCode, label: ROLE_LABELS[x.role] })),
    });
  }

  const fieldsOf = (u: UserView): Record<string, string> => ({ fullName: u.fullName, title: u.title, idNumber: u.idNumber ?? '', email: u.email ?? '', active: u.active ? 'true' : '' });

  r.get(USERS, ...only, async (req, res, next) => {
    try {
      const agencyCode = parse(userListQuery, { agencyCode: req.query.coQuan }).agencyCode;
      const agencies = await roleAgencyOptions(db, actorOf(res));
      const users = await listUsers(db, actorOf(res), { agencyCode: agencyCode || undefined });
      const names = new Map(agencies.map((a) => [a.code, a.name]));
      res.render('admin-users.njk', {
        title: 'Tài khoản người dùng', section: SECTION, active: USERS, agencyCode,
        agencies: agencies.map((a) => ({ ...a, marks: '— '.repeat(a.depth) })),
        users: users.map((u) => ({
          ...u, agencyName: names.get(u.agencyCode) ?? u.agencyCode,
          roleLabels: u.roles.map((x) => `${ROLE_LABELS[x.role]}${x.agencyCode !== u.agencyCode ? ` (${names.get(x.agencyCode) ?? x.agencyCode})` : ''}`),
        })),
      });
    } catch (e) { next(e); }
  });

  r.get(`${USERS}/them-moi`, ...only, async (req, res, next) => {
    try {
      const agencyCode = typeof req.query.coQuan === 'string' ? req.query.coQuan : '';
      await renderForm(res, { fields: { agencyCode }, roles: [] });
    } catch (e) { next(e); }
  });

  r.post(USERS, ...only, (req: Request, res: Response, next) => {
    const { fields, roles } = formOf(req.body);
    return renderAgainOnRefusal(res, next, async () => {
      const b = parse(userBody, { ...fields, roles });
      const u = await createUser(db, actorOf(res), { ...b, agencyCode: b.agencyCode || undefined });
      flash(req, `Đã thêm tài khoản ${u.username} (${u.fullName}). Người dùng sẽ phải đổi mật khẩu ở lần đăng nhập đầu tiên.`);
      res.redirect(303, USERS);
    }, (status, message, e) => renderForm(res, { fields: { ...fields, password: '' }, roles, status, error: message, field: e.field }));
  });

  r.get(`${USERS}/:username/sua`, ...only, async (req, res, next) => {
    try {
      const u = await getUser(db, actorOf(res), parse(userParams, req.params).username);
      await renderForm(res, { user: u, fields: fieldsOf(u), roles: u.roles });
    } catch (e) { next(e); }
  });

  r.post(`${USERS}/:username/sua`, ...only, async (req, res, next) => {
    const { fields, roles } = formOf(req.body);
    try {
      const u = await getUser(db, actorOf(res), parse(userParams, req.params).username); // 404 outside the scope
      await renderAgainOnRefusal(res, next, async () => {
        const patch = parse(userPatch, {
          fullName: fields.fullName, title: fields.title, idNumber: fields.idNumber, email: fields.email,
          active: fields.active === 'true' ? 'true' : 'false', roles,
        });
        const saved = await updateUser(db, actorOf(res), u.username, patch);
        flash(req, `Đã lưu tài khoản ${saved.username} (${saved.fullName}).`);
        res.redirect(303, USERS);
      }, (status, message, e) => renderForm(res, { user: u, fields, roles, status, error: message, field: e.field }));
    } catch (e) { next(e); }
  });

  r.post(`${USERS}/:username/dat-lai-mat-khau`, ...only, async (req, res, next) => {
    const { fields } = formOf(req.body);
    try {
      const u = await getUser(db, actorOf(res), parse(userParams, req.params).username);
      await renderAgainOnRefusal(res, next, async () => {
        const { password } = parse(userPatch, { password: fields.password ?? '' });
        await updateUser(db, actorOf(res), u.username, { password });
        flash(req, `Đã đặt lại mật khẩu của ${u.username}: người dùng sẽ phải đổi mật khẩu ở lần đăng nhập tiếp theo.`);
        res.redirect(303, `${USERS}/${encodeURIComponent(u.username)}/sua`);
      }, (status, message) => renderForm(res, { user: u, fields: fieldsOf(u), roles: u.roles, status, error: message, field: 'password' }));
    } catch (e) { next(e); }
  });

  // Đổi mật khẩu: any staff user; the shell sends here whoever must change it first.
  const renderPassword = (res: Response, status = 200, error?: string, field?: string) =>
    res.status(status).render('password-change.njk', { title: 'Đổi mật khẩu', active: PASSWORD, error, field });
  r.get(PASSWORD, needLogin, (_req, res) => renderPassword(res));
  r.post(PASSWORD, needLogin, (req, res, next) => renderAgainOnRefusal(res, next, async () => {
    const { currentPassword, newPassword } = parse(passwordChange, req.body ?? {});
    if (newPassword !== String(req.body?.confirmPassword ?? '')) throw new DomainError('validation', 'Mật khẩu nhập lại không khớp với mật khẩu mới.', 'confirmPassword');
    const { username, agencyCode } = actorOf(res);
    await changeOwnPassword(db, username, currentPassword, newPassword);
    // Every session made with the old password has ended, this one too: the user goes on in a fresh one.
    await startSession(req, { uid: username });
    req.session.agency = agencyCode;
    flash(req, 'Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc.');
    res.redirect(303, '/');
  }, (status, message, e) => renderPassword(res, status, message, e.field)));

  // The header's working agency: one where the user holds a role; the session keeps it (api/shell.ts reads it).
  r.post('/co-quan-lam-viec', needLogin, async (req, res, next) => {
    try {
      const code = await checkWorkingAgency(db, actorOf(res).username, String(req.body?.agencyCode ?? ''));
      req.session.agency = code;
      flash(req, 'Đã chuyển đơn vị làm việc.');
      res.redirect(303, '/');
    } catch (e) { next(e); }
  });
  return r;
}
