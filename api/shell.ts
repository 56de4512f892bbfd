// The staff shell shared by every staff screen: who is acting (from the session), the CSRF token, the menu for
// the actor's roles, the agency's name and the one-time flash notice, put in res.locals for the layout.
import type { NextFunction, Request, Response } from 'express';
import type { Actor, Role } from '../domain/types.js';
import { agencyNameOf, loadActor, mustChangePassword, workingAgencies } from './auth/service.js';
import { csrfToken } from './http/csrf.js';
import type { AppDeps } from './http/deps.js';
import { actorOf } from './http/guards.js';
import { FEE_REPORT_MENU, FEE_REPORT_ROLES } from './reports/service.js';
import { OVERVIEW_MENU, OVERVIEW_ROLES } from './reports/overview.js';
import { currentProcess } from './process/service.js';
import { reviewSteps, type ProcessDefinition } from '../domain/process.js';

export interface MenuItem { href: string; label: string }

export const MENUS: Record<Role, MenuItem[]> = {
  creator: [
    { href: '/ban-sao/them-moi', label: 'Thêm mới bản sao từ bản chính' },
    { href: '/ho-so/bi-tu-choi', label: 'Hồ sơ bị từ chối' },
    { href: '/lich-hen', label: 'Lịch hẹn chờ duyệt' },
  ],
  reviewer: [], // the review queue comes from the agency's process (menuFor)
  signer: [{ href: '/ho-so/cho-ky', label: 'Bản sao chờ ký' }],
  sealer: [
    { href: '/ho-so/cho-dong-dau', label: 'Bản sao chờ đóng dấu' },
    { href: '/so-chung-thuc', label: 'Quản lý sổ chứng thực' },
    { href: '/gui-lai-email', label: 'Quản lý gửi lại email' },
    { href: '/quan-ly-con-dau', label: 'Quản lý con dấu' },
  ],
  admin: [
    { href: '/quan-tri/co-quan', label: 'Cơ quan, đơn vị' },
    { href: '/quan-tri/quy-trinh', label: 'Cấu hình quy trình' },
    { href: '/quan-tri/loai-giay-to', label: 'Danh mục loại giấy tờ' },
    { href: '/quan-tri/lich', label: 'Lịch làm việc, khung giờ hẹn' },
    { href: '/quan-tri/tai-khoan', label: 'Tài khoản người dùng' },
    { href: '/quan-tri/nhat-ky', label: 'Nhật ký quản trị' },
    { href: '/quan-tri/mau', label: 'Mẫu lời chứng, mẫu sổ' },
    { href: '/quan-tri/nguoi-ky', label: 'Người ký, ký thay' },
    { href: '/quan-tri/webhook', label: 'Webhook' },
    { href: '/quan-tri/chung-thu-so', label: 'Xác nhận chứng thư số' },
  ],
  supervisor: [],
  tester: [{ href: '/kiem-thu/phat-lai', label: 'Kiểm thử phát lại' }],
};
for (const role of FEE_REPORT_ROLES) MENUS[role].push(FEE_REPORT_MENU);
for (const role of OVERVIEW_ROLES) MENUS[role].unshift(OVERVIEW_MENU);

/** Every staff member's last menu item. */
export const TRACKING: MenuItem = { href: '/ho-so/theo-doi', label: 'Theo dõi hồ sơ chứng thực' };

/** The queue of the review steps, for whoever holds the role of one of the agency's review steps. */
export const REVIEW_QUEUE: MenuItem = { href: '/ho-so/cho-kiem-tra', label: 'Bản sao chờ kiểm tra' };

/** The menu of the actor's roles; `process`: the agency's current process, whose review steps add their queue. */
export function menuFor(actor: Actor, process?: Pick<ProcessDefinition, 'steps'>): MenuItem[] {
  const reviews = process ? reviewSteps({ version: 0, separationOfDuties: false, autoDeliver: false, ...process }) : [];
  const reviewing = actor.roles.includes('reviewer') || reviews.some((s) => actor.roles.includes(s.role));
  const items = [...(reviewing ? [REVIEW_QUEUE] : []), ...actor.roles.flatMap((r) => MENUS[r])];
  return [...new Map([...items, TRACKING].map((m) => [m.href, m])).values()]; // one item once, whatever the roles
}

/** "Đổi mật khẩu", where a user who must change the password is sent (api/accounts/screens.ts). */
export const PASSWORD_SCREEN = '/doi-mat-khau';
/** What such a user may still open: the password screen, logging out, and what needs no staff login. */
const BEFORE_PASSWORD_CHANGE = /^\/(doi-mat-khau|dang-xuat|dang-nhap|cong-dan|static|xac-thuc|tai-ve)(\/|$|\?)/;

/** Who is acting: always from the session. Runs before every screen, the citizen portal's included. */
export function staffShell(deps: AppDeps) {
  const { db } = deps;
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const username = req.session?.uid as string | undefined;
      res.locals.actor = username ? await loadActor(db, username, req.session?.agency) : null;
      res.locals.csrf = csrfToken(req);
      res.locals.demo = deps.config.mode === 'demo';
      if (res.locals.actor) {
        res.locals.menu = menuFor(res.locals.actor, await currentProcess(db, res.locals.actor.agencyCode));
        res.locals.agencyName = await agencyNameOf(db, res.locals.actor.agencyCode);
        // Roles in several agencies: the header offers the working agency (the session keeps the choice).
        const agencies = await workingAgencies(db, res.locals.actor.username);
        res.locals.workingAgencies = agencies.length > 1 ? agencies : [];
        if (!BEFORE_PASSWORD_CHANGE.test(req.path) && (await mustChangePassword(db, res.locals.actor.username))) {
          return res.redirect(303, PASSWORD_SCREEN);
        }
      }
      res.locals.flash = req.session?.flash ?? null;
      if (req.session?.flash) req.session.flash = null;
      next();
    } catch (e) { next(e); }
  };
}

/** GET / (after needLogin): the first screen of the actor's menu. */
export const home = (_req: Request, res: Response) => res.redirect(303, ((res.locals.menu as MenuItem[] | undefined) ?? menuFor(actorOf(res)))[0].href);
