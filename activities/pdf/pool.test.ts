// The PDF worker pool: the same answers as in-process parsing, and the limits: a task past its time or a worker
// past its memory is refused with a Vietnamese DomainError, the worker is replaced, the process goes on.
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DomainError } from '../../domain/errors.js';
import { makeActiveContentPdf, makeInflateBombPdf, makeScanPdf } from './fixtures.js';
import { PDF_MEMORY_MESSAGE, PDF_TIMEOUT_MESSAGE, PdfPool } from './pool.js';
import { ScanError } from './scan.js';
import { verifyPdfSignatures } from './verify.js';

const pools: PdfPool[] = [];
const newPool = (o: ConstructorParameters<typeof PdfPool>[0] = {}) => { const p = new PdfPool(o); pools.push(p); return p; };
afterAll(async () => { await Promise.all(pools.map((p) => p.close())); });

const refusal = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a refusal'); }, (e: unknown) => e);

describe('answers as in-process parsing does', () => {
  it('inspectScan: pages of a good scan, by bytes or by path; ScanError for a refused one', async () => {
    const pool = newPool();
    const scan = await makeScanPdf({ pages: 3, objectStreams: true });
    expect(await pool.inspectScan(scan)).toEqual({ pages: 3 });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-pool-')), 'scan.pdf');
    fs.writeFileSync(file, scan);
    expect(await pool.inspectScan({ path: file })).toEqual({ pages: 3 });

    const js = await refusal(pool.inspectScan(await makeActiveContentPdf('openActionJavaScript')));
    expect(js).toBeInstanceOf(ScanError);
    expect((js as ScanError).code).toBe('active_content');
    const bomb = await refusal(pool.inspectScan(makeInflateBombPdf(1536)));
    expect((bomb as ScanError).code).toBe('too_large');
  });

  it('verify: the same report as verifyPdfSignatures', async () => {
    const pool = newPool();
    const scan = await makeScanPdf({ pages: 1 });
    expect(await pool.verify(scan, { trustedCaPems: [] })).toEqual(verifyPdfSignatures(scan, { trustedCaPems: [] }));
  });
});

describe('limits', () => {
  it('a task past its time is refused (bad_file): its worker is ended, the process goes on', async () => {
    const pool = newPool({ threads: 1, timeoutMs: 300 });
    // Reading the 1.5 GB bomb up to the inflate budget takes seconds: longer than this pool allows.
    const e = await refusal(pool.inspectScan(makeInflateBombPdf(1536)));
    expect(e).toBeInstanceOf(DomainError);
    expect(e).toMatchObject({ code: 'bad_file', message: PDF_TIMEOUT_MESSAGE });
  });

  it('a worker past its memory limit is refused (too_large) and replaced; the next file is read', async () => {
    const pool = newPool({ threads: 1, maxHeapMb: 48 });
    // Two million numbers in one array: a 4 MB file, hundreds of MB of pdf-lib objects.
    const huge = Buffer.from(`%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 /Junk [${'0 '.repeat(2_000_000)}] >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`);
    const e = await refusal(pool.inspectScan(huge));
    expect(e).toBeInstanceOf(DomainError);
    expect(e).toMatchObject({ code: 'too_large', message: PDF_MEMORY_MESSAGE });
    expect(await pool.inspectScan(await makeScanPdf({ pages: 2 }))).toEqual({ pages: 2 });
  });
});
