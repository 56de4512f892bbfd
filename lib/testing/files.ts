// Files in the tests: a scan put where an upload would have left it, the files under a folder (for "nothing was
// stored"), and poppler's command-line tools (pdfsig) to check an e-copy independently of the app.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { UploadedFile } from '../../api/http/upload.js';
import type { Harness } from './harness.js';

/** Puts a PDF where an upload would have left it (the harness's data folder) and describes it as the upload does. */
export function uploadedPdf(h: Harness, pdf: Buffer, fileName = 'scan.pdf'): UploadedFile {
  const tmpPath = path.join(h.config.dataDir, `up-${crypto.randomUUID()}`);
  fs.writeFileSync(tmpPath, pdf);
  return { tmpPath, fileName, sha256: crypto.createHash('sha256').update(pdf).digest('hex'), size: pdf.length };
}

/** Every file below `dir` with its size (none when the folder is missing; a file gone meanwhile is left out). */
export function filesUnder(dir: string): { path: string; size: number }[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (!e.isDirectory()) { try { return [{ path: p, size: fs.statSync(p).size }]; } catch { return []; } }
    return filesUnder(p);
  });
}

/** Runs one of poppler's tools (pdfsig, pdfimages, pdftoppm) and returns what it printed; fails when it is missing. */
export function poppler(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd} is required (apt-get install poppler-utils): ${r.error.message}`);
  return `${r.stdout}${r.stderr}`;
}

/** Renders a page at 72 dpi (1 px = 1 pt) into `dir` and returns a pixel reader in PDF coordinates (origin bottom left). */
export function renderPage(file: string, page: number, dir: string): (x: number, y: number) => [number, number, number] {
  const out = path.join(dir, `render-${crypto.randomUUID()}`);
  poppler('pdftoppm', ['-r', '72', '-f', String(page), '-l', String(page), '-singlefile', file, out]);
  const ppm = fs.readFileSync(`${out}.ppm`);
  fs.rmSync(`${out}.ppm`);
  const m = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 40).toString('latin1'))!;
  const [w, hgt, off] = [Number(m[1]), Number(m[2]), m[0].length];
  return (x, y) => {
    const row = Math.round(hgt - y);
    const i = off + (row * w + Math.round(x)) * 3;
    return [ppm[i], ppm[i + 1], ppm[i + 2]];
  };
}
/** The colours are within `tol` of each other on every channel. */
export const near = (a: number[], b: number[], tol = 40) => a.every((v, i) => Math.abs(v - b[i]) <= tol);
/** How many pixels of a 9×9 patch around (x, y) have the colour. */
export function patch(px: (x: number, y: number) => [number, number, number], x: number, y: number, colour: number[]): number {
  let n = 0;
  for (let dx = -4; dx <= 4; dx++) for (let dy = -4; dy <= 4; dy++) if (near(px(x + dx, y + dy), colour)) n++;
  return n;
}

/** The signatures pdfsig finds in the file, and how many it calls valid (pdfsig exits 0 even when one is broken: read its text). */
export function pdfsig(file: string): { count: number; valid: number; documentTimestamps: number; out: string } {
  const out = poppler('pdfsig', [file]);
  // An empty signature field (the seal's, before the seal) is listed too: it is not a signature. Nor is a
  // document timestamp (B-LTA), which pdfsig lists with an unknown type (ETSI.RFC3161) and does not verify.
  const blocks = out.split(/^Signature #\d+:$/m).slice(1).filter((b) => !/The signature form field is not signed/.test(b));
  const isTimestamp = (b: string) => /Signature Type: (unknown|ETSI\.RFC3161)/.test(b);
  const signed = blocks.filter((b) => !isTimestamp(b));
  return { count: signed.length, valid: signed.filter((b) => /Signature Validation: Signature is Valid\./.test(b)).length, documentTimestamps: blocks.length - signed.length, out };
}
