// Register books and certification numbers. A number is allocated in one database transaction with the
// book row locked: no gaps, no duplicates, also under concurrent seals and activity retries.
import { ApplicationFailure } from '@temporalio/activity';
import { vnIsoDate } from '../domain/dates.js';
import { DomainError } from '../domain/errors.js';
import type { Db, RegisterBookRow } from '../lib/db.js';
import type { DossierView } from '../workflows/messages.js';
import type { ActivityDeps } from './deps.js';

export const BOOK_SUFFIX = '/ĐT';

export const formatCertificationNumber = (n: number) => `${n}${BOOK_SUFFIX}`;

export interface AllocatedNumber {
  certificationNumber: string;
  number: number;
  registerBookId: number;
  registerBookName: string;
  certifiedAt: string;
}

/** Normalises a book name so that it ends with the electronic-book suffix '/ĐT'. */
export function bookName(raw: string): string {
  const n = raw.trim().normalize('NFC').replace(/\s*\/\s*(ĐT|đt|DT|dt)$/u, '');
  return `${n}${BOOK_SUFFIX}`;
}

export async function createRegisterBook(db: Db, input: { agencyCode: string; name: string; startNumber: unknown; openDate: string | null; closeDate: string | null; createdBy: string }): Promise<RegisterBookRow> {
  const name = bookName(String(input.name ?? ''));
  if (name.length <= BOOK_SUFFIX.length || name.length > 100) throw new DomainError('validation', 'Vui lòng nhập tên sổ chứng thực (tối đa 100 ký tự).', 'name');
  const startRaw = String(input.startNumber ?? '').trim();
  if (!/^\d{1,9}$/.test(startRaw) || Number(startRaw) < 1) throw new DomainError('validation', 'Số ban đầu chỉ gồm chữ số và phải lớn hơn 0.', 'startNumber');
  if (!input.openDate) throw new DomainError('validation', 'Ngày mở sổ không hợp lệ (dd/mm/yyyy).', 'openDate');
  if (!input.closeDate) throw new DomainError('validation', 'Ngày đóng sổ không hợp lệ (dd/mm/yyyy).', 'closeDate');
  if (input.closeDate < input.openDate) throw new DomainError('validation', 'Ngày đóng sổ phải sau hoặc bằng ngày mở sổ.', 'closeDate');
  const start = Number(startRaw);
  const dup = await db.selectFrom('register_books').select('id').where('agency_code', '=', input.agencyCode).where('name', '=', name).executeTakeFirst();
  if (dup) throw new DomainError('conflict', `Sổ chứng thực "${name}" đã tồn tại.`, 'name');
  return db.insertInto('register_books').values({
    agency_code: input.agencyCode, name, start_number: start, current_number: start, open_date: input.openDate,
    close_date: input.closeDate, created_by: input.createdBy,
  }).returningAll().executeTakeFirstOrThrow();
}

export function listRegisterBooks(db: Db, agencyCode: string, opts: { openOn?: string } = {}) {
  let q = db.selectFrom('register_books').selectAll().where('agency_code', '=', agencyCode);
  if (opts.openOn) q = q.where('open_date', '<=', opts.openOn).where('close_date', '>=', opts.openOn);
  return q.orderBy('open_date', 'desc').orderBy('id', 'desc').execute();
}

export async function allocateNumber(db: Db, input: { dossier: DossierView; registerBookId: number; at: string; signerName: string }): Promise<AllocatedNumber> {
  const d = input.dossier;
  return db.transaction().execute(async (tx) => {
    const existing = await tx.selectFrom('register_entries').innerJoin('register_books', 'register_books.id', 'register_entries.register_book_id')
      .select(['register_entries.number', 'register_entries.certification_number', 'register_entries.certified_at', 'register_books.id', 'register_books.name'])
      .where('register_entries.dossier_code', '=', d.code).executeTakeFirst();
    if (existing) {
      return { certificationNumber: existing.certification_number, number: existing.number, registerBookId: existing.id, registerBookName: existing.name, certifiedAt: new Date(existing.certified_at).toISOString() };
    }
    const book = await tx.selectFrom('register_books').selectAll().where('id', '=', input.registerBookId).forUpdate().executeTakeFirst();
    if (!book || book.agency_code !== d.agencyCode) throw new DomainError('not_found', 'Không tìm thấy sổ chứng thực của đơn vị.');
    const today = vnIsoDate(new Date(input.at));
    if (today < book.open_date || today > book.close_date) {
      throw new DomainError('validation', `Sổ ${book.name} chỉ được dùng từ ngày mở sổ đến ngày đóng sổ; hôm nay sổ không mở.`);
    }
    const number = book.current_number;
    const certificationNumber = formatCertificationNumber(number);
    await tx.insertInto('register_entries').values({
      register_book_id: book.id, number, certification_number: certificationNumber, dossier_code: d.code,
      applicant_name: d.applicant.fullName, document_type_name: d.documentType.name, signer_name: input.signerName,
      copies: d.copies, fee: d.fee, certified_at: input.at,
    }).execute();
    await tx.updateTable('register_books').set({ current_number: number + 1 }).where('id', '=', book.id).execute();
    return { certificationNumber, number, registerBookId: book.id, registerBookName: book.name, certifiedAt: input.at };
  });
}

export function registerActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    async allocateCertificationNumber(input: { dossier: DossierView; registerBookId: number; at: string; signerName: string }): Promise<AllocatedNumber> {
      try {
        return await allocateNumber(db, input);
      } catch (e) {
        if (e instanceof DomainError) throw ApplicationFailure.nonRetryable(e.message, e.code);
        throw e; // database trouble: retried
      }
    },
  };
}
