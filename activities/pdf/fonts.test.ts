// The shared DejaVu font objects: text embedded by one document must extract intact in the next ones
// (pdftotext, as a reader searching or copying the attestation would).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib-incremental-save';
import { embedVietnameseFont } from './fonts.js';

async function onePage(text: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await embedVietnameseFont(doc, 'regular');
  doc.addPage().drawText(text, { x: 50, y: 700, size: 11, font });
  return Buffer.from(await doc.save());
}

describe('embedVietnameseFont', () => {
  it('a document written after another keeps every character in its text (components of ư, ứ are not left without characters)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fonts-'));
    await onePage('Mã chứng thực: G22.29-250620-010009; Tư pháp'); // its subset writes u as a component of ứ and ư
    const file = join(dir, 'next.pdf');
    writeFileSync(file, await onePage('Quyển số: 01/2026/ĐT, quyền sử dụng đất'));
    const r = spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    if (r.error) throw new Error('pdftotext is required: apt-get install -y poppler-utils');
    expect(r.stdout).toContain('Quyển số: 01/2026/ĐT, quyền sử dụng đất');
  });
});
