// JSON API for register books, mounted inside /api/v1 after the bearer-token check (res.locals.actor is the
// acting user). Errors go to the app's handler: 4xx {error, message} in Vietnamese. Register books are the seal
// keeper's (sealer) and are only ever looked up inside the actor's agency: another agency's book is 404
// (whatever the role), a book of one's own agency without the sealer role is 403.
import express, { type Response } from 'express';
import { parseVnDate } from '../../domain/vn-time.js';
import type { AppDeps } from '../http/deps.js';
import { sendXlsx } from '../http/excel.js';
import { actorOf, assertRole, needRole } from '../http/guards.js';
import { paging, parse } from '../http/schemas.js';
import { bookBody, bookId, bookPatch, bookSearchQuery, exportQuery } from './schemas.js';
import {
  closeRegisterBook, closeRegisterYear, createRegisterBook, deleteRegisterBook, getRegisterBook, listBookEntries, listRegisterYears,
  registerBookWorkbook, searchRegisterBooks, updateRegisterBook,
} from './service.js';

const NOT_SEALER = 'Bạn không có Quyền đóng dấu bản sao để quản lý sổ chứng thực.';

export function registerJson(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;
  const sealer = needRole('sealer', NOT_SEALER);
  /** The actor's own book (404 otherwise), then the sealer role (403). */
  const ownBook = async (res: Response, raw: unknown) => {
    const book = await getRegisterBook(db, actorOf(res).agencyCode, bookId(raw));
    assertRole(actorOf(res), 'sealer', NOT_SEALER);
    return book;
  };

  r.get('/register-books', sealer, async (req, res, next) => {
    try {
      const q = parse(bookSearchQuery, req.query);
      const { items } = await searchRegisterBooks(db, actorOf(res).agencyCode, { year: q.year, name: q.name }, { all: true });
      res.json(items);
    } catch (e) { next(e); }
  });

  r.post('/register-books', sealer, async (req, res, next) => {
    try {
      const b = parse(bookBody, req.body ?? {});
      const book = await createRegisterBook(db, {
        agencyCode: actorOf(res).agencyCode, name: b.name, startNumber: b.startNumber,
        openDate: parseVnDate(b.openDate), closeDate: parseVnDate(b.closeDate), createdBy: actorOf(res).username,
      });
      res.status(201).json(book);
    } catch (e) { next(e); }
  });

  // The year's sequences and their year-end closing (khóa sổ), before /register-books/:id.
  r.get('/register-books/years', sealer, async (_req, res, next) => {
    try {
      res.json(await listRegisterYears(db, actorOf(res).agencyCode));
    } catch (e) { next(e); }
  });

  r.post('/register-books/years/:year/close', sealer, async (req, res, next) => {
    try {
      res.json(await closeRegisterYear(db, { agencyCode: actorOf(res).agencyCode, year: req.params.year, closedBy: actorOf(res).username }));
    } catch (e) { next(e); }
  });

  r.post('/register-books/:id/close', async (req, res, next) => {
    try {
      const book = await ownBook(res, req.params.id);
      res.json(await closeRegisterBook(db, { agencyCode: actorOf(res).agencyCode, id: book.id, closedBy: actorOf(res).username }));
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
        agencyCode: actorOf(res).agencyCode, id: book.id, name: b.name, startNumber: b.startNumber, openDate: b.openDate, closeDate: b.closeDate, by: actorOf(res).username,
      });
      res.json(updated);
    } catch (e) { next(e); }
  });

  r.delete('/register-books/:id', async (req, res, next) => {
    try {
      const book = await ownBook(res, req.params.id);
      await deleteRegisterBook(db, { agencyCode: actorOf(res).agencyCode, id: book.id, by: actorOf(res).username });
      res.status(204).end();
    } catch (e) { next(e); }
  });

  r.get('/register-books/:id/export.xlsx', async (req, res, next) => {
    try {
      const book = await ownBook(res, req.params.id);
      sendXlsx(res, await registerBookWorkbook(db, actorOf(res).agencyCode, book.id, parse(exportQuery, req.query).layout));
    } catch (e) { next(e); }
  });

  return r;
}
