// Streaming multipart parsing: the scan goes straight to a temporary file while it is hashed; a file over the
// limit is refused while streaming (never buffered whole), and a file that does not start like a PDF is
// refused at its first bytes.
import busboy from 'busboy';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Request } from 'express';
import { DomainError } from '../../domain/errors.js';
import { CSRF_MESSAGE, csrfValid } from './csrf.js';
import { controlRefusal } from './input-guard.js';
import { hasControlCharacter } from '../../domain/text.js';
import type { FileRef } from '../../domain/types.js';
import type { FileStorage } from '../../activities/storage.js';
import { timed } from '../../lib/request-timing.js';

export const MAX_SCAN_BYTES = 30 * 1024 * 1024;

export interface UploadedFile extends FileRef {
  tmpPath: string;
  fileName: string;
}

export interface ParsedForm {
  fields: Record<string, string>;
  /** The first file (the only one, unless the policy takes several). */
  file: UploadedFile | null;
  /** Every file, in the order sent (at most the policy's maxFiles). */
  files: UploadedFile[];
}

/** A refused upload keeps the form's other fields, so the screen can show them again. */
export class UploadRefused extends DomainError {
  constructor(e: DomainError, public readonly fields: Record<string, string>) {
    super(e.code, e.message, e.field);
  }
}

/** What a file field accepts: a check on its first bytes (refused at once) and the refusal for a file over the limit. */
export interface UploadPolicy {
  /** How many files the field takes (default 1); each is held to maxBytes, the whole body to maxFiles × maxBytes. */
  maxFiles?: number;
  headBytes: number;
  checkHead(head: Buffer): DomainError | null;
  tooLarge(): DomainError;
}

export const PDF_UPLOAD: UploadPolicy = {
  headBytes: 5,
  checkHead: (head) => (head.toString('latin1') === '%PDF-' ? null
    : new DomainError('bad_file', 'Tệp đính kèm không phải là tệp PDF. Bản scan bắt buộc định dạng .pdf.', 'scan')),
  tooLarge: () => new DomainError('too_large', 'Tệp đính kèm vượt quá dung lượng cho phép (tối đa 30 MB).', 'scan'),
};

/** What a form may add to its file: the multipart framing and the other fields. */
const FORM_OVERHEAD_BYTES = 1024 * 1024;

export function parseMultipart(req: Request, storage: FileStorage, fileField = 'scan', maxBytes = MAX_SCAN_BYTES, policy: UploadPolicy = PDF_UPLOAD): Promise<ParsedForm> {
  return timed('upload', () => new Promise((resolve, reject) => {
    // A body announced over the limit is refused before it is read, and the connection closed (so the rest of
    // it is not read either); a body without Content-Length (chunked) meets the streaming limit below.
    const maxFiles = policy.maxFiles ?? 1;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes * maxFiles + FORM_OVERHEAD_BYTES) {
      req.res?.set('Connection', 'close');
      reject(new UploadRefused(policy.tooLarge(), {}));
      return;
    }
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { fileSize: maxBytes, files: maxFiles, fields: 50, fieldSize: 64 * 1024 }, defParamCharset: 'utf8' });
    } catch {
      reject(new DomainError('validation', 'Yêu cầu không đúng định dạng multipart/form-data.'));
      return;
    }
    const fields: Record<string, string> = {};
    const files: (UploadedFile | undefined)[] = []; // by the order sent, whichever finishes writing first
    let failure: DomainError | null = null;
    const pending: Promise<void>[] = [];
    const fail = (e: DomainError) => {
      if (!failure) failure = e;
    };

    // The same safety net as for other bodies (api/input-guard.ts): no NUL or other control reaches a handler.
    bb.on('field', (name, value) => {
      if (hasControlCharacter(name, true) || hasControlCharacter(value, true)) { fail(controlRefusal(name.replace(/[\x00-\x1f\x7f-\x9f]/g, '?'))); return; }
      fields[name] = value;
    });
    bb.on('file', (name, stream, info) => {
      if (name !== fileField || failure) { stream.resume(); return; }
      const index = files.push(undefined) - 1;
      const tmpPath = storage.tmpPath();
      const out = fs.createWriteStream(tmpPath);
      const hash = crypto.createHash('sha256');
      let size = 0;
      let head = Buffer.alloc(0);
      pending.push(new Promise<void>((done) => {
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          hash.update(chunk);
          if (head.length < policy.headBytes) {
            head = Buffer.concat([head, chunk]).subarray(0, policy.headBytes);
            const refused = head.length >= policy.headBytes ? policy.checkHead(head) : null;
            if (refused) {
              fail(refused);
              stream.unpipe(out);
              stream.resume();
            }
          }
        });
        stream.on('limit', () => {
          fail(policy.tooLarge());
          stream.unpipe(out);
          stream.resume();
        });
        stream.pipe(out);
        const finish = () => {
          out.end(() => {
            if (size === 0 && !failure) {
              // an empty file input: no file chosen
              fs.rm(tmpPath, { force: true }, () => done());
              return;
            }
            if (failure) { fs.rm(tmpPath, { force: true }, () => done()); return; }
            files[index] = { tmpPath, fileName: (info.filename ?? 'scan.pdf').replace(/[\p{Cc}\p{Cf}]/gu, ''), sha256: hash.digest('hex'), size };
            done();
          });
        };
        stream.on('end', finish);
        stream.on('error', () => { fail(new DomainError('validation', 'Tải tệp lên bị gián đoạn.')); finish(); });
      }));
    });
    bb.on('error', () => { fail(new DomainError('validation', 'Yêu cầu tải lên không hợp lệ.')); finishAll(); });
    bb.on('close', finishAll);
    let settled = false;
    function finishAll() {
      if (settled) return;
      settled = true;
      void Promise.all(pending).then(() => {
        if (failure) {
          for (const f of files) if (f) fs.rm(f.tmpPath, { force: true }, () => {});
          reject(new UploadRefused(failure, fields));
        } else {
          const sent = files.filter((f): f is UploadedFile => Boolean(f));
          resolve({ fields, file: sent[0] ?? null, files: sent });
        }
      });
    }
    // A client gone mid-body (a closed tab, a dropped connection) would leave the parse waiting for ever and its
    // temporary file behind: end the parse, which removes the file.
    req.on('close', () => { if (!req.complete) bb.destroy(new Error('upload aborted')); });
    req.pipe(bb);
  }));
}

export async function discard(file: UploadedFile | null): Promise<void> {
  if (file) await fs.promises.rm(file.tmpPath, { force: true });
}

/**
 * A screen's multipart form: parsed like any upload, then held to the same CSRF check as other forms (the
 * token is a field sent before the file, or the htmx header). A refused form keeps nothing of its file.
 */
export async function parseFormUpload(req: Request, storage: FileStorage, fileField = 'scan', maxBytes = MAX_SCAN_BYTES, policy: UploadPolicy = PDF_UPLOAD): Promise<ParsedForm> {
  const parsed = await parseMultipart(req, storage, fileField, maxBytes, policy);
  if (!csrfValid(req, parsed.fields._csrf ?? req.get('x-csrf-token'))) {
    for (const f of parsed.files) await discard(f);
    throw new DomainError('csrf', CSRF_MESSAGE);
  }
  return parsed;
}
