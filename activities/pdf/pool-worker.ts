// The worker-thread side of the PDF pool (pool.ts): untrusted PDFs are parsed and verified here, never on the
// web server's event loop. A failure the caller should show is returned, not thrown: an Error loses its class
// on the way back to the main thread.
import fs from 'node:fs/promises';
import { certificateFacts, openPkcs12, Pkcs12Error, type CertificateFacts, type Pkcs12ErrorCode } from './pkcs12.js';
import { inspectScan, ScanError, type ScanErrorCode } from './scan.js';
import { verifyPdfSignatures, type PdfVerification } from './verify.js';

/** The file to read: its bytes, or the path of a temporary upload (so the web server never loads it). */
export type PdfSource = { bytes: Uint8Array } | { path: string };

export type PdfTask =
  | { kind: 'inspectScan'; source: PdfSource }
  | { kind: 'verify'; source: PdfSource; trustedCaPems: string[] }
  | { kind: 'openPkcs12'; bytes: Uint8Array; passphrase: string };

export type PdfTaskResult =
  | { ok: true; kind: 'inspectScan'; pages: number }
  | { ok: true; kind: 'verify'; verification: PdfVerification }
  | { ok: true; kind: 'openPkcs12'; keyPkcs8: Uint8Array; certDer: Uint8Array; chainDer: Uint8Array[]; facts: CertificateFacts }
  | { ok: false; code: ScanErrorCode | Pkcs12ErrorCode; message: string };

async function bytesOf(source: PdfSource): Promise<Buffer> {
  if ('path' in source) return fs.readFile(source.path);
  return Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength);
}

export default async function runPdfTask(task: PdfTask): Promise<PdfTaskResult> {
  if (task.kind === 'openPkcs12') {
    try {
      const o = openPkcs12(Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength), task.passphrase);
      return { ok: true, kind: 'openPkcs12', keyPkcs8: o.keyPkcs8, certDer: o.certDer, chainDer: o.chainDer, facts: certificateFacts(o.certDer) };
    } catch (e) {
      if (e instanceof Pkcs12Error) return { ok: false, code: e.code, message: e.message };
      throw e;
    }
  }
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
