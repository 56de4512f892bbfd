// Register numbering on the real stack: concurrent seals give consecutive numbers, retries never renumber, and the
// year's numbers run in one sequence over its books (NĐ 23/2015 Điều 13): one open book at a time, no interleaving.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../domain/errors.js';
import type { Actor } from '../domain/types.js';
import { vnIsoDate } from '../domain/vn-time.js';
import { uploadedPdf } from '../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../lib/testing/harness.js';
import { closeRegisterBook, createRegisterBook } from '../api/register/service.js';
import { allocateNumber } from './register.js';

let h: Harness;
let canbo: Actor, lanhdao: Actor, vanthu: Actor;
let pdf: Buffer;

/** n dossiers, signed, waiting for the seal. */
async function signedDossiers(n: number): Promise<string[]> {
  const codes: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = await h.service.create(canbo, { applicantKind: 'no_account', email: `cd${i}@example.vn`, fullName: `Công dân ${i}`, documentType: 'KHAC' }, uploadedPdf(h, pdf), crypto.randomUUID());
    codes.push(d.code);
  }
  // Sign in small batches: two cores.
  for (let i = 0; i < codes.length; i += 5) {
    await Promise.all(codes.slice(i, i + 5).map((c) => h.service.act(lanhdao, c, 'sign', {}, `sign-${c}`)));
  }
  return codes;
}

const today = () => vnIsoDate(new Date());
const YEAR = Number(today().slice(0, 4));
const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(() => null, (err) => err);
  expect(e, 'refused').toBeInstanceOf(DomainError);
  return e as DomainError;
};
const numbersOf = async (id: number) => (await h.db.selectFrom('register_entries').select('number').where('register_book_id', '=', id).orderBy('number').execute()).map((e) => e.number);
let concurrent: { id: number; name: string };
let second: { id: number; name: string };

beforeAll(async () => {
  h = await createHarness({ web: false });
  [canbo, lanhdao, vanthu] = await Promise.all(['canbo', 'lanhdao', 'vanthu'].map((u) => h.actor(u)));
  pdf = await makePdf(1);
});
afterAll(async () => { await h?.close(); });

describe('register numbering', () => {
  it('50 concurrent seals on one book give 50 consecutive numbers, no gaps, no duplicates', async () => {
    // The year's first book may start higher (continuing a numbering begun outside the system): the seeded
    // book of the year is still empty, so it is closed and one starting at 101 opened.
    const seeded = await h.db.selectFrom('register_books').select('id').where('agency_code', '=', h.agencyCode).where('name', '=', `01/${YEAR}/ĐT`).executeTakeFirstOrThrow();
    await closeRegisterBook(h.db, { agencyCode: h.agencyCode, id: seeded.id, closedBy: 'vanthu' });
    const book = await createRegisterBook(h.db, { agencyCode: h.agencyCode, name: 'Sổ đồng thời', startNumber: '101', openDate: `${YEAR}-01-01`, closeDate: `${YEAR}-12-31`, createdBy: 'vanthu' });
    concurrent = book;
    const codes = await signedDossiers(50);
    const results = await Promise.all(codes.map((c) => h.service.act(vanthu, c, 'seal', { registerBookId: book.id }, `seal-${c}`)));
    const numbers = results.map((r) => Number(r.certificationNumber!.replace('/ĐT', ''))).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => 101 + i));
    const after = await h.db.selectFrom('register_books').select('current_number').where('id', '=', book.id).executeTakeFirstOrThrow();
    expect(after.current_number).toBe(151);
    const entries = await h.db.selectFrom('register_entries').select(['number', 'dossier_code']).where('register_book_id', '=', book.id).execute();
    expect(entries).toHaveLength(50);
    expect(new Set(entries.map((e) => e.dossier_code)).size).toBe(50);
  });

  it('seals over two books in a year give one continuous sequence; a book that would break it is refused', async () => {
    const books = () => h.db.selectFrom('register_books').selectAll().orderBy('id').execute();
    const before = await books();
    // With the year's book open, another book is refused, whatever its start number (50 continued nothing).
    for (const startNumber of ['50', undefined]) {
      const e = await refusal(createRegisterBook(h.db, { agencyCode: h.agencyCode, name: 'Sổ B', startNumber, openDate: today(), closeDate: `${YEAR}-12-31`, createdBy: 'vanthu' }));
      expect(e.code).toBe('conflict');
      expect(e.message).toContain('Sổ đồng thời/ĐT');
      expect(e.message).toContain('khóa sổ');
    }
    expect(await books()).toEqual(before);
    let codes = await signedDossiers(6);
    await Promise.all(codes.map((c) => h.service.act(vanthu, c, 'seal', { registerBookId: concurrent.id }, `seal-${c}`)));
    // Full: closed, then a new book opened. Its start number must continue the year's last number.
    await closeRegisterBook(h.db, { agencyCode: h.agencyCode, id: concurrent.id, closedBy: 'vanthu' });
    const broken = await refusal(createRegisterBook(h.db, { agencyCode: h.agencyCode, name: 'Sổ B', startNumber: '500', openDate: today(), closeDate: `${YEAR}-12-31`, createdBy: 'vanthu' }));
    expect([broken.code, broken.field]).toEqual(['validation', 'startNumber']);
    expect(broken.message).toContain('157/ĐT');
    const b = await createRegisterBook(h.db, { agencyCode: h.agencyCode, name: 'Sổ B', openDate: today(), closeDate: `${YEAR}-12-31`, createdBy: 'vanthu' });
    expect(b.start_number).toBe(157);
    second = b;
    codes = await signedDossiers(6);
    // Seals racing over both books: the closed one gives nothing, the open one goes on from 157.
    const results = await Promise.allSettled(codes.map((c, i) => h.service.act(vanthu, c, 'seal', { registerBookId: i === 0 ? concurrent.id : b.id }, `seal-${c}`)));
    expect(results[0].status).toBe('rejected');
    expect(((results[0] as PromiseRejectedResult).reason as Error).message).toContain('đã khóa sổ');
    await h.service.act(vanthu, codes[0], 'seal', { registerBookId: b.id }, `seal-again-${codes[0]}`);
    expect(await numbersOf(concurrent.id)).toEqual(Array.from({ length: 56 }, (_, i) => 101 + i));
    expect(await numbersOf(b.id)).toEqual([157, 158, 159, 160, 161, 162]);
  });

  it('a retried allocation returns the first number instead of taking another', async () => {
    const book = second;
    const [code] = await signedDossiers(1);
    const dossier = await h.service.get(vanthu, code);
    const at = new Date().toISOString();
    const first = await allocateNumber(h.db, { dossier, registerBookId: book.id, at, signerName: 'x' });
    const [again1, again2] = await Promise.all([
      allocateNumber(h.db, { dossier, registerBookId: book.id, at, signerName: 'x' }),
      allocateNumber(h.db, { dossier, registerBookId: book.id, at, signerName: 'x' }),
    ]);
    expect(first.certificationNumber).toBe('163/ĐT');
    expect(again1).toEqual(first);
    expect(again2).toEqual(first);
    const row = await h.db.selectFrom('register_books').select('current_number').where('id', '=', book.id).executeTakeFirstOrThrow();
    expect(row.current_number).toBe(164);
  });

  it('a book outside its open and close dates is refused, and nothing changes', async () => {
    const closed = await createRegisterBook(h.db, { agencyCode: h.agencyCode, name: 'Sổ cũ', startNumber: '1', openDate: '2001-01-01', closeDate: '2001-12-31', createdBy: 'vanthu' });
    const [code] = await signedDossiers(1);
    const e = await h.service.act(vanthu, code, 'seal', { registerBookId: closed.id }, 'seal-closed').then(() => null, (err) => err);
    expect(e).toBeInstanceOf(DomainError);
    expect(e.message).toContain('Sổ cũ/ĐT');
    const d = await h.service.get(vanthu, code);
    expect(d.status).toBe('awaiting_seal');
    expect(d.certificationNumber).toBeNull();
    expect(await h.db.selectFrom('register_entries').select('id').where('dossier_code', '=', code).execute()).toHaveLength(0);
    // The same dossier can then be sealed in the year's open book, with the year's next number.
    const ok = await h.service.act(vanthu, code, 'seal', { registerBookId: second.id }, 'seal-open');
    expect(ok.certificationNumber).toBe('164/ĐT');
  });
});
