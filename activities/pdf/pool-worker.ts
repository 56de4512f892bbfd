// The worker-thread side of the PDF pool (pool.ts): untrusted PDFs are parsed and verified here, never on the
// web server's event loop. A failure the caller should show is returned, not thrown: an Error loses its class
// on the way back to the main thread.
import fs from 'node:fs/promises';
import { inspectScan, ScanError, type ScanErrorCode } from './scan.js';
import { verifyPdfSignatures, type PdfVerification } from './verify.js';

/** The file to read: its bytes, or the path of a temporary upload (so the web server never loads it). */
export type PdfSource = { bytes: Uint8Array } | { path: string };

export type PdfTask =
  | { kind: 'inspectScan'; source: PdfSource }
  | { kind: 'verify'; source: PdfSource; trustedCaPems: string[] };

export type PdfTaskResult =
  | { ok: true; kind: 'inspectScan'; pages: number }
  | { ok: true; kind: 'verify'; verification: PdfVerification }
  | { ok: false; code: ScanErrorCode; message: string };

async function bytesOf(source: PdfSource): Promise<Buffer> {
  if ('path' in source) return fs.readFile(source.path);
  return Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength);
}

export default async function runPdfTask(task: PdfTask): Promise<PdfTaskResult> {
  const pdf = await bytesOf(task.source);
  if (task.kind === 'verify') return { ok: true, kind: 'verify', verification: verifyPdfSignatures(pdf, { trustedCaPems: task.trustedCaPems }) };
  try {
    const { pages } = await inspectScan(pdf);
    return { ok: true, kind: 'inspectScan', pages };
  } catch (e) {
    if (e instanceof ScanError) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
}
