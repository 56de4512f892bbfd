// Benchmark of the PDF chain on a ~30 MB scan: inspect, leader signature, agency seal, at PAdES B-B and at B-T
// (the TSA: certomancer's, on loopback), compared with the hashing floor (sha256sum and node:crypto over the same
// file). Run: npx tsx scripts/bench-pdf.ts (BENCH_LEVELS=B-B to skip the TSA)
// Data stays in .data/bench/ (git-ignored).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeScanPdf } from '../activities/pdf/fixtures.js';
import { createFileKeyStore } from '../activities/pdf/pki.js';
import { inspectScan } from '../activities/pdf/scan.js';
import { sealIncremental } from '../activities/pdf/seal.js';
import { hasClassicXref, signWithAttestation } from '../activities/pdf/sign.js';
import { createTimestamper, type Timestamper } from '../activities/pdf/tsa.js';
import { startCertomancer } from '../lib/testing/certomancer.js';

const DIR = join(process.cwd(), '.data', 'bench');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MiB = 1024 * 1024;
mkdirSync(DIR, { recursive: true });

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f = (x: number) => x.toFixed(1).padStart(7);

async function scanFile(name: string, objectStreams: boolean): Promise<string> {
  const file = join(DIR, name);
  if (!existsSync(file)) writeFileSync(file, await makeScanPdf({ pages: 6, imageBytesPerPage: 5 * MiB, objectStreams }));
  return file;
}

const store = createFileKeyStore(join(DIR, 'pki'));
const agency = { code: '000.03.25.H51', name: 'Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng' };
const [leaderKey, sealKey] = await Promise.all([
  store.leaderKey({ username: 'lanhdao', fullName: 'Trần Văn Ánh' }),
  store.sealKey(agency),
]);

async function chain(scan: Buffer, timestamper: Timestamper | null) {
  const t: Record<string, number> = {};
  let t0 = process.hrtime.bigint();
  await inspectScan(scan);
  t.inspect = ms(t0);
  t0 = process.hrtime.bigint();
  const signed = await signWithAttestation(scan, {
    attestation: { agencyName: agency.name, documentTypeName: 'Giấy khai sinh', dossierCode: 'G22.29-250620-010009', date: new Date() },
    signerName: 'Trần Văn Ánh',
    signerTitle: 'PHÓ TRƯỞNG PHÒNG',
    key: leaderKey,
    timestamper,
  });
  t.sign = ms(t0);
  t0 = process.hrtime.bigint();
  const sealed = await sealIncremental(signed, {
    certificationNumber: '12/ĐT', registerBookName: '01/2025-SCT/BS', sealDate: new Date(), agencyName: agency.name, key: sealKey, timestamper,
  });
  t.seal = ms(t0);
  t.chain = t.inspect + t.sign + t.seal;
  return { t, sealed };
}

function hashFloor(file: string, buf: Buffer) {
  const sums: number[] = [];
  const nodes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t0 = process.hrtime.bigint();
    execFileSync('sha256sum', [file]);
    sums.push(ms(t0));
    t0 = process.hrtime.bigint();
    createHash('sha256').update(buf).digest();
    nodes.push(ms(t0));
  }
  return { sha256sum: median(sums), node: median(nodes) };
}

const levels = (process.env.BENCH_LEVELS ?? 'B-B,B-T').split(',');
const tsa = levels.includes('B-T') ? await startCertomancer() : null;
for (const level of levels)
for (const [name, objectStreams] of [['scan-classic.pdf', false], ['scan-objstm.pdf', true]] as const) {
  const file = await scanFile(name, objectStreams);
  const scan = readFileSync(file);
  const mode = hasClassicXref(scan) ? 'incremental' : 'full-save';
  const timestamper = level === 'B-T' && tsa ? createTimestamper({ url: tsa.tsaUrl }) : null;
  console.log(`\n${level}, ${name}: ${(scan.length / MiB).toFixed(1)} MiB, leader step = ${mode}`);
  const runs: { t: Record<string, number> }[] = [];
  const out = join(DIR, name.replace('scan-', `sealed-${level}-`));
  for (let i = 0; i < RUNS; i++) {
    const { t, sealed } = await chain(scan, timestamper);
    runs.push({ t }); // keep timings only, not 30 MB outputs
    if (i === RUNS - 1) writeFileSync(out, sealed);
  }
  const floor = hashFloor(file, scan);
  console.log(`  ms (first run / median of ${RUNS})   inspect    sign    seal   chain`);
  console.log(`  first                      ${f(runs[0].t.inspect)} ${f(runs[0].t.sign)} ${f(runs[0].t.seal)} ${f(runs[0].t.chain)}`);
  const med = (k: string) => median(runs.map((r) => r.t[k]));
  console.log(`  median                     ${f(med('inspect'))} ${f(med('sign'))} ${f(med('seal'))} ${f(med('chain'))}`);
  console.log(`  sha256sum ${floor.sha256sum.toFixed(1)} ms, node:crypto sha256 ${floor.node.toFixed(1)} ms`);
  console.log(`  ratio chain/sha256sum = ${(med('chain') / floor.sha256sum).toFixed(2)}  (chain/node-sha256 = ${(med('chain') / floor.node).toFixed(1)})`);
  // Independent check of the output, when poppler is installed.
  const v = spawnSync('pdfsig', [out], { encoding: 'utf8' });
  if (!v.error) console.log(`  pdfsig: ${(v.stdout.match(/Signature is Valid\./g) ?? []).length} of 2 signatures valid`);
  console.log(`  e-copy: ${readFileSync(out).length - scan.length} bytes more than the scan`);
}
await tsa?.stop();
console.log(`\npeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
