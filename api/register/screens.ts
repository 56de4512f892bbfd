// Screens of the seal keeper's register books ("Quản lý sổ chứng thực", seed II.4.1): the list with the years and
// their khóa sổ, add, view, edit, khóa sổ and delete a book, its Excel export, and the next number for the seal
// step's book picker. Mounted by webRoutes after its session middleware (res.locals.actor, csrf, menu are set).
import express, { type Request, type Response } from 'express';
import { parseVnDate, vnDate, vnDateOfDay, vnIsoDate } from '../../domain/vn-time.js';
import { DomainError, HTTP_STATUS, type ErrorCode } from '../../domain/errors.js';
import type { AppDeps } from '../http/deps.js';
import { sendXlsx } from '../http/excel.js';
import { actorOf, flash, staffOnly } from '../http/guards.js';
import { pageCount, pageUrlFor } from '../http/paging.js';
import { renderAgainOnRefusal } from '../http/render-again.js';
import { paging, parse } from '../http/schemas.js';
import { bookBody, bookId, bookPatch, bookSearchQuery, exportQuery } from './schemas.js';
import {
  booksForSealing, closeRegisterBook, closeRegisterYear, createRegisterBook, deleteRegisterBook, getRegisterBook, listBookEntries, listRegisterYears,
  nextNumberOfYear, registerBookWorkbook, searchRegisterBooks, updateRegisterBook,
} from './service.js';

const BOOKS = '/so-chung-thuc';
const LIST_TITLE = 'Quản lý sổ chứng thực';
const isoToVn = (iso: string) => (iso ? vnDateOfDay(iso) : '');
/** The refusals other than a conflict: they go to the error handler, not back to the book's page. */
const NOT_CONFLICT = (Object.keys(HTTP_STATUS) as ErrorCode[]).filter((c) => c !== 'conflict');
/** The list's filter without its blank fields, for its page links. */
const filled = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== ''));

export function registerScreens(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;

  const sealer = staffOnly('sealer');
  const fields = (req: Request) => (req.body ?? {}) as Record<string, string>;

  // --- The list, with search by year and name ---
  r.get(BOOKS, ...sealer, async (req, res, next) => {
    try {
      const q = req.query as Record<string, string>;
      const filter = { year: typeof q.year === 'string' ? q.year.trim() : '', name: typeof q.name === 'string' ? q.name : '' };
      let error: string | undefined;
      let result;
      try {
        result = await searchRegisterBooks(db, actorOf(res).agencyCode, parse(bookSearchQuery, req.query));
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        error = e.message;
        res.status(HTTP_STATUS[e.code]);
        result = { total: 0, page: 1, pageSize: 10, items: [] };
      }
      res.set('Vary', 'HX-Request');
      await renderList(res, { filter, result, error, pageUrl: pageUrlFor(BOOKS, { ...filled(filter), pageSize: result.pageSize }) });
    } catch (e) { next(e); }
  });
  const renderList = async (res: Response, o: { filter: { year: string; name: string }; result: Awaited<ReturnType<typeof searchRegisterBooks>>; error?: string; yearError?: string; pageUrl: (p: number) => string }) => {
    res.render('register-books.njk', {
      title: LIST_TITLE, active: BOOKS, ...o, years: await listRegisterYears(db, actorOf(res).agencyCode),
      closeYear: Number(vnIsoDate(new Date()).slice(0, 4)) - (vnIsoDate(new Date()).slice(5) === '12-31' ? 0 : 1),
      pageCount: pageCount(o.result.total, o.result.pageSize),
    });
  };

  // --- Khóa sổ năm (year-end closing) ---
  r.post(`${BOOKS}/khoa-so-nam`, ...sealer, (req, res, next) => {
    const body = fields(req);
    return renderAgainOnRefusal(res, next, async () => {
      const y = await closeRegisterYear(db, { agencyCode: actorOf(res).agencyCode, year: body.year, closedBy: actorOf(res).username });
      flash(req, `Đã khóa sổ năm ${y.year}: ${y.certificationCount} số chứng thực${y.books.length ? ` (sổ ${y.books.map((b) => b.name).join(', ')})` : ''}.`);
      res.redirect(303, BOOKS);
    }, async (status, message) => {
      const result = await searchRegisterBooks(db, actorOf(res).agencyCode, {});
      res.status(status);
      await renderList(res, { filter: { year: '', name: '' }, result, yearError: message, pageUrl: pageUrlFor(BOOKS, {}) });
    }, []);
  });

  // --- Add ---
  const renderForm = async (res: Response, o: { book?: { id: number; name: string; entry_count: number }; form: Record<string, string>; error?: string; field?: string; status?: number }) => {
    const year = Number(vnIsoDate(new Date()).slice(0, 4));
    const nextOfYear = o.book ? null : await nextNumberOfYear(db, actorOf(res).agencyCode, year);
    res.status(o.status ?? 200).render('register-book-form.njk', {
      title: o.book ? 'Sửa thông tin sổ chứng thực' : 'Thêm mới sổ chứng thực', active: BOOKS,
      book: o.book ?? null, form: o.form, error: o.error, field: o.field, year, nextOfYear,
    });
  };
  r.get(`${BOOKS}/them-moi`, ...sealer, async (req, res, next) => {
    try {
      const year = Number(vnIsoDate(new Date()).slice(0, 4));
      const start = await nextNumberOfYear(db, actorOf(res).agencyCode, year);
      await renderForm(res, { form: { name: '', startNumber: String(start), openDate: vnDate(new Date()), closeDate: `31/12/${year}` } });
    } catch (e) { next(e); }
  });
  r.post(BOOKS, ...sealer, (req, res, next) => {
    const body = fields(req);
    return renderAgainOnRefusal(res, next, async () => {
      const typed = parse(bookBody, body);
      const b = await createRegisterBook(db, {
        agencyCode: actorOf(res).agencyCode, name: typed.name, startNumber: typed.startNumber,
        openDate: parseVnDate(typed.openDate), closeDate: parseVnDate(typed.closeDate), createdBy: actorOf(res).username,
      });
      flash(req, `Đã thêm sổ chứng thực ${b.name}, số ban đầu ${b.start_number}/ĐT.`);
      res.redirect(303, BOOKS);
    }, (status, message, e) => renderForm(res, { form: body, error: message, field: e.field, status }), []);
  });

  // The next number of a book, for the seal step's book picker (dossier-detail.njk).
  r.get(`${BOOKS}/so-tiep-theo`, ...sealer, async (req, res, next) => {
    try {
      // The year's next number, for the book that takes it (the only one the seal step offers).
      const book = (await booksForSealing(db, actorOf(res).agencyCode)).find((b) => b.id === bookId(req.query.registerBookId));
      res.type('text/plain').send(book ? `${book.next_number}/ĐT` : '');
    } catch (e) { next(e); }
  });

  // --- View a book and its entries ---
  /** The book's page; with a refusal (closing or deleting it) on top when `error` is given. */
  async function renderBook(req: Request, res: Response, o: { error?: string; status?: number } = {}) {
    const book = await getRegisterBook(db, actorOf(res).agencyCode, bookId(req.params.id));
    const entries = await listBookEntries(db, book.id, o.error === undefined ? parse(paging, req.query) : {});
    res.status(o.status ?? 200).render('register-book.njk', {
      title: 'Xem sổ chứng thực', active: BOOKS, book, entries, ...(o.error === undefined ? {} : { error: o.error }),
      pageUrl: pageUrlFor(`${BOOKS}/${book.id}`, { pageSize: entries.pageSize }),
      pageCount: pageCount(entries.total, entries.pageSize),
    });
  }
  r.get(`${BOOKS}/:id`, ...sealer, async (req, res, next) => {
    try { await renderBook(req, res); } catch (e) { next(e); }
  });

  // --- Edit ---
  r.get(`${BOOKS}/:id/sua`, ...sealer, async (req, res, next) => {
    try {
      const book = await getRegisterBook(db, actorOf(res).agencyCode, bookId(req.params.id));
      await renderForm(res, { book, form: { name: book.name, startNumber: String(book.start_number), openDate: isoToVn(book.open_date), closeDate: isoToVn(book.close_date) } });
    } catch (e) { next(e); }
  });
  r.post(`${BOOKS}/:id/sua`, ...sealer, (req, res, next) => {
    const body = fields(req);
    return renderAgainOnRefusal(res, next, async () => {
      const id = bookId(req.params.id);
      const b = await updateRegisterBook(db, { agencyCode: actorOf(res).agencyCode, id, ...parse(bookPatch, body), by: actorOf(res).username });
      flash(req, `Đã lưu sổ chứng thực ${b.name}.`);
      res.redirect(303, `${BOOKS}/${b.id}`);
    }, async (status, message, e) => {
      const book = await getRegisterBook(db, actorOf(res).agencyCode, bookId(req.params.id));
      await renderForm(res, { book, form: body, error: message, field: e.field, status });
    }, ['not_found']);
  });

  // --- Khóa sổ of one book (full): it takes no numbers from then on; a refusal goes back to the book, which says why ---
  r.post(`${BOOKS}/:id/khoa-so`, ...sealer, (req, res, next) => renderAgainOnRefusal(res, next, async () => {
    const b = await closeRegisterBook(db, { agencyCode: actorOf(res).agencyCode, id: bookId(req.params.id), closedBy: actorOf(res).username });
    flash(req, `Đã khóa sổ ${b.name}: sổ có ${b.closed_count} số chứng thực; năm ${b.open_date.slice(0, 4)} đến nay có ${b.closed_year_count} số chứng thực.`);
    res.redirect(303, `${BOOKS}/${b.id}`);
  }, (status, message) => renderBook(req, res, { error: message, status }), NOT_CONFLICT));

  // --- Delete (only while empty); a refusal goes back to the book, which says why ---
  r.post(`${BOOKS}/:id/xoa`, ...sealer, (req, res, next) => renderAgainOnRefusal(res, next, async () => {
    const b = await deleteRegisterBook(db, { agencyCode: actorOf(res).agencyCode, id: bookId(req.params.id), by: actorOf(res).username });
    flash(req, `Đã xóa sổ chứng thực ${b.name}.`);
    res.redirect(303, BOOKS);
  }, (status, message) => renderBook(req, res, { error: message, status }), NOT_CONFLICT));

  // --- Excel export ---
  r.get(`${BOOKS}/:id/excel`, ...sealer, async (req, res, next) => {
    try { sendXlsx(res, await registerBookWorkbook(db, actorOf(res).agencyCode, bookId(req.params.id), parse(exportQuery, req.query).layout)); } catch (e) { next(e); }
  });

  return r;
}
