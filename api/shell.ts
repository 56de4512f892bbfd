// The staff shell shared by every staff screen: who is acting (from the session), the CSRF token, the menu for
// the actor's roles, the agency's name and the one-time flash notice, put in res.locals for the layout.
import type { NextFunction, Request, Response } from 'express';
import type { Actor, Role } from '../domain/types.js';
import { agencyNameOf, loadActor } from './auth/service.js';
import { csrfToken } from './http/csrf.js';
import type { AppDeps } from './http/deps.js';
import { actorOf } from './http/guards.js';
import { FEE_REPORT_MENU, FEE_REPORT_ROLES } from './reports/service.js';

export interface MenuItem { href: string; label: string }

export const MENUS: Record<Role, MenuItem[]> = {
  creator: [
    { href: '/ban-sao/them-moi', label: 'Thêm mới bản sao từ bản chính' },
    { href: '/ho-so/bi-tu-choi', label: 'Hồ sơ bị từ chối' },
    { href: '/lich-hen', label: 'Lịch hẹn chờ duyệt' },
  ],
  reviewer: [],
  signer: [{ href: '/ho-so/cho-ky', label: 'Bản sao chờ ký' }],
  sealer: [
    { href: '/ho-so/cho-dong-dau', label: 'Bản sao chờ đóng dấu' },
    { href: '/so-chung-thuc', label: 'Quản lý sổ chứng thực' },
    { href: '/gui-lai-email', label: 'Quản lý gửi lại email' },
    { href: '/quan-ly-con-dau', label: 'Quản lý con dấu' },
  ],
  admin: [
    { href: '/quan-tri/co-quan', label: 'Cơ quan, đơn vị' },
    { href: '/quan-tri/nhat-ky', label: 'Nhật ký quản trị' },
    { href: '/quan-tri/mau', label: 'Mẫu lời chứng, mẫu sổ' },
    { href: '/quan-tri/chung-thu-so', label: 'Xác nhận chứng thư số' },
  ],
  supervisor: [],
  tester: [],
};
for (const role of FEE_REPORT_ROLES) MENUS[role].push(FEE_REPORT_MENU);

/** Every staff member's last menu item. */
export const TRACKING: MenuItem = { href: '/ho-so/theo-doi', label: 'Theo dõi hồ sơ chứng thực' };

export function menuFor(actor: Actor): MenuItem[] {
  const items = actor.roles.flatMap((r) => MENUS[r]);
  return [...new Map([...items, TRACKING].map((m) => [m.href, m])).values()]; // one item once, whatever the roles
}

/** Who is acting: always from the session. Runs before every screen, the citizen portal's included. */
export function staffShell(deps: AppDeps) {
  const { db } = deps;
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const username = req.session?.uid as string | undefined;
      res.locals.actor = username ? await loadActor(db, username) : null;
      res.locals.csrf = csrfToken(req);
      res.locals.demo = deps.config.mode === 'demo';
      if (res.locals.actor) {
        res.locals.menu = menuFor(res.locals.actor);
        res.locals.agencyName = await agencyNameOf(db, res.locals.actor.agencyCode);
      }
      res.locals.flash = req.session?.flash ?? null;
      if (req.session?.flash) req.session.flash = null;
      next();
    } catch (e) { next(e); }
  };
}

/** GET / (after needLogin): the first screen of the actor's menu. */
export const home = (_req: Request, res: Response) => res.redirect(303, menuFor(actorOf(res))[0].href);
