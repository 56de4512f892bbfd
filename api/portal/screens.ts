// Citizen portal (SPEC §5 "Citizen portal"): a citizen or business logs in with its portal (DVCQG) account, books an
// appointment (agency, document type, day, one of the FREE slots), sees its appointments with any new time and
// reason, cancels one before its time, reads its notifications and downloads its e-copies.
// Mounted at /cong-dan by the web app; appointments come only through api/appointments/service.ts (deps.appointments),
// the rest of its SQL is in ./queries.ts. The session's `pid` (portal account) is a citizen session; a staff session
// (`uid`) is not one, and logging in here replaces the whole session. CSRF: the app's csrfMiddleware checks every
// POST (`_csrf` field, or the X-CSRF-Token header that htmx sends from <body hx-headers>).
import crypto from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { APPOINTMENT_STATUS_LABELS, formatSlot, slotInstant } from '../../domain/appointments.js';
import { isWorkingDay } from '../../domain/calendar.js';
import { parseVnDate, vnDate, vnIsoDate } from '../../domain/vn-time.js';
import { DomainError, HTTP_STATUS } from '../../domain/errors.js';
import { loadPortalUser, verifyCitizenLogin, type PortalUser } from '../auth/service.js';
import type { AppDeps } from '../http/deps.js';
import { str } from '../http/fields.js';
import { flash } from '../http/guards.js';
import { localPath } from '../http/local-path.js';
import { renderAgainOnRefusal } from '../http/render-again.js';
import { endSession, startSession } from '../http/sessions.js';
import * as q from './queries.js';

const BASE = '/cong-dan';
export const PORTAL_MENU = [
  { href: `${BASE}/dat-lich`, label: 'Đặt lịch hẹn chứng thực' },
  { href: `${BASE}/lich-hen`, label: 'Lịch hẹn của tôi' },
  { href: `${BASE}/thong-bao`, label: 'Thông báo' },
  { href: `${BASE}/ban-sao`, label: 'Bản sao điện tử của tôi' },
];
const WEEKDAYS = ['Chủ nhật', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy'];

/** Where to go after logging in: only a page of the portal itself. */
function safeNext(v: unknown): string {
  return localPath(str(v), BASE) ?? BASE;
}

function dayLabel(isoDay: string): string {
  const [y, m, d] = isoDay.split('-');
  return `${WEEKDAYS[new Date(`${isoDay}T00:00:00Z`).getUTCDay()]}, ${d}/${m}/${y}`;
}

export function portalScreens(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;
  const svc = deps.appointments;
  const citizen = (res: Response) => res.locals.citizen as PortalUser;

  // Who is here: the portal account of the session, never a staff user.
  r.use(async (req, res, next) => {
    try {
      const pid = req.session?.pid;
      const user = pid ? await loadPortalUser(db, pid) : null;
      res.locals.citizen = user;
      res.locals.actor = null; // the staff header and menu are not shown here, whoever else is logged in
      res.locals.menu = null;
      res.locals.portalMenu = PORTAL_MENU;
      res.locals.unread = user ? await q.unreadNotifications(db, user.username) : 0;
      next();
    } catch (e) { next(e); }
  });

  const needCitizen = (req: Request, res: Response, next: NextFunction) => {
    if (res.locals.citizen) return next();
    const login = `${BASE}/dang-nhap?next=${encodeURIComponent(req.originalUrl)}`;
    if (req.get('hx-request') && req.method === 'GET' && !req.get('hx-boosted')) { res.set('HX-Redirect', login); return res.status(204).end(); }
    res.redirect(303, login);
  };

  // --- Đăng nhập / Đăng xuất ---
  r.get('/dang-nhap', (req, res) => {
    if (res.locals.citizen) return res.redirect(303, safeNext(req.query.next));
    res.render('portal-login.njk', { title: 'Đăng nhập Cổng dịch vụ công', next: safeNext(req.query.next) });
  });
  r.post('/dang-nhap', (req, res, next) => {
    const body = (req.body ?? {}) as Record<string, string>;
    return renderAgainOnRefusal(res, next, async () => {
      const u = await verifyCitizenLogin(db, deps.throttle, req.ip ?? '', body.username, body.password);
      // A fresh session on login (no fixation, and any staff session ends here); the CSRF token is renewed too.
      await startSession(req, { pid: u.username });
      res.redirect(303, safeNext(body.next ?? req.query.next));
    }, (status, message) => res.status(status).render('portal-login.njk', {
      title: 'Đăng nhập Cổng dịch vụ công', error: message, username: str(body.username), next: safeNext(body.next),
    }), []);
  });
  r.post('/dang-xuat', async (req, res) => {
    if (req.session.pid) await endSession(req, res);
    res.redirect(303, `${BASE}/dang-nhap`);
  });

  r.get('/', needCitizen, (_req, res) => res.redirect(303, `${BASE}/lich-hen`));

  // --- Đặt lịch hẹn ---
  /** The free slots of a day typed as dd/mm/yyyy (full and past ones left out), or why there are none. */
  async function slotsView(agencyCode: string, dateText: string, selected = '') {
    if (!agencyCode || !dateText) return { slotsAsked: false, slots: [], selected };
    const day = parseVnDate(dateText);
    if (!day) return { slotsAsked: true, slots: [], selected, slotsMessage: 'Ngày hẹn không hợp lệ: nhập theo dạng dd/mm/yyyy, ví dụ 25/12/2026.' };
    try {
      const slots = await svc.freeSlots(agencyCode, day);
      let slotsMessage: string | null = null;
      if (slots.length === 0) {
        if (day < vnIsoDate(new Date())) slotsMessage = 'Ngày đã chọn đã qua, vui lòng chọn ngày khác.';
        else if (!isWorkingDay(day, await svc.dayRules(agencyCode, day))) slotsMessage = 'Ngày đã chọn là ngày nghỉ (ngày lễ, cuối tuần hoặc ngày nghỉ của cơ quan), vui lòng chọn ngày khác.';
        else slotsMessage = 'Ngày đã chọn không còn giờ trống, vui lòng chọn ngày khác.';
      }
      return { slotsAsked: true, slots, selected, slotsMessage, dayLabel: dayLabel(day) };
    } catch (e) {
      if (e instanceof DomainError) return { slotsAsked: true, slots: [], selected, slotsMessage: e.message };
      throw e;
    }
  }

  async function renderBooking(res: Response, form: Record<string, string>, status = 200, error?: string) {
    const agencies = await svc.bookableAgencies();
    const account = await q.accountDetails(db, citizen(res).username);
    const f = { ...form };
    if (!f.agencyCode && agencies.length === 1) f.agencyCode = agencies[0].code;
    // The day is a text field in dd/mm/yyyy like every date on the screens (a native date picker follows the
    // browser's locale, e.g. month first); what was typed stays when it cannot be read.
    const day = parseVnDate(str(f.date));
    res.status(status).render('portal-book.njk', {
      title: 'Đặt lịch hẹn chứng thực', active: `${BASE}/dat-lich`, form: f, agencies, account, error,
      dateText: day ? vnDate(day) : str(f.date), limits: svc.limitsAt(str(f.agencyCode)),
      documentTypes: await deps.dossiers.documentTypes(), idemKey: crypto.randomUUID(),
      ...(await slotsView(str(f.agencyCode), str(f.date), str(f.slot))),
    });
  }

  r.get('/dat-lich', needCitizen, async (req, res, next) => {
    try {
      const query = req.query as Record<string, unknown>;
      await renderBooking(res, { agencyCode: str(query.agencyCode), documentType: str(query.documentType), date: str(query.date) });
    } catch (e) { next(e); }
  });
  // htmx: the free slots of the chosen agency and day.
  r.get('/dat-lich/khung-gio', needCitizen, async (req, res, next) => {
    try {
      res.set('Vary', 'HX-Request').render('portal-slots.njk', await slotsView(str(req.query.agencyCode), str(req.query.date)));
    } catch (e) { next(e); }
  });

  // A double click books once: the form's key maps to the first request's outcome (this process, 10 minutes).
  const submitted = new Map<string, { at: number; result: Promise<Awaited<ReturnType<typeof svc.book>>> }>();
  function bookOnce(key: string, run: () => Promise<Awaited<ReturnType<typeof svc.book>>>) {
    const now = Date.now();
    for (const [k, v] of submitted) if (now - v.at > 10 * 60_000) submitted.delete(k);
    const seen = submitted.get(key);
    if (seen) return seen.result;
    const result = run();
    submitted.set(key, { at: now, result });
    result.catch(() => submitted.delete(key));
    return result;
  }

  r.post('/dat-lich', needCitizen, (req, res, next) => {
    const body = (req.body ?? {}) as Record<string, string>;
    const form = { agencyCode: str(body.agencyCode), documentType: str(body.documentType), date: str(body.date), slot: str(body.slot) };
    return renderAgainOnRefusal(res, next, async () => {
      const day = parseVnDate(form.date);
      if (form.agencyCode && form.documentType && day && !form.slot) throw new DomainError('validation', 'Vui lòng chọn một giờ hẹn còn trống.', 'slot');
      const u = citizen(res);
      const run = () => svc.book(u, { ...form, date: day ?? form.date });
      const booked = await (str(body._key) ? bookOnce(`${u.username}:${str(body._key)}`, run) : run());
      flash(req, `Đã đặt lịch hẹn ${booked.code} lúc ${formatSlot(booked.day, booked.slot)} tại ${booked.agencyName}. Vui lòng mang bản chính giấy tờ tới cơ quan đúng giờ hẹn.`);
      res.redirect(303, `${BASE}/lich-hen`);
    }, // a refusal: the form again as it was filled, with the slots as they are now and the reason in Vietnamese
    (status, message) => renderBooking(res, { ...form, slot: '' }, status, message), []);
  });

  // --- Lịch hẹn của tôi ---
  async function renderAppointments(res: Response, status = 200, error?: string) {
    const now = Date.now();
    const items = (await svc.listForAccount(citizen(res).username)).map((a) => ({
      ...a,
      moved: a.day !== a.original_day || a.start_time !== a.original_start_time,
      cancellable: a.status === 'booked' && slotInstant(a.day, a.start_time).getTime() > now,
    }));
    res.status(status).render('portal-appointments.njk', {
      title: 'Lịch hẹn của tôi', active: `${BASE}/lich-hen`, items, error, formatSlot, statusLabels: APPOINTMENT_STATUS_LABELS, idemKey: crypto.randomUUID(),
    });
  }
  r.get('/lich-hen', needCitizen, async (_req, res, next) => { try { await renderAppointments(res); } catch (e) { next(e); } });
  r.post('/lich-hen/:code/huy', needCitizen, (req, res, next) => {
    const code = String(req.params.code);
    return renderAgainOnRefusal(res, next, async () => {
      await svc.cancel(citizen(res), code, str((req.body as Record<string, string> | undefined)?._key));
      flash(req, `Đã hủy lịch hẹn ${code}.`);
      res.redirect(303, `${BASE}/lich-hen`);
    }, (status, message) => renderAppointments(res, status, message), []);
  });

  // --- Thông báo: newest first; opening the page marks them read ---
  r.get('/thong-bao', needCitizen, async (_req, res, next) => {
    try {
      const username = citizen(res).username;
      const items = await q.notificationsOf(db, username);
      await q.markNotificationsRead(db, username, items.filter((n) => !n.read_at).map((n) => n.id));
      res.locals.unread = 0;
      res.render('portal-notifications.njk', { title: 'Thông báo', active: `${BASE}/thong-bao`, items });
    } catch (e) { next(e); }
  });

  // --- Bản sao điện tử của tôi ---
  r.get('/ban-sao', needCitizen, async (_req, res, next) => {
    try {
      const items = await q.copiesOf(db, citizen(res).username);
      res.render('portal-copies.njk', { title: 'Bản sao điện tử của tôi', active: `${BASE}/ban-sao`, items });
    } catch (e) { next(e); }
  });
  // The download checks that the e-copy was delivered to this session's own account.
  r.get('/ban-sao/:token/tai-ve', needCitizen, async (req, res, next) => {
    try {
      const item = await q.copyOfAccount(db, String(req.params.token), citizen(res).username);
      if (!item) throw new DomainError('not_found', 'Không tìm thấy bản sao điện tử này trong tài khoản của bạn.');
      await q.markCopyRead(db, item.id);
      const safeName = item.dossier_code.replace(/[^A-Za-z0-9._-]/g, '_');
      res.set({
        'Content-Type': 'application/pdf', 'Content-Disposition': `attachment; filename="ban-sao-dien-tu-${safeName}.pdf"`,
        'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff',
      });
      deps.storage.stream(item.file_sha256).on('error', next).pipe(res);
    } catch (e) { next(e); }
  });

  // Refusals on the portal's own pages, in its own frame.
  r.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!(err instanceof DomainError) || err.code === 'unauthenticated') return next(err);
    res.status(HTTP_STATUS[err.code] ?? 400).render('portal-error.njk', { title: 'Thông báo', error: err.message });
  });

  return r;
}
