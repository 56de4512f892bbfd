// JSON API for register books and the daily fee report, mounted inside /api/v1 after the bearer-token check
// (res.locals.actor is the acting user). Errors go to the app's handler: 4xx {error, message} in Vietnamese.
// Register books are the seal keeper's (sealer) and are only ever looked up inside the actor's agency: another
// agency's book is 404 (whatever the role), a book of one's own agency without the sealer role is 403.
import express, { type Response } from 'express';
import {
  closeRegisterBook, closeRegisterYear, createRegisterBook, deleteRegisterBook, getRegisterBook, listBookEntries, listRegisterYears, searchRegisterBooks,
  updateRegisterBook,
} from '../activities/register.js';
import { parseVnDate } from '../domain/vn-time.js';
import { DomainError } from '../domain/errors.js';
import type { Actor } from '../domain/types.js';
import type { AppDeps } from './app.js';
import { assertFeeReportRole, feeReport, feeReportWorkbook, reportDate } from './fee-report.js';
import { registerBookWorkbook } from './register-export.js';
import { bookBody, bookPatch, bookSearchQuery, INT32_MAX, paging, parse } from './http/schemas.js';

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function assertSealer(actor: Actor): void {
  if (!actor.roles.includes('sealer')) throw new DomainError('forbidden', 'Bạn không có Quyền đóng dấu bản sao để quản lý sổ chứng thực.');
}

/** A path id: digits only and within int4 (PostgreSQL's integer), else the book cannot exist. */
export function bookId(raw: unknown): number {
  const s = typeof raw === 'string' ? raw : '';
  return /^\d{1,10}$/.test(s) && Number(s) <= INT32_MAX ? Number(s) : -1;
}

export function sendXlsx(res: Response, file: { fileName: string; buffer: Buffer }) {
  res.set({
    'Content-Type': XLSX, 'Content-Length': String(file.buffer.length), 'Cache-Control': 'private, no-store',
    'Content-Disposition': `attachment; filename="${file.fileName}"`,
  }).send(file.buffer);
}

export function registerApiRoutes(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;
  const actor = (res: Response) => res.locals.actor as Actor;
  /** The actor's own book (404 otherwise), then the sealer role (403). */
  const ownBook = async (res: Response, raw: unknown) => {
    const book = await getRegisterBook(db, actor(res).agencyCode, bookId(raw));
    assertSealer(actor(res));
    return book;
  };

  r.get('/register-books', async (req, res, next) => {
    try {
      assertSealer(actor(res));
      const q = parse(bookSearchQuery, req.query);
      const { items } = await searchRegisterBooks(db, actor(res).agencyCode, { year: q.year, name: q.name }, { all: true });
      res.json(items);
    } catch (e) { next(e); }
  });

  r.post('/register-books', async (req, res, next) => {
    try {
      assertSealer(actor(res));
      const b = parse(bookBody, req.body ?? {});
      const book = await createRegisterBook(db, {
        agencyCode: actor(res).agencyCode, name: b.name, startNumber: b.startNumber,
        openDate: parseVnDate(b.openDate), closeDate: parseVnDate(b.closeDate), createdBy: actor(res).username,
      });
      res.status(201).json(book);
    } catch (e) { next(e); }
  });

  // The year's sequences and their year-end closing (khóa sổ), before /register-books/:id.
  r.get('/register-books/years', async (_req, res, next) => {
    try {
      assertSealer(actor(res));
      res.json(await listRegisterYears(db, actor(res).agencyCode));
    } catch (e) { next(e); }
  });

  r.post('/register-books/years/:year/close', async (req, res, next) => {
    try {
      assertSealer(actor(res));
      res.json(await closeRegisterYear(db, { agencyCode: actor(res).agencyCode, year: req.params.year, closedBy: actor(res).username }));
    } catch (e) { next(e); }
  });

  r.post('/register-books/:id/close', async (req, res, next) => {
    try {
      const book = await ownBook(res, req.params.id);
      res.json(await closeRegisterBook(db, { agencyCode: actor(res).agencyCode, id: book.id, closedBy: actor(res).username }));
    } catch (e) { next(e); }
  });

  r.get('/register-books/:id', async (req, res, next) => {
    try {
      const { entry_count: _n, ...book } = await ownBook(res, req.params.id);
      res.json({ ...book, entries: await listBookEntries(db, book.id, parse(paging, req.query)) });
    } catch (e) { next(e); }
  });

  r.patch('/register-books/:id', async (req, res, next) => {
    try {
      const book = await ownBook(res, req.params.id);
      const b = parse(bookPatch, req.body ?? {});
      const updated = await updateRegisterBook(db, {
        agencyCode: actor(res).agencyCode, id: book.id, name: b.name, startNumber: b.startNumber, openDate: b.openDate, closeDate: b.closeDate,
      });
      res.json(updated);
    } catch (e) { next(e); }
  });

  r.delete('/register-books/:id', async (req, res, next) => {
    try {
      const book = await ownBook(res, req.params.id);
      await deleteRegisterBook(db, { agencyCode: actor(res).agencyCode, id: book.id });
      res.status(204).end();
    } catch (e) { next(e); }
  });

  r.get('/register-books/:id/export.xlsx', async (req, res, next) => {
    try {
      const book = await ownBook(res, req.params.id);
      sendXlsx(res, await registerBookWorkbook(db, actor(res).agencyCode, book.id));
    } catch (e) { next(e); }
  });

  r.get('/reports/fees', async (req, res, next) => {
    try {
      assertFeeReportRole(actor(res));
      res.json(await feeReport(db, actor(res).agencyCode, reportDate(req.query.date)));
    } catch (e) { next(e); }
  });

  r.get('/reports/fees.xlsx', async (req, res, next) => {
    try {
      assertFeeReportRole(actor(res));
      sendXlsx(res, await feeReportWorkbook(await feeReport(db, actor(res).agencyCode, reportDate(req.query.date))));
    } catch (e) { next(e); }
  });

  return r;
}
