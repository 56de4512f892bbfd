// First look at an uploaded original scan: is it a readable, unencrypted PDF with pages, without active content?
// Untrusted bytes: callers on the web server run this through the worker pool (pool.ts), never on the event loop.
import { AsyncLocalStorage } from 'node:async_hooks';
import { deflateSync } from 'node:zlib';
import {
  decodePDFRawStream, PDFArray, PDFContext, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFRef, PDFString,
  type PDFObject,
} from 'pdf-lib-incremental-save';

export type ScanErrorCode = 'not_pdf' | 'encrypted' | 'broken' | 'empty' | 'too_large' | 'active_content';

/** Bytes pdf-lib may inflate while reading one file (object and xref streams; images are never inflated here). */
export const MAX_DECODED_BYTES = 64 * 1024 * 1024;

const MESSAGES: Record<ScanErrorCode, string> = {
  not_pdf: 'Tệp đính kèm không phải là tệp PDF hợp lệ.',
  encrypted: 'Tệp PDF đã được đặt mật khẩu (mã hóa); vui lòng quét lại không mã hóa.',
  broken: 'Tệp PDF bị hỏng, không đọc được.',
  empty: 'Tệp PDF không có trang nào.',
  too_large: `Tệp PDF chứa dữ liệu nén bất thường (giải nén vượt quá ${MAX_DECODED_BYTES / 1024 / 1024} MB), không thể kiểm tra an toàn; vui lòng quét lại bản chính.`,
  active_content: 'Tệp PDF có nội dung chủ động không được phép.',
};

export class ScanError extends Error {
  constructor(readonly code: ScanErrorCode, message: string = MESSAGES[code]) {
    super(message);
    this.name = 'ScanError';
  }
}

// ---- a budget on what pdf-lib inflates -----------------------------------------------------------------------
// pdf-lib inflates every object stream while loading, with no limit: a 1.5 MB file can ask for 1.5 GB (outside
// the V8 heap, so a worker's heap limit alone does not stop it). Every decoder grows its output through
// DecodeStream.ensureBuffer; wrapping it counts the bytes per load (AsyncLocalStorage: concurrent loads keep
// their own count) and stops the load past the budget.
interface DecodeBudget { left: number; exceeded: boolean }
const decodeBudget = new AsyncLocalStorage<DecodeBudget>();

(function limitDecoding() {
  // The DecodeStream class of the very pdf-lib build PDFDocument uses, reached through its public API.
  const flate = decodePDFRawStream(PDFRawStream.of(PDFContext.create().obj({ Filter: 'FlateDecode' }), deflateSync(Buffer.alloc(0))));
  let proto = Object.getPrototypeOf(flate);
  while (proto && !Object.prototype.hasOwnProperty.call(proto, 'ensureBuffer')) proto = Object.getPrototypeOf(proto);
  if (!proto) throw new Error('pdf-lib: DecodeStream.ensureBuffer not found (pdf-lib changed; check the decode budget)');
  const ensureBuffer = proto.ensureBuffer as (this: { buffer: Uint8Array }, requested: number) => Uint8Array;
  proto.ensureBuffer = function (this: { buffer: Uint8Array }, requested: number) {
    const budget = decodeBudget.getStore();
    const before = this.buffer.byteLength;
    if (budget && requested > before) {
      if (budget.exceeded || requested - before > budget.left) {
        budget.exceeded = true;
        throw new RangeError('decode budget exceeded');
      }
    }
    const out = ensureBuffer.call(this, requested);
    if (budget) budget.left -= out.byteLength - before;
    return out;
  };
})();

// ---- active content ------------------------------------------------------------------------------------------
const name = (o: PDFObject | undefined) => (o instanceof PDFName ? o.decodeText() : null);
const ACTION_KEYS = new Set(['A', 'OpenAction', 'Next', 'PA', 'AAEntry']);
const EMBEDDED = 'tệp nhúng (embedded file)';
const MEDIA = new Set(['Screen', 'Movie', 'Sound', '3D']);
const FORBIDDEN_ACTIONS: Record<string, string> = {
  JavaScript: 'JavaScript',
  Launch: 'hành động Launch (chạy chương trình hoặc mở tệp)',
  SubmitForm: 'gửi dữ liệu biểu mẫu ra ngoài (SubmitForm)',
  ImportData: 'nhập dữ liệu từ tệp khác (ImportData)',
  GoToR: 'mở tài liệu khác (GoToR)',
  GoToE: 'mở tài liệu nhúng (GoToE)',
  RichMediaExecute: 'nội dung đa phương tiện RichMedia',
  Rendition: 'nội dung đa phương tiện (Rendition)',
  Movie: 'nội dung đa phương tiện (Movie)',
  Sound: 'nội dung đa phương tiện (Sound)',
};

/** A file name as the file carries it, cut to something printable and short, for the message. */
function fileNameOf(spec: PDFDict, ctx: PDFContext): string | null {
  for (const key of ['UF', 'F']) {
    const v = ctx.lookup(spec.get(PDFName.of(key)));
    if (v instanceof PDFString || v instanceof PDFHexString) {
      const s = v.decodeText().replace(/[^\p{L}\p{N}\p{P}\p{Zs}]/gu, '').trim().slice(0, 60);
      if (s) return s;
    }
  }
  return null;
}

/**
 * What a reader could run or open from this document, in Vietnamese (empty when nothing): walks every object
 * reachable from the catalog (pages, annotations, form fields, name trees, outlines), as pdf-lib parsed it,
 * object streams included. A plain destination or a GoTo/URI link is not active content.
 */
export function findActiveContent(doc: PDFDocument): string[] {
  const ctx = doc.context;
  const found = new Set<string>();
  const files = new Set<string>();
  const seen = new Set<PDFObject>();
  // `via`: the key the object was reached by, which says what it is (an action under /A, /OpenAction, /Next or
  // an /AA entry; a value of the document's JavaScript name tree).
  const stack: { obj: PDFObject | undefined; via: string }[] = [{ obj: doc.catalog, via: 'Root' }];
  while (stack.length) {
    const { obj: raw, via } = stack.pop()!;
    const obj = raw instanceof PDFRef ? ctx.lookup(raw) : raw;
    if (!obj || seen.has(obj)) continue;
    seen.add(obj);
    if (obj instanceof PDFArray) {
      for (const v of obj.asArray()) stack.push({ obj: v, via });
      continue;
    }
    const dict = obj instanceof PDFDict ? obj : obj instanceof PDFRawStream ? obj.dict : null;
    if (!dict) continue;
    const get = (k: string) => ctx.lookup(dict.get(PDFName.of(k)));
    const type = name(get('Type'));
    const subtype = name(get('Subtype'));

    const isAction = ACTION_KEYS.has(via) || via === 'JavaScriptTree' || type === 'Action';
    const s = isAction ? name(get('S')) : null;
    if (s && FORBIDDEN_ACTIONS[s]) found.add(FORBIDDEN_ACTIONS[s]);
    if (isAction && dict.has(PDFName.of('JS'))) found.add('JavaScript');
    if (via === 'OpenAction' && s && s !== 'GoTo') found.add(`hành động tự chạy khi mở tệp (OpenAction /${s})`);

    if (type === 'EmbeddedFile' || get('EF') instanceof PDFDict || subtype === 'FileAttachment') {
      found.add(EMBEDDED);
      const spec = subtype === 'FileAttachment' ? get('FS') : dict;
      const n = spec instanceof PDFDict ? fileNameOf(spec, ctx) : null;
      if (n) files.add(n);
    }
    if (subtype === 'RichMedia') found.add('nội dung đa phương tiện RichMedia');
    if (subtype && MEDIA.has(subtype)) found.add(`nội dung đa phương tiện (${subtype})`);
    if (via === 'AcroForm' && dict.has(PDFName.of('XFA'))) found.add('biểu mẫu XFA');

    for (const [k, v] of dict.entries()) {
      const key = k.decodeText();
      if (key === 'AA') {
        // Additional actions run on events (open, close, page view, mouse, keystroke): refused whatever they do.
        const aa = ctx.lookup(v);
        if (aa instanceof PDFDict && aa.keys().length) found.add('hành động bổ sung tự chạy (/AA)');
        if (aa instanceof PDFDict) for (const [, action] of aa.entries()) stack.push({ obj: action, via: 'AAEntry' });
        continue;
      }
      const inTree = (via === 'JavaScriptTree' && (key === 'Names' || key === 'Kids')) || (via === 'Names' && key === 'JavaScript');
      stack.push({ obj: v, via: inTree ? 'JavaScriptTree' : key });
    }
  }
  const list = [...found];
  if (files.size) {
    const i = list.indexOf(EMBEDDED);
    if (i >= 0) list[i] = `tệp nhúng (embedded file: ${[...files].slice(0, 3).join(', ')})`;
  }
  return list;
}

// ---- the check -----------------------------------------------------------------------------------------------
export async function inspectScan(buf: Buffer): Promise<{ pages: number }> {
  if (buf.length === 0) throw new ScanError('empty', 'Tệp đính kèm rỗng.');
  // The header may follow a little junk (allowed within the first 1024 bytes).
  if (buf.subarray(0, 1024).indexOf('%PDF-') < 0) throw new ScanError('not_pdf');
  // pdf-lib recovers from almost anything, so catch truncation ourselves: %%EOF must close the file.
  const tail = buf.subarray(Math.max(0, buf.length - 1024));
  const truncated = tail.indexOf('%%EOF') < 0;

  let doc: PDFDocument;
  const budget: DecodeBudget = { left: MAX_DECODED_BYTES, exceeded: false };
  try {
    doc = await decodeBudget.run(budget, () =>
      PDFDocument.load(buf, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: true }));
  } catch {
    if (budget.exceeded) throw new ScanError('too_large');
    // An encrypted file can fail to parse (encrypted object streams): look for the /Encrypt key.
    if (buf.indexOf('/Encrypt') >= 0) throw new ScanError('encrypted');
    throw new ScanError('broken');
  }
  if (budget.exceeded) throw new ScanError('too_large'); // pdf-lib swallowed the refusal and went on
  if (doc.isEncrypted) throw new ScanError('encrypted');
  if (truncated) throw new ScanError('broken');
  let pages: number;
  try {
    pages = doc.getPages().length;
  } catch {
    throw new ScanError('broken');
  }
  if (pages === 0) throw new ScanError('empty');
  const active = findActiveContent(doc);
  if (active.length) {
    throw new ScanError('active_content',
      `Bản chính có nội dung chủ động không được phép trong bản sao điện tử: ${active.join('; ')}. `
      + 'Vui lòng tải lên bản quét chỉ gồm hình ảnh và văn bản (quét lại hoặc in lại ra PDF).');
  }
  return { pages };
}
