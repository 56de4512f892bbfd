// First look at an uploaded original scan: is it a readable, unencrypted PDF with pages?
import { PDFDocument } from 'pdf-lib-incremental-save';

export type ScanErrorCode = 'not_pdf' | 'encrypted' | 'broken' | 'empty';

const MESSAGES: Record<ScanErrorCode, string> = {
  not_pdf: 'Tệp đính kèm không phải là tệp PDF hợp lệ.',
  encrypted: 'Tệp PDF đã được đặt mật khẩu (mã hóa); vui lòng quét lại không mã hóa.',
  broken: 'Tệp PDF bị hỏng, không đọc được.',
  empty: 'Tệp PDF không có trang nào.',
};

export class ScanError extends Error {
  constructor(readonly code: ScanErrorCode, message: string = MESSAGES[code]) {
    super(message);
    this.name = 'ScanError';
  }
}

export async function inspectScan(buf: Buffer): Promise<{ pages: number }> {
  if (buf.length === 0) throw new ScanError('empty', 'Tệp đính kèm rỗng.');
  // The header may follow a little junk (allowed within the first 1024 bytes).
  if (buf.subarray(0, 1024).indexOf('%PDF-') < 0) throw new ScanError('not_pdf');
  // pdf-lib recovers from almost anything, so catch truncation ourselves: %%EOF must close the file.
  const tail = buf.subarray(Math.max(0, buf.length - 1024));
  const truncated = tail.indexOf('%%EOF') < 0;

  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(buf, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: true });
  } catch {
    // An encrypted file can fail to parse (encrypted object streams): look for the /Encrypt key.
    if (buf.indexOf('/Encrypt') >= 0) throw new ScanError('encrypted');
    throw new ScanError('broken');
  }
  if (doc.isEncrypted) throw new ScanError('encrypted');
  if (truncated) throw new ScanError('broken');
  let pages: number;
  try {
    pages = doc.getPages().length;
  } catch {
    throw new ScanError('broken');
  }
  if (pages === 0) throw new ScanError('empty');
  return { pages };
}
