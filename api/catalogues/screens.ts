// Screens of the catalogues (under "Quản trị"): "Danh mục loại giấy tờ" (every admin sees it; a system
// administrator adds, renames, reorders, deactivates and reactivates) and "Lịch làm việc, khung giờ hẹn" of an
// agency of the scope (its slots, its own days off and make-up working days, the year's national public holidays,
// which a system administrator also edits there). Staff with the admin role only; plain forms that post and
// redirect (post/redirect/get) and work without JavaScript; a refusal renders the page again with its message.
import express, { type Request, type Response } from 'express';
import { ADMIN_ONLY } from '../admin/service.js';
import type { AppDeps } from '../http/deps.js';
import { actorOf, flash, staffOnly } from '../http/guards.js';
import { renderAgainOnRefusal } from '../http/render-again.js';
import { parse } from '../http/schemas.js';
import { agencyDayBody, agencyParams, dayParams, documentTypeBody, documentTypeParams, documentTypePatch, publicHolidayBody, slotsBody, yearQuery } from './schemas.js';
import * as s from './service.js';

const TYPES = '/quan-tri/loai-giay-to';
const CALENDAR = '/quan-tri/lich';
const SECTION = 'Quản trị';
/** Empty rows under the slots, for new start times. */
const BLANK_SLOT_ROWS = 3;

const formOf = (body: unknown) => Object.fromEntries(Object.entries((body ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
/** A repeated form field (one value comes as a string, several as an array). */
const many = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : '')) : typeof v === 'string' ? [v] : []);
const calendarUrl = (code: string, year?: number) => `/quan-tri/co-quan/${encodeURIComponent(code)}/lich${year ? `?nam=${year}` : ''}`;

interface Refusal { status: number; error: string; field?: string }

export function cataloguesScreens(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;
  const only = staffOnly('admin', ADMIN_ONLY);

  // ---- Danh mục loại giấy tờ ----------------------------------------------------------------------------------

  async function renderTypes(res: Response, opts: { refusal?: Refusal; form?: Record<string, string>; editCode?: string; editForm?: Record<string, string> } = {}) {
    const actor = actorOf(res);
    res.status(opts.refusal?.status ?? 200).render('admin-document-types.njk', {
      title: 'Danh mục loại giấy tờ', section: SECTION, active: TYPES,
      types: await s.listDocumentTypes(db, actor), system: await s.isSystemAdmin(db, actor),
      error: opts.refusal?.error, field: opts.refusal?.field, form: opts.form ?? {}, editCode: opts.editCode, editForm: opts.editForm ?? {},
    });
  }

  r.get(TYPES, ...only, async (_req, res, next) => {
    try { await renderTypes(res); } catch (e) { next(e); }
  });

  r.post(TYPES, ...only, (req: Request, res: Response, next) => {
    const form = formOf(req.body);
    return renderAgainOnRefusal(res, next, async () => {
      const t = await s.createDocumentType(db, actorOf(res), parse(documentTypeBody, form));
      flash(req, `Đã thêm loại giấy tờ “${t.name}” (mã ${t.code}).`);
      res.redirect(303, TYPES);
    }, (status, error, e) => renderTypes(res, { refusal: { status, error, field: e.field }, form }));
  });

  r.post(`${TYPES}/:code/sua`, ...only, (req: Request, res: Response, next) => {
    const form = formOf(req.body);
    const code = typeof req.params.code === 'string' ? req.params.code : '';
    return renderAgainOnRefusal(res, next, async () => {
      const t = await s.updateDocumentType(db, actorOf(res), parse(documentTypeParams, req.params).code, parse(documentTypePatch, { name: form.name, sort: form.sort }));
      flash(req, `Đã lưu loại giấy tờ “${t.name}” (mã ${t.code}).`);
      res.redirect(303, TYPES);
    }, (status, error, e) => renderTypes(res, { refusal: { status, error, field: e.field }, editCode: code, editForm: form }));
  });

  for (const [path, active] of [['ngung-su-dung', false], ['su-dung-lai', true]] as const) {
    r.post(`${TYPES}/:code/${path}`, ...only, (req: Request, res: Response, next) => renderAgainOnRefusal(res, next, async () => {
      const t = await s.updateDocumentType(db, actorOf(res), parse(documentTypeParams, req.params).code, { active });
      flash(req, active ? `Loại giấy tờ “${t.name}” đã được sử dụng lại.` : `Loại giấy tờ “${t.name}” đã ngừng sử dụng: không còn được chọn khi thêm mới bản sao hay đặt lịch hẹn.`);
      res.redirect(303, TYPES);
    }, (status, error, e) => renderTypes(res, { refusal: { status, error, field: e.field } })));
  }

  // ---- Lịch làm việc, khung giờ hẹn ---------------------------------------------------------------------------

  /** The menu's entry: the calendar of the top of the admin's scope. */
  r.get(CALENDAR, ...only, async (_req, res, next) => {
    try { res.redirect(303, calendarUrl(s.scopeOf(actorOf(res)))); } catch (e) { next(e); }
  });

  /** The agency picker (a GET form, no JavaScript): to the calendar of the agency chosen. */
  r.get(`${CALENDAR}/chon`, ...only, async (req, res, next) => {
    try {
      const agency = await s.getAgency(db, actorOf(res), typeof req.query.coQuan === 'string' ? req.query.coQuan : '');
      res.redirect(303, calendarUrl(agency.code, yearOf(req)));
    } catch (e) { next(e); }
  });

  interface CalendarForms { slotRows?: { time: string; capacity: string }[]; day?: Record<string, string>; holiday?: Record<string, string> }

  async function renderCalendar(res: Response, code: string, year: number, forms: CalendarForms = {}, refusal?: Refusal, where?: 'slots' | 'day' | 'holiday') {
    const actor = actorOf(res);
    const agency = await s.getAgency(db, actor, code);
    const slots = await s.getSlots(db, actor, agency.code);
    const peaks = await s.bookedPeaks(db, actor, agency.code);
    const rows = forms.slotRows ?? [...slots.map((x) => ({ time: x.startTime, capacity: String(x.capacity) })), ...Array.from({ length: BLANK_SLOT_ROWS }, () => ({ time: '', capacity: '' }))];
    const agencies = (await s.listAgencies(db, actor)).filter((a) => a.active || a.code === agency.code)
      .map((a) => ({ code: a.code, label: `${'— '.repeat(a.depth)}${a.name}` }));
    res.status(refusal?.status ?? 200).render('admin-calendar.njk', {
      title: 'Lịch làm việc, khung giờ hẹn', section: SECTION, active: CALENDAR, agency, agencies, year, years: [year - 1, year, year + 1],
      slotRows: rows.map((x) => ({ ...x, booked: peaks[x.time] ?? 0 })),
      days: (await s.listAgencyDays(db, actor, agency.code, year)).map((d) => ({ ...d, shown: s.dmy(d.day) })),
      holidays: (await s.listPublicHolidays(db, actor, year)).map((d) => ({ ...d, shown: s.dmy(d.day) })),
      system: await s.isSystemAdmin(db, actor), scope: s.scopeOf(actor),
      dayForm: forms.day ?? { working: 'false' }, holidayForm: forms.holiday ?? { working: 'false' },
      error: refusal?.error, field: refusal?.field, where,
    });
  }

  const yearOf = (req: Request) => parse(yearQuery, { year: typeof req.query.nam === 'string' ? req.query.nam : undefined }).year;
  /** The year whose page a day belongs to (this year when the day is unreadable). */
  const yearOfDay = (day: string | undefined) => (day && /^\d{4}-/.test(day) ? Number(day.slice(0, 4)) : parse(yearQuery, {}).year);

  r.get('/quan-tri/co-quan/:code/lich', ...only, async (req, res, next) => {
    try { await renderCalendar(res, parse(agencyParams, req.params).code, yearOf(req)); } catch (e) { next(e); }
  });

  r.post('/quan-tri/co-quan/:code/lich/khung-gio', ...only, async (req, res, next) => {
    try {
      const { code } = parse(agencyParams, req.params);
      const agency = await s.getAgency(db, actorOf(res), code); // 404 outside the scope, on the error page
      const times = many((req.body ?? {}).time), caps = many((req.body ?? {}).capacity);
      const slotRows = Array.from({ length: Math.max(times.length, caps.length) }, (_, i) => ({ time: (times[i] ?? '').trim(), capacity: (caps[i] ?? '').trim() }));
      // A row without a start time is left out: clearing the time removes the slot.
      const kept = slotRows.map((row, i) => ({ row, i })).filter(({ row }) => row.time !== '');
      await renderAgainOnRefusal(res, next, async () => {
        await s.replaceSlots(db, actorOf(res), agency.code, parse(slotsBody, kept.map(({ row }) => ({ startTime: row.time, capacity: row.capacity }))));
        flash(req, `Đã lưu khung giờ hẹn của “${agency.name}”.`);
        res.redirect(303, calendarUrl(agency.code));
      }, (status, error, e) => {
        // The refusal names a row of what was sent ("2.capacity"): point at the row as typed.
        const m = /^(\d+)\.(\w+)$/.exec(e.field ?? '');
        const field = m && kept[Number(m[1])] ? `${kept[Number(m[1])].i}.${m[2]}` : e.field;
        return renderCalendar(res, agency.code, parse(yearQuery, {}).year, { slotRows }, { status, error, field }, 'slots');
      });
    } catch (e) { next(e); }
  });

  r.post('/quan-tri/co-quan/:code/lich/ngay', ...only, async (req, res, next) => {
    const form = formOf(req.body);
    try {
      const agency = await s.getAgency(db, actorOf(res), parse(agencyParams, req.params).code);
      await renderAgainOnRefusal(res, next, async () => {
        const { day, created } = await s.saveAgencyDay(db, actorOf(res), agency.code, parse(agencyDayBody, form));
        flash(req, `${created ? 'Đã thêm' : 'Đã lưu'} ngày ${s.dmy(day.day)} (${day.working ? 'ngày làm việc' : 'ngày nghỉ'}) vào lịch của “${agency.name}”.`);
        res.redirect(303, calendarUrl(agency.code, Number(day.day.slice(0, 4))));
      }, (status, error, e) => renderCalendar(res, agency.code, parse(yearQuery, {}).year, { day: form }, { status, error, field: e.field }, 'day'));
    } catch (e) { next(e); }
  });

  r.post('/quan-tri/co-quan/:code/lich/ngay/:day/xoa', ...only, async (req, res, next) => {
    try {
      const agency = await s.getAgency(db, actorOf(res), parse(agencyParams, req.params).code);
      await renderAgainOnRefusal(res, next, async () => {
        const d = await s.deleteAgencyDay(db, actorOf(res), agency.code, parse(dayParams, req.params).day);
        flash(req, `Đã bỏ ngày ${s.dmy(d.day)} khỏi lịch của “${agency.name}”.`);
        res.redirect(303, calendarUrl(agency.code, Number(d.day.slice(0, 4))));
      }, (status, error, e) => renderCalendar(res, agency.code, yearOfDay(String(req.params.day)), {}, { status, error, field: e.field }, 'day'));
    } catch (e) { next(e); }
  });

  // National public holidays, from the calendar page of the top of the scope (system administrators only).
  r.post('/quan-tri/ngay-le', ...only, (req: Request, res: Response, next) => {
    const form = formOf(req.body);
    return renderAgainOnRefusal(res, next, async () => {
      const { holiday, created } = await s.savePublicHoliday(db, actorOf(res), parse(publicHolidayBody, form));
      flash(req, `${created ? 'Đã thêm' : 'Đã lưu'} ngày ${s.dmy(holiday.day)} (${holiday.name}) vào danh sách ngày nghỉ lễ quốc gia.`);
      res.redirect(303, calendarUrl(s.scopeOf(actorOf(res)), Number(holiday.day.slice(0, 4))));
    }, (status, error, e) => renderCalendar(res, s.scopeOf(actorOf(res)), parse(yearQuery, {}).year, { holiday: form }, { status, error, field: e.field }, 'holiday'));
  });

  r.post('/quan-tri/ngay-le/:day/xoa', ...only, (req: Request, res: Response, next) => renderAgainOnRefusal(res, next, async () => {
    const h = await s.deletePublicHoliday(db, actorOf(res), parse(dayParams, req.params).day);
    flash(req, `Đã bỏ ngày ${s.dmy(h.day)} (${h.name}) khỏi danh sách ngày nghỉ lễ quốc gia.`);
    res.redirect(303, calendarUrl(s.scopeOf(actorOf(res)), Number(h.day.slice(0, 4))));
  }, (status, error, e) => renderCalendar(res, s.scopeOf(actorOf(res)), yearOfDay(String(req.params.day)), {}, { status, error, field: e.field }, 'holiday')));

  return r;
}
