// One worker-thread pool for every untrusted PDF the web server reads (scans at upload, public verification):
// parsing runs off the event loop, each task under a time limit and each worker under a memory limit. A task
// past either is refused with a Vietnamese DomainError; the worker that hit it is replaced, the server goes on.
import { Piscina } from 'piscina';
import { createRequire } from 'node:module';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { DomainError } from '../../domain/errors.js';
import type { AttestationTemplate } from '../../domain/templates.js';
import { ScanError, type ScanErrorCode } from './scan.js';
import type { CertificateFacts, OpenedPkcs12 } from './pkcs12.js';
import type { PdfVerification, VerifyOptions } from './verify.js';
import type { PdfSource, PdfTask, PdfTaskResult } from './pool-worker.js';

export type { PdfSource } from './pool-worker.js';

/** What the attestation page says (as signDossier will write it), for its preview on "Xử lý". */
export interface AttestationPreviewInput {
  agencyName: string;
  documentTypeName: string;
  dossierCode: string;
  /** ISO instant: the date line (the day the leader looks at it; signing writes its own). */
  date: string;
  copies: number;
  signerName: string;
  signerTitle: string;
  /** The attestation template to draw with (the latest published, or a draft); default: version 1. */
  template?: AttestationTemplate;
}

/** Pixels per inch of the preview: 1.5 px per PDF point, sharp at the screen's 1:1 size and on a HiDPI screen. */
export const PREVIEW_DPI = 108;
export const PREVIEW_UNAVAILABLE_MESSAGE = 'Chưa hiển thị được trang lời chứng (máy chủ thiếu công cụ pdftoppm của poppler-utils); vẫn chọn được vị trí có sẵn bên dưới.';

export interface PdfPoolOptions {
  /** Worker threads (the machine has 2 cores; the web server keeps its own). */
  threads?: number;
  /** Per task, from submission: time in the queue counts, so a flood of uploads cannot hold a request for ever. */
  timeoutMs?: number;
  /** V8 old-generation heap per worker. */
  maxHeapMb?: number;
  /** Tasks waiting for a worker; past it, uploads are refused at once (throttled). */
  maxQueue?: number;
}

export const PDF_POOL_DEFAULTS: Required<PdfPoolOptions> = {
  threads: Math.max(1, Math.min(2, os.availableParallelism() - 1)),
  timeoutMs: 20_000,
  maxHeapMb: 512,
  maxQueue: 32,
};

export const PDF_TIMEOUT_MESSAGE = 'Không xử lý xong tệp PDF trong thời gian cho phép (tệp quá phức tạp hoặc hệ thống đang bận). Vui lòng thử lại sau hoặc quét lại tệp.';
export const PDF_MEMORY_MESSAGE = 'Tệp PDF cần quá nhiều bộ nhớ để đọc, không thể kiểm tra an toàn. Vui lòng quét lại bản chính với dung lượng nhỏ hơn.';
export const PDF_BUSY_MESSAGE = 'Hệ thống đang kiểm tra nhiều tệp PDF cùng lúc. Vui lòng thử lại sau ít phút.';
export const PDF_UNREADABLE_MESSAGE = 'Không đọc được tệp PDF.';
const PKCS12_MESSAGES = {
  timeout: 'Không mở xong tệp chứng thư số trong thời gian cho phép (tệp bất thường hoặc hệ thống đang bận). Vui lòng thử lại hoặc xuất lại tệp PKCS#12.',
  memory: 'Tệp chứng thư số cần quá nhiều bộ nhớ để mở, không thể kiểm tra an toàn.',
  unreadable: 'Không đọc được tệp chứng thư số: cần tệp PKCS#12 (.p12, .pfx).',
};

// The worker is TypeScript: under `node --import tsx` (npm start, the Dockerfile) it inherits the loader; under
// vitest, whose transform does not reach worker threads, the loader is given to the worker here (by its path, so
// the server's working directory does not matter).
const WORKER = new URL('./pool-worker.ts', import.meta.url).href;
const hasTsx = (argv: string[]) => argv.some((a, i) => argv[i - 1] === '--import' && /(^|[/\\])tsx([/\\]|$)|^tsx$/.test(a));
const execArgv = hasTsx(process.execArgv) ? process.execArgv
  : ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];

export class PdfPool {
  private readonly pool: Piscina<PdfTask, PdfTaskResult>;
  private readonly timeoutMs: number;

  constructor(options: PdfPoolOptions = {}) {
    const o = { ...PDF_POOL_DEFAULTS, ...options };
    this.timeoutMs = o.timeoutMs;
    this.pool = new Piscina<PdfTask, PdfTaskResult>({
      filename: WORKER,
      execArgv,
      minThreads: 1, // one kept warm: starting a worker (tsx, pdf-lib) takes a second of CPU
      maxThreads: o.threads,
      idleTimeout: 60_000,
      maxQueue: o.maxQueue,
      concurrentTasksPerWorker: 1,
      // Below the web server's own thread: a flood of uploads must not starve the requests (Linux: per thread).
      niceIncrement: 10,
      // External memory (inflated streams) is not under maxOldGenerationSizeMb: scan.ts bounds it itself.
      resourceLimits: { maxOldGenerationSizeMb: o.maxHeapMb, maxYoungGenerationSizeMb: 64, stackSizeMb: 4 },
    });
    // A worker that dies between tasks is reported here; without a listener the event would end the process.
    this.pool.on('error', (e: unknown) => console.error('pdf pool: worker error', e));
  }

  /** inspectScan (scan.ts) in a worker: throws ScanError as inspectScan does, or a DomainError past the limits. */
  async inspectScan(source: Buffer | PdfSource): Promise<{ pages: number }> {
    const r = await this.run({ kind: 'inspectScan', source: sourceOf(source) });
    if (!r.ok) throw new ScanError(r.code as ScanErrorCode, r.message);
    if (r.kind !== 'inspectScan') throw new Error('pdf pool: unexpected answer');
    return { pages: r.pages };
  }

  /** verifyPdfSignatures (verify.ts) in a worker; a DomainError past the limits. */
  async verify(source: Buffer | PdfSource, opts: VerifyOptions = {}): Promise<PdfVerification> {
    const r = await this.run({ kind: 'verify', source: sourceOf(source), trustedCaPems: opts.trustedCaPems ?? [] });
    if (!r.ok) throw new DomainError('bad_file', r.message);
    if (r.kind !== 'verify') throw new Error('pdf pool: unexpected answer');
    return r.verification;
  }

  /** openPkcs12 + certificateFacts (pkcs12.ts) in a worker: a wrong passphrase or a bad file is a 'validation'
   *  DomainError naming the field; past the limits, a DomainError as for PDFs. */
  async openPkcs12(p12: Buffer, passphrase: string): Promise<{ opened: OpenedPkcs12; facts: CertificateFacts }> {
    const r = await this.run({ kind: 'openPkcs12', bytes: p12, passphrase }, PKCS12_MESSAGES);
    if (!r.ok) throw new DomainError('validation', r.message, r.code === 'pkcs12_wrong_passphrase' ? 'passphrase' : 'file');
    if (r.kind !== 'openPkcs12') throw new Error('pdf pool: unexpected answer');
    const buf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
    return { opened: { keyPkcs8: buf(r.keyPkcs8), certDer: buf(r.certDer), chainDer: r.chainDer.map(buf) }, facts: r.facts };
  }

  /** The attestation page as a PNG (PREVIEW_DPI) in a worker; a DomainError 'unavailable' when it cannot be drawn. */
  async attestationPreview(input: AttestationPreviewInput): Promise<Buffer> {
    const r = await this.run({ kind: 'attestationPreview', input, dpi: PREVIEW_DPI, timeoutMs: Math.min(10_000, this.timeoutMs) });
    if (!r.ok) {
      console.error('pdf pool: attestation preview', r.message);
      throw new DomainError('unavailable', PREVIEW_UNAVAILABLE_MESSAGE);
    }
    if (r.kind !== 'attestationPreview') throw new Error('pdf pool: unexpected answer');
    return Buffer.from(r.png.buffer, r.png.byteOffset, r.png.byteLength);
  }

  /** Ends the workers (running tasks are refused). */
  async close(): Promise<void> {
    await this.pool.destroy();
  }

  private async run(task: PdfTask, messages = { timeout: PDF_TIMEOUT_MESSAGE, memory: PDF_MEMORY_MESSAGE, unreadable: PDF_UNREADABLE_MESSAGE }): Promise<PdfTaskResult> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      return await this.pool.run(task, { signal });
    } catch (e) {
      const err = e as { name?: string; code?: string; message?: string };
      if (err.name === 'AbortError' || signal.aborted) throw new DomainError('bad_file', messages.timeout);
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') throw new DomainError('too_large', messages.memory);
      if (err.message === 'Task queue is at limit') throw Object.assign(new DomainError('throttled', PDF_BUSY_MESSAGE), { retryAfter: 30 });
      // Anything else the parser or the worker died of: the file is what broke it.
      console.error('pdf pool: task failed', e);
      throw new DomainError('bad_file', messages.unreadable);
    }
  }
}

/** Bytes are copied to the worker (the caller keeps its buffer); a path is read by the worker itself. */
function sourceOf(s: Buffer | PdfSource): PdfSource {
  return Buffer.isBuffer(s) ? { bytes: s } : s;
}

// ---- the process's pool ----------------------------------------------------------------------------------------
let shared: PdfPool | null = null;

/** The web server's one pool, created at first use. */
export function pdfPool(): PdfPool {
  shared ??= new PdfPool();
  return shared;
}

/** Ends the shared pool (tests; a later call to pdfPool() makes a new one). */
export async function closePdfPool(): Promise<void> {
  const p = shared;
  shared = null;
  await p?.close();
}

export const inspectScanOffThread = (source: Buffer | PdfSource) => pdfPool().inspectScan(source);
export const openPkcs12OffThread = (p12: Buffer, passphrase: string) => pdfPool().openPkcs12(p12, passphrase);
export const attestationPreviewOffThread = (input: AttestationPreviewInput) => pdfPool().attestationPreview(input);
export const verifyOffThread = (source: Buffer | PdfSource, opts?: VerifyOptions) => pdfPool().verify(source, opts);
