// Register numbering on the real stack: concurrent seals give consecutive numbers, retries never renumber.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../domain/errors.js';
import type { Actor } from '../domain/types.js';
import { uploadedPdf } from '../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../lib/testing/harness.js';
import { allocateNumber, bookName, createRegisterBook } from './register.js';

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

const today = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);

beforeAll(async () => {
  h = await createHarness({ web: false });
  [canbo, lanhdao, vanthu] = await Promise.all(['canbo', 'lanhdao', 'vanthu'].map((u) => h.actor(u)));
  pdf = await makePdf(1);
});
afterAll(async () => { await h?.close(); });

describe('register numbering', () => {
  it('50 concurrent seals on one book give 50 consecutive numbers, no gaps, no duplicates', async () => {
    const book = await createRegisterBook(h.db, { agencyCode: h.agencyCode, name: 'Sổ đồng thời', startNumber: '101', openDate: '2000-01-01', closeDate: '2099-12-31', createdBy: 'vanthu' });
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

  it('concurrent seals across two books number each book on its own', async () => {
    const a = await createRegisterBook(h.db, { agencyCode: h.agencyCode, name: 'Sổ A', startNumber: '1', openDate: '2000-01-01', closeDate: '2099-12-31', createdBy: 'vanthu' });
    const b = await createRegisterBook(h.db, { agencyCode: h.agencyCode, name: 'Sổ B', startNumber: '500', openDate: '2000-01-01', closeDate: '2099-12-31', createdBy: 'vanthu' });
    const codes = await signedDossiers(12);
    await Promise.all(codes.map((c, i) => h.service.act(vanthu, c, 'seal', { registerBookId: i % 2 ? b.id : a.id }, `seal-${c}`)));
    const numbersOf = async (id: number) => (await h.db.selectFrom('register_entries').select('number').where('register_book_id', '=', id).orderBy('number').execute()).map((e) => e.number);
    expect(await numbersOf(a.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await numbersOf(b.id)).toEqual([500, 501, 502, 503, 504, 505]);
  });

  it('a retried allocation returns the first number instead of taking another', async () => {
    const book = await createRegisterBook(h.db, { agencyCode: h.agencyCode, name: 'Sổ thử lại', startNumber: '7', openDate: '2000-01-01', closeDate: '2099-12-31', createdBy: 'vanthu' });
    const [code] = await signedDossiers(1);
    const dossier = await h.service.get(vanthu, code);
    const at = new Date().toISOString();
    const first = await allocateNumber(h.db, { dossier, registerBookId: book.id, at, signerName: 'x' });
    const [again1, again2] = await Promise.all([
      allocateNumber(h.db, { dossier, registerBookId: book.id, at, signerName: 'x' }),
      allocateNumber(h.db, { dossier, registerBookId: book.id, at, signerName: 'x' }),
    ]);
    expect(first.certificationNumber).toBe('7/ĐT');
    expect(again1).toEqual(first);
    expect(again2).toEqual(first);
    const row = await h.db.selectFrom('register_books').select('current_number').where('id', '=', book.id).executeTakeFirstOrThrow();
    expect(row.current_number).toBe(8);
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
    // The same dossier can then be sealed in an open book.
    const open = await createRegisterBook(h.db, { agencyCode: h.agencyCode, name: 'Sổ mở', startNumber: '1', openDate: today(), closeDate: today(), createdBy: 'vanthu' });
    const ok = await h.service.act(vanthu, code, 'seal', { registerBookId: open.id }, 'seal-open');
    expect(ok.certificationNumber).toBe('1/ĐT');
  });

  it('validates new books', async () => {
    const bad = async (input: Partial<Parameters<typeof createRegisterBook>[1]>) =>
      createRegisterBook(h.db, { agencyCode: h.agencyCode, name: 'Sổ X', startNumber: '1', openDate: '2026-01-01', closeDate: '2026-12-31', createdBy: 'vanthu', ...input }).then(() => null, (e) => e as DomainError);
    expect((await bad({ startNumber: '1a' }))?.field).toBe('startNumber');
    expect((await bad({ startNumber: '-3' }))?.field).toBe('startNumber');
    expect((await bad({ closeDate: '2025-12-31' }))?.field).toBe('closeDate');
    expect((await bad({ name: '  ' }))?.field).toBe('name');
    await createRegisterBook(h.db, { agencyCode: h.agencyCode, name: 'Sổ trùng', startNumber: '1', openDate: '2026-01-01', closeDate: '2026-12-31', createdBy: 'vanthu' });
    expect((await bad({ name: 'Sổ trùng/ĐT' }))?.code).toBe('conflict');
    expect(bookName('12/2026')).toBe('12/2026/ĐT');
    expect(bookName('12/2026 / dt')).toBe('12/2026/ĐT');
  });
});
