// The worker-thread side of the PDF pool (pool.ts): untrusted PDFs are parsed and verified here, never on the
// web server's event loop. A failure the caller should show is returned, not thrown: an Error loses its class
// on the way back to the main thread.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AttestationPreviewInput } from './pool.js';
import { attestationPreviewPdf } from './sign.js';
import { certificateFacts, openPkcs12, Pkcs12Error, type CertificateFacts, type Pkcs12ErrorCode } from './pkcs12.js';
import { inspectScan, ScanError, type ScanErrorCode } from './scan.js';
import { verifyPdfSignatures, type PdfVerification } from './verify.js';

/** The file to read: its bytes, or the path of a temporary upload (so the web server never loads it). */
export type PdfSource = { bytes: Uint8Array } | { path: string };

export type PdfTask =
  | { kind: 'inspectScan'; source: PdfSource }
  | { kind: 'verify'; source: PdfSource; trustedCaPems: string[] }
  | { kind: 'openPkcs12'; bytes: Uint8Array; passphrase: string }
  | { kind: 'attestationPreview'; input: AttestationPreviewInput; dpi: number; timeoutMs: number };

export type PdfTaskResult =
  | { ok: true; kind: 'inspectScan'; pages: number }
  | { ok: true; kind: 'verify'; verification: PdfVerification }
  | { ok: true; kind: 'openPkcs12'; keyPkcs8: Uint8Array; certDer: Uint8Array; chainDer: Uint8Array[]; facts: CertificateFacts }
  | { ok: true; kind: 'attestationPreview'; png: Uint8Array }
  | { ok: false; code: ScanErrorCode | Pkcs12ErrorCode | 'preview_unavailable'; message: string };

async function bytesOf(source: PdfSource): Promise<Buffer> {
  if ('path' in source) return fs.readFile(source.path);
  return Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength);
}

/** The attestation page (our own content) as a PNG, drawn by poppler's pdftoppm from stdin to stdout. */
async function attestationPreviewPng(task: Extract<PdfTask, { kind: 'attestationPreview' }>): Promise<PdfTaskResult> {
  const i = task.input;
  const pdf = await attestationPreviewPdf({
    attestation: { agencyName: i.agencyName, documentTypeName: i.documentTypeName, dossierCode: i.dossierCode, date: new Date(i.date), copies: i.copies },
    signerName: i.signerName, signerTitle: i.signerTitle, ...(i.template ? { template: i.template } : {}),
  });
  // pdftoppm reads stdin ("-") but writes only to files.
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ctdt-preview-'));
  try {
    const r = spawnSync('pdftoppm', ['-png', '-r', String(task.dpi), '-singlefile', '-', path.join(dir, 'page')], { input: pdf, timeout: task.timeoutMs, stdio: ['pipe', 'ignore', 'pipe'] });
    if (r.error || r.status !== 0) {
      return { ok: false, code: 'preview_unavailable', message: `pdftoppm: ${r.error?.message || r.stderr?.toString().trim() || `exit ${r.status}`}` };
    }
    return { ok: true, kind: 'attestationPreview', png: await fs.readFile(path.join(dir, 'page.png')) };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export default async function runPdfTask(task: PdfTask): Promise<PdfTaskResult> {
  if (task.kind === 'attestationPreview') return attestationPreviewPng(task);
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
