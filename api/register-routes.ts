// Screens of the seal keeper's register books ("Quản lý sổ chứng thực", seed II.4.1) and the daily fee report
// ("Báo cáo lệ phí"). Mounted by webRoutes after its session middleware (res.locals.actor, csrf, menu are set).
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  booksForSealing, closeRegisterBook, closeRegisterYear, createRegisterBook, deleteRegisterBook, getRegisterBook, listBookEntries, listRegisterYears,
  nextNumberOfYear, searchRegisterBooks, updateRegisterBook,
} from '../activities/register.js';
import { parseVnDate, vnDate, vnIsoDate } from '../domain/vn-time.js';
import { DomainError, HTTP_STATUS } from '../domain/errors.js';
import type { Actor, Role } from '../domain/types.js';
import type { AppDeps } from './app.js';
import { assertFeeReportRole, FEE_REPORT_ROLES, feeReport, feeReportWorkbook, reportDate } from './fee-report.js';
import { bookId, sendXlsx } from './register-api.js';
import { registerBookWorkbook } from './register-export.js';
import { bookBody, bookPatch, bookSearchQuery, paging, parse } from './http/schemas.js';

/** The menu item of the fee report, for the roles that may read it. */
export const FEE_REPORT_MENU = { href: '/bao-cao-le-phi', label: 'Báo cáo lệ phí' };
export const FEE_REPORT_MENU_ROLES: Role[] = FEE_REPORT_ROLES;

const BOOKS = '/so-chung-thuc';
const LIST_TITLE = 'Quản lý sổ chứng thực';
const isoToVn = (iso: string) => (iso ? vnDate(`${iso}T12:00:00+07:00`) : '');

export function registerRoutes(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;

  const actor = (res: Response) => res.locals.actor as Actor;
  const needLogin = (req: Request, res: Response, next: NextFunction) => {
    if (!res.locals.actor) return res.redirect(303, `/dang-nhap?next=${encodeURIComponent(req.originalUrl)}`);
    next();
  };
  const needSealer = (_req: Request, res: Response, next: NextFunction) => {
    if (!actor(res).roles.includes('sealer')) return next(new DomainError('forbidden', 'Bạn không có quyền truy cập chức năng này.'));
    next();
  };
  const sealer = [needLogin, needSealer];
  const flash = (req: Request, text: string) => { req.session!.flash = text; };
  const fields = (req: Request) => (req.body ?? {}) as Record<string, string>;
  /** A query string of the non-blank values. */
  const qs = (o: Record<string, string | number>) => new URLSearchParams(Object.entries(o).filter(([, v]) => v !== '').map(([k, v]) => [k, String(v)])).toString();

  // --- The list, with search by year and name ---
  r.get(BOOKS, ...sealer, async (req, res, next) => {
    try {
      const q = req.query as Record<string, string>;
      const filter = { year: typeof q.year === 'string' ? q.year.trim() : '', name: typeof q.name === 'string' ? q.name : '' };
      let error: string | undefined;
      let result;
      try {
        result = await searchRegisterBooks(db, actor(res).agencyCode, parse(bookSearchQuery, req.query));
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        error = e.message;
        res.status(HTTP_STATUS[e.code]);
        result = { total: 0, page: 1, pageSize: 10, items: [] };
      }
      const pageUrl = (p: number) => `${BOOKS}?${qs({ ...filter, pageSize: result.pageSize, page: p })}`;
      res.set('Vary', 'HX-Request');
      await renderList(res, { filter, result, error, pageUrl });
    } catch (e) { next(e); }
  });
  const renderList = async (res: Response, o: { filter: { year: string; name: string }; result: Awaited<ReturnType<typeof searchRegisterBooks>>; error?: string; yearError?: string; pageUrl: (p: number) => string }) => {
    res.render('register-books.njk', {
      title: LIST_TITLE, active: BOOKS, ...o, years: await listRegisterYears(db, actor(res).agencyCode),
      closeYear: Number(vnIsoDate(new Date()).slice(0, 4)) - (vnIsoDate(new Date()).slice(5) === '12-31' ? 0 : 1),
      pageCount: Math.max(1, Math.ceil(o.result.total / o.result.pageSize)),
    });
  };

  // --- Khóa sổ năm (year-end closing) ---
  r.post(`${BOOKS}/khoa-so-nam`, ...sealer, async (req, res, next) => {
    const body = fields(req);
    try {
      const y = await closeRegisterYear(db, { agencyCode: actor(res).agencyCode, year: body.year, closedBy: actor(res).username });
      flash(req, `Đã khóa sổ năm ${y.year}: ${y.certificationCount} số chứng thực${y.books.length ? ` (sổ ${y.books.map((b) => b.name).join(', ')})` : ''}.`);
      res.redirect(303, BOOKS);
    } catch (e) {
      if (!(e instanceof DomainError)) return next(e);
      try {
        const result = await searchRegisterBooks(db, actor(res).agencyCode, {});
        res.status(HTTP_STATUS[e.code]);
        await renderList(res, { filter: { year: '', name: '' }, result, yearError: e.message, pageUrl: (p: number) => `${BOOKS}?${qs({ page: p })}` });
      } catch (e2) { next(e2); }
    }
  });

  // --- Add ---
  const renderForm = async (res: Response, o: { book?: { id: number; name: string; entry_count: number }; form: Record<string, string>; error?: string; field?: string; status?: number }) => {
    const year = Number(vnIsoDate(new Date()).slice(0, 4));
    const nextOfYear = o.book ? null : await nextNumberOfYear(db, actor(res).agencyCode, year);
    res.status(o.status ?? 200).render('register-book-form.njk', {
      title: o.book ? 'Sửa thông tin sổ chứng thực' : 'Thêm mới sổ chứng thực', active: BOOKS,
      book: o.book ?? null, form: o.form, error: o.error, field: o.field, year, nextOfYear,
    });
  };
  r.get(`${BOOKS}/them-moi`, ...sealer, async (req, res, next) => {
    try {
      const year = Number(vnIsoDate(new Date()).slice(0, 4));
      const start = await nextNumberOfYear(db, actor(res).agencyCode, year);
      await renderForm(res, { form: { name: '', startNumber: String(start), openDate: vnDate(new Date()), closeDate: `31/12/${year}` } });
    } catch (e) { next(e); }
  });
  r.post(BOOKS, ...sealer, async (req, res, next) => {
    const body = fields(req);
    try {
      const typed = parse(bookBody, body);
      const b = await createRegisterBook(db, {
        agencyCode: actor(res).agencyCode, name: typed.name, startNumber: typed.startNumber,
        openDate: parseVnDate(typed.openDate), closeDate: parseVnDate(typed.closeDate), createdBy: actor(res).username,
      });
      flash(req, `Đã thêm sổ chứng thực ${b.name}, số ban đầu ${b.start_number}/ĐT.`);
      res.redirect(303, BOOKS);
    } catch (e) {
      if (e instanceof DomainError) {
        try { return await renderForm(res, { form: body, error: e.message, field: e.field, status: HTTP_STATUS[e.code] }); } catch (e2) { return next(e2); }
      }
      next(e);
    }
  });

  // The next number of a book, for the seal step's book picker (dossier-detail.njk).
  r.get(`${BOOKS}/so-tiep-theo`, ...sealer, async (req, res, next) => {
    try {
      // The year's next number, for the book that takes it (the only one the seal step offers).
      const book = (await booksForSealing(db, actor(res).agencyCode)).find((b) => b.id === bookId(req.query.registerBookId));
      res.type('text/plain').send(book ? `${book.next_number}/ĐT` : '');
    } catch (e) { next(e); }
  });

  // --- View a book and its entries ---
  r.get(`${BOOKS}/:id`, ...sealer, async (req, res, next) => {
    try {
      const book = await getRegisterBook(db, actor(res).agencyCode, bookId(req.params.id));
      const entries = await listBookEntries(db, book.id, parse(paging, req.query));
      const pageUrl = (p: number) => `${BOOKS}/${book.id}?${qs({ pageSize: entries.pageSize, page: p })}`;
      res.render('register-book.njk', {
        title: 'Xem sổ chứng thực', active: BOOKS, book, entries, pageUrl,
        pageCount: Math.max(1, Math.ceil(entries.total / entries.pageSize)),
      });
    } catch (e) { next(e); }
  });

  // --- Edit ---
  r.get(`${BOOKS}/:id/sua`, ...sealer, async (req, res, next) => {
    try {
      const book = await getRegisterBook(db, actor(res).agencyCode, bookId(req.params.id));
      await renderForm(res, { book, form: { name: book.name, startNumber: String(book.start_number), openDate: isoToVn(book.open_date), closeDate: isoToVn(book.close_date) } });
    } catch (e) { next(e); }
  });
  r.post(`${BOOKS}/:id/sua`, ...sealer, async (req, res, next) => {
    const body = fields(req);
    try {
      const id = bookId(req.params.id);
      const b = await updateRegisterBook(db, { agencyCode: actor(res).agencyCode, id, ...parse(bookPatch, body) });
      flash(req, `Đã lưu sổ chứng thực ${b.name}.`);
      res.redirect(303, `${BOOKS}/${b.id}`);
    } catch (e) {
      if (e instanceof DomainError && e.code !== 'not_found') {
        try {
          const book = await getRegisterBook(db, actor(res).agencyCode, bookId(req.params.id));
          return await renderForm(res, { book, form: body, error: e.message, field: e.field, status: HTTP_STATUS[e.code] });
        } catch (e2) { return next(e2); }
      }
      next(e);
    }
  });

  /** The book's page again, with the refusal (closing or deleting it) on top. */
  async function bookWithError(req: Request, res: Response, e: DomainError) {
    const book = await getRegisterBook(db, actor(res).agencyCode, bookId(req.params.id));
    const entries = await listBookEntries(db, book.id, {});
    res.status(HTTP_STATUS[e.code]).render('register-book.njk', {
      title: 'Xem sổ chứng thực', active: BOOKS, book, entries, error: e.message,
      pageUrl: (p: number) => `${BOOKS}/${book.id}?${qs({ pageSize: entries.pageSize, page: p })}`,
      pageCount: Math.max(1, Math.ceil(entries.total / entries.pageSize)),
    });
  }

  // --- Khóa sổ of one book (full): it takes no numbers from then on ---
  r.post(`${BOOKS}/:id/khoa-so`, ...sealer, async (req, res, next) => {
    try {
      const b = await closeRegisterBook(db, { agencyCode: actor(res).agencyCode, id: bookId(req.params.id), closedBy: actor(res).username });
      flash(req, `Đã khóa sổ ${b.name}: sổ có ${b.closed_count} số chứng thực; năm ${b.open_date.slice(0, 4)} đến nay có ${b.closed_year_count} số chứng thực.`);
      res.redirect(303, `${BOOKS}/${b.id}`);
    } catch (e) {
      // Back to the book, which says why.
      if (e instanceof DomainError && e.code === 'conflict') return bookWithError(req, res, e).catch(next);
      next(e);
    }
  });

  // --- Delete (only while empty) ---
  r.post(`${BOOKS}/:id/xoa`, ...sealer, async (req, res, next) => {
    try {
      const b = await deleteRegisterBook(db, { agencyCode: actor(res).agencyCode, id: bookId(req.params.id) });
      flash(req, `Đã xóa sổ chứng thực ${b.name}.`);
      res.redirect(303, BOOKS);
    } catch (e) {
      // Back to the book, which says why.
      if (e instanceof DomainError && e.code === 'conflict') return bookWithError(req, res, e).catch(next);
      next(e);
    }
  });

  // --- Excel export ---
  r.get(`${BOOKS}/:id/excel`, ...sealer, async (req, res, next) => {
    try { sendXlsx(res, await registerBookWorkbook(db, actor(res).agencyCode, bookId(req.params.id))); } catch (e) { next(e); }
  });

  // --- Báo cáo lệ phí ---
  const feeGuard = (_req: Request, res: Response, next: NextFunction) => {
    try { assertFeeReportRole(actor(res)); next(); } catch (e) { next(e); }
  };
  r.get(FEE_REPORT_MENU.href, needLogin, feeGuard, async (req, res, next) => {
    try {
      const raw = typeof req.query.date === 'string' ? req.query.date : '';
      let date: string;
      let error: string | undefined;
      try { date = reportDate(req.query.date); } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        error = e.message;
        res.status(HTTP_STATUS[e.code]);
        date = '';
      }
      const report = date ? await feeReport(db, actor(res).agencyCode, date) : null;
      res.render('fee-report.njk', { title: FEE_REPORT_MENU.label, active: FEE_REPORT_MENU.href, report, error, dateText: date ? isoToVn(date) : raw, isoDate: date });
    } catch (e) { next(e); }
  });
  r.get(`${FEE_REPORT_MENU.href}/excel`, needLogin, feeGuard, async (req, res, next) => {
    try { sendXlsx(res, await feeReportWorkbook(await feeReport(db, actor(res).agencyCode, reportDate(req.query.date)))); } catch (e) { next(e); }
  });

  return r;
}
