// End-to-end checks of the PDF chain with independent tools: poppler's pdfsig/pdftotext, qpdf, NSS certutil.
// These tools are REQUIRED: when one is missing the suite fails with an install hint (never skips).
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { makeScanPdf, makeSealPng, makeSignaturePng } from './fixtures.js';
import { createFileKeyStore, type KeyMaterial } from './pki.js';
import { inspectScan, ScanError } from './scan.js';
import { sealIncremental } from './seal.js';
import { hasClassicXref, prepareAttestation, signWithAttestation } from './sign.js';
import { FastP12Signer, loadIdentity } from './signer.js';
import { SignPdf } from '@signpdf/signpdf';
import { PDFDocument } from 'pdf-lib-incremental-save';

const AGENCY = { code: '000.03.25.H51', name: 'Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng' };
const LEADER = { username: 'lanhdao', fullName: 'Trần Văn Ánh' };
const REQUIRED = [
  ['pdfsig', ['-v']],
  ['pdftotext', ['-v']],
  ['qpdf', ['--version']],
  ['certutil', ['-H']],
] as const;

function run(cmd: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

interface SigReport {
  field: string;
  commonName: string;
  valid: boolean;
  trusted: boolean;
  total: boolean;
  raw: string;
}

/** pdfsig exits 0 even for a broken signature: parse its text. Empty signature fields (the seal's, made by the
 *  leader's step and signed by the seal) are listed by pdfsig too: `emptyFields` returns them. */
function pdfsigBlocks(nss: string, file: string): string[] {
  return run('pdfsig', ['-nssdir', `sql:${nss}`, file]).out.split(/^Signature #\d+:$/m).slice(1);
}
function emptyFields(nss: string, file: string): string[] {
  return pdfsigBlocks(nss, file).filter((b) => /The signature form field is not signed/.test(b)).map((b) => /Signature Field Name: (.*)/.exec(b)?.[1]?.trim() ?? '');
}
function pdfsig(nss: string, file: string): SigReport[] {
  return pdfsigBlocks(nss, file).filter((b) => !/The signature form field is not signed/.test(b))
    .map((block) => ({
      field: /Signature Field Name: (.*)/.exec(block)?.[1]?.trim() ?? '',
      commonName: /Signer Certificate Common Name: (.*)/.exec(block)?.[1]?.trim() ?? '',
      valid: /Signature Validation: Signature is Valid\./.test(block),
      trusted: /Certificate Validation: Certificate is Trusted\./.test(block),
      total: /^\s*- Total document signed/m.test(block),
      raw: block,
    }));
}

let dir: string;
let nss: string;
let leaderKey: KeyMaterial;
let sealKey: KeyMaterial;
let scan: Buffer;

beforeAll(async () => {
  const missing = REQUIRED.filter(([cmd, args]) => spawnSync(cmd, [...args]).error).map(([cmd]) => cmd);
  if (missing.length) {
    throw new Error(
      `Missing PDF verification tools: ${missing.join(', ')}. Install them: apt-get install -y poppler-utils qpdf libnss3-tools`,
    );
  }
  dir = mkdtempSync(join(tmpdir(), 'pdf-chain-'));
  const store = createFileKeyStore(join(dir, 'pki'));
  [leaderKey, sealKey] = await Promise.all([store.leaderKey(LEADER), store.sealKey(AGENCY)]);
  writeFileSync(join(dir, 'ca.pem'), await store.caCertPem());
  nss = join(dir, 'nss');
  run('mkdir', ['-p', nss]);
  expect(run('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']).status).toBe(0);
  expect(run('certutil', ['-A', '-n', 'ca', '-t', 'CT,C,C', '-i', join(dir, 'ca.pem'), '-d', `sql:${nss}`]).status).toBe(0);
  scan = await makeScanPdf({ pages: 3, imageBytesPerPage: 30_000 });
}, 60_000);

const attestation = {
  agencyName: AGENCY.name,
  documentTypeName: 'Giấy khai sinh',
  dossierCode: 'G22.29-250620-010009',
  date: new Date('2025-06-20T03:00:00Z'),
};

async function chain(input: Buffer, images = false) {
  const signed = await signWithAttestation(input, {
    attestation,
    signerName: LEADER.fullName,
    signerTitle: 'PHÓ TRƯỞNG PHÒNG',
    key: leaderKey,
    signatureImagePng: images ? makeSignaturePng() : undefined,
    signingTime: new Date('2025-06-20T03:10:00Z'),
  });
  const sealed = await sealIncremental(signed, {
    certificationNumber: '12/ĐT',
    registerBookName: '01/2025-SCT/BS',
    sealDate: new Date('2025-06-20T08:30:00Z'),
    agencyName: AGENCY.name,
    sealImagePng: images ? makeSealPng() : undefined,
    key: sealKey,
  });
  return { signed, sealed };
}

function expectValidChain(file: string, pages: number) {
  const sigs = pdfsig(nss, file);
  expect(sigs, sigs.map((s) => s.raw).join('\n')).toHaveLength(2);
  const [leader, seal] = sigs;
  expect(leader.commonName).toBe(LEADER.fullName);
  expect(seal.commonName).toBe(AGENCY.name);
  for (const s of sigs) {
    expect(s.valid, s.raw).toBe(true);
    expect(s.trusted, s.raw).toBe(true);
  }
  expect(leader.total).toBe(false);
  expect(seal.total).toBe(true);

  const check = run('qpdf', ['--check', file]);
  expect(check.status, check.out).toBe(0);
  expect(check.out).toMatch(/No syntax or stream encoding errors found/);
  expect(check.out).not.toMatch(/WARNING/);

  const text = run('pdftotext', ['-f', String(pages), '-l', String(pages), file, '-']).out;
  expect(text).toContain('Chứng thực bản sao đúng với bản chính');
  expect(text).toContain('12/ĐT');
  expect(text).toContain('Quyển số: 01/2025-SCT/BS');
  expect(text).toContain('Ngày: 20/06/2025');
  expect(text).toContain('Ngày 20 tháng 06 năm 2025');
  expect(text).toContain('G22.29-250620-010009');
  expect(text).toContain(LEADER.fullName);
}

describe('sign + seal chain (validated by pdfsig, qpdf, pdftotext)', () => {
  it('classic-xref scan: leader signs incrementally, seal appended; both valid', async () => {
    expect(hasClassicXref(scan)).toBe(true);
    expect(await inspectScan(scan)).toEqual({ pages: 3 });
    const { signed, sealed } = await chain(scan);
    expect(signed.subarray(0, scan.length).equals(scan)).toBe(true); // original bytes untouched
    expect(sealed.subarray(0, signed.length).equals(signed)).toBe(true); // seal is an appended update
    const file = join(dir, 'sealed.pdf');
    writeFileSync(file, sealed);
    expectValidChain(file, 4);
    expect((await inspectScan(sealed)).pages).toBe(4);

    const leaderOnly = join(dir, 'signed.pdf');
    writeFileSync(leaderOnly, signed);
    const one = pdfsig(nss, leaderOnly);
    expect(one).toHaveLength(1);
    expect(one[0].valid && one[0].total).toBe(true);
    expect(emptyFields(nss, leaderOnly)).toEqual(['DauCoQuan']); // the seal's field, waiting for the seal
    expect(emptyFields(nss, file)).toEqual([]);
  });

  it('the sealed attestation page prints the number and the book, and no dotted blank, on either page state', async () => {
    const { signed, sealed } = await chain(scan);
    const leaderOnly = join(dir, 'attestation-signed.pdf');
    const file = join(dir, 'attestation-sealed.pdf');
    writeFileSync(leaderOnly, signed);
    writeFileSync(file, sealed);
    const blank = /\.{3,}|…/;
    const signedText = run('pdftotext', ['-f', '4', '-l', '4', leaderOnly, '-']).out;
    expect(signedText).toContain('Mã chứng thực: G22.29-250620-010009');
    expect(signedText).not.toMatch(blank);
    const text = run('pdftotext', ['-f', '4', '-l', '4', file, '-']).out;
    expect(text).toContain('Số chứng thực: 12/ĐT');
    expect(text).toContain('Quyển số: 01/2025-SCT/BS');
    expect(text).not.toMatch(blank);
    expect(pdfsig(nss, file).map((s) => [s.field, s.valid, s.total])).toEqual([['ChuKyLanhDao', true, false], ['DauCoQuan', true, true]]);
  });

  it('object-stream scan (PDF 1.5 style) with signature and seal images', async () => {
    const modern = await makeScanPdf({ pages: 2, imageBytesPerPage: 10_000, objectStreams: true });
    expect(hasClassicXref(modern)).toBe(false);
    const { sealed } = await chain(modern, true);
    const file = join(dir, 'sealed-modern.pdf');
    writeFileSync(file, sealed);
    expectValidChain(file, 3);
  });

  it('PAdES baseline: both signatures ETSI.CAdES.detached', async () => {
    const { sealed } = await chain(scan);
    const file = join(dir, 'sealed-cades.pdf');
    writeFileSync(file, sealed);
    expectValidChain(file, 4);
    const sigs = pdfsig(nss, file);
    for (const s of sigs) expect(s.raw).toMatch(/Signature Type: ETSI\.CAdES\.detached/);
  });

  it('the placeholder and FastP12Signer also work through @signpdf/signpdf', async () => {
    const prepared = await prepareAttestation(scan, {
      attestation, signerName: LEADER.fullName, signerTitle: 'PHÓ TRƯỞNG PHÒNG', signingTime: new Date(),
    });
    const signed = await new SignPdf().sign(prepared, new FastP12Signer(loadIdentity(leaderKey)));
    const file = join(dir, 'signed-via-signpdf.pdf');
    writeFileSync(file, signed);
    const sigs = pdfsig(nss, file);
    expect(sigs).toHaveLength(1);
    expect(sigs[0].valid && sigs[0].trusted && sigs[0].total, sigs[0].raw).toBe(true);
  });

  it('signing the same input twice gives a valid file each time', async () => {
    for (const n of [1, 2]) {
      const { sealed } = await chain(scan);
      const file = join(dir, `again-${n}.pdf`);
      writeFileSync(file, sealed);
      expect(pdfsig(nss, file).map((s) => s.valid)).toEqual([true, true]);
    }
  });

  it('a tampered byte makes pdfsig report the signatures as not valid', async () => {
    const { sealed } = await chain(scan);
    const bad = Buffer.from(sealed);
    // A byte of the header's binary comment: covered by both signatures, harmless to the parsers.
    const at = bad.indexOf(Buffer.from([0x81, 0x81]));
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(32);
    bad[at] = 0x82;
    const file = join(dir, 'tampered.pdf');
    writeFileSync(file, bad);
    const sigs = pdfsig(nss, file);
    expect(sigs).toHaveLength(2);
    for (const s of sigs) {
      expect(s.valid, s.raw).toBe(false);
      expect(s.raw).toMatch(/Digest Mismatch/);
    }
  });
});

describe('inspectScan refuses bad uploads', () => {
  const code = async (b: Buffer) => {
    try {
      await inspectScan(b);
      return 'ok';
    } catch (e) {
      expect(e).toBeInstanceOf(ScanError);
      expect((e as ScanError).message).toMatch(/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i);
      return (e as ScanError).code;
    }
  };

  it('a PNG renamed .pdf', async () => {
    expect(await code(makeSignaturePng())).toBe('not_pdf');
  });

  it('an encrypted PDF (qpdf AES-256)', async () => {
    const plain = join(dir, 'plain.pdf');
    const enc = join(dir, 'encrypted.pdf');
    writeFileSync(plain, scan);
    const r = run('qpdf', ['--encrypt', 'u', 'o', '256', '--', plain, enc]);
    expect(r.status, r.out).toBe(0);
    expect(await code(readFileSync(enc))).toBe('encrypted');
  });

  it('an encrypted PDF with object streams', async () => {
    const plain = join(dir, 'plain-os.pdf');
    const enc = join(dir, 'encrypted-os.pdf');
    writeFileSync(plain, await makeScanPdf({ pages: 2, objectStreams: true }));
    expect(run('qpdf', ['--object-streams=generate', '--encrypt', 'u', 'o', '256', '--', plain, enc]).status).toBe(0);
    expect(await code(readFileSync(enc))).toBe('encrypted');
  });

  it('truncated files and garbage', async () => {
    expect(await code(scan.subarray(0, Math.floor(scan.length / 2)))).toBe('broken');
    expect(await code(Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from('garbage '.repeat(100))]))).toBe('broken');
    expect(await code(Buffer.alloc(0))).toBe('empty');
    const noPages = await PDFDocument.create();
    expect(await code(Buffer.from(await noPages.save({ addDefaultPage: false })))).toBe('empty');
  });

  it('accepts a real scan', async () => {
    expect(await code(scan)).toBe('ok');
  });
});

describe('file key store', () => {
  it('is idempotent and safe when two stores race on one directory', async () => {
    const d = join(dir, 'race');
    const [a, b] = await Promise.all([
      createFileKeyStore(d).leaderKey({ username: 'u1', fullName: 'Lê Thị Hồng Nhung' }),
      createFileKeyStore(d).leaderKey({ username: 'u1', fullName: 'Lê Thị Hồng Nhung' }),
    ]);
    expect(a.certPem).toBe(b.certPem);
    expect(a.p12.equals(b.p12)).toBe(true);
    const again = await createFileKeyStore(d).leaderKey({ username: 'u1', fullName: 'Lê Thị Hồng Nhung' });
    expect(again.certPem).toBe(a.certPem);

    const cert = new X509Certificate(a.certPem);
    const ca = new X509Certificate(await createFileKeyStore(d).caCertPem());
    expect(cert.subject).toContain('CN=Lê Thị Hồng Nhung');
    expect(cert.checkIssued(ca) && cert.verify(ca.publicKey)).toBe(true);
    expect(ca.subject).toContain('CN=CA thử nghiệm - Chứng thực bản sao điện tử');
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.4'); // emailProtection: what NSS checks for signers
    // The PKCS#12 opens and carries signer + CA, byte-identical to the PEMs.
    const id = loadIdentity(a);
    expect(id.certDer.equals(cert.raw)).toBe(true);
    expect(id.chainDer.map((c) => c.equals(ca.raw))).toEqual([false, true]);
  });
});
