// Benchmark: the agency seal with its key in a PKCS#11 token (SoftHSM2) against the same key as a PKCS#12 file,
// on the ~30 MiB scan of scripts/bench-pdf.ts (six 5 MiB pages, classic xref). Run: npx tsx scripts/bench-pkcs11.ts
// (BENCH_RUNS, default 5). The budget: the token adds at most 100 ms.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeScanPdf } from '../activities/pdf/fixtures.js';
import { createFileKeyStore } from '../activities/pdf/pki.js';
import { signWithAttestation } from '../activities/pdf/sign.js';
import { benchTokenSeal } from '../lib/testing/softhsm.js';

const DIR = join(process.cwd(), '.data', 'bench');
const MiB = 1024 * 1024;
mkdirSync(DIR, { recursive: true });
const file = join(DIR, 'scan-classic.pdf'); // the same file bench-pdf.ts makes and keeps
if (!existsSync(file)) writeFileSync(file, await makeScanPdf({ pages: 6, imageBytesPerPage: 5 * MiB, objectStreams: false }));
const scan = readFileSync(file);

const store = createFileKeyStore(join(DIR, 'pki'));
const agency = { code: '000.03.25.H51', name: 'Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng' };
const [leaderKey, sealKey] = await Promise.all([store.leaderKey({ username: 'lanhdao', fullName: 'Trần Văn Ánh' }), store.sealKey(agency)]);
const signed = await signWithAttestation(scan, {
  attestation: { agencyName: agency.name, documentTypeName: 'Giấy khai sinh', dossierCode: 'G22.29-250620-010009', date: new Date() },
  signerName: 'Trần Văn Ánh', signerTitle: 'PHÓ TRƯỞNG PHÒNG', key: leaderKey,
});
const t = await benchTokenSeal(signed, {
  sealKey, runs: Number(process.env.BENCH_RUNS ?? 5),
  certificationNumber: '12/ĐT', registerBookName: '01/2025-SCT/BS', sealDate: new Date(), agencyName: agency.name,
});
console.log(`seal on a ${(scan.length / MiB).toFixed(1)} MiB scan, median of ${t.runs}: PKCS#12 key ${t.softMs.toFixed(1)} ms, SoftHSM2 token ${t.tokenMs.toFixed(1)} ms, the token adds ${t.overheadMs.toFixed(1)} ms (budget 100 ms); the signature alone: ${t.softSignMs.toFixed(2)} ms with the PKCS#12 key, ${t.tokenSignMs.toFixed(2)} ms in the token`);
