// Benchmark of the PDF chain on a ~30 MB scan at each PAdES level: inspect, revocation check (B-LT+), leader
// signature, agency seal, the long-term validation updates (`ltv`: B-LT the DSS; B-LTA the DSS, a document
// timestamp and the DSS of its chain), as the activities run them, compared with the hashing floor
// (sha256sum and node:crypto over the same file). The TSA, OCSP responder and CRL are the demo trust services on
// loopback (BENCH_TSA=certomancer: certomancer's TSA for B-T instead). Run: npx tsx scripts/bench-pdf.ts
// (BENCH_LEVELS=B-B,B-LTA to choose levels). Then the seal with its key in a SoftHSM2 token against the same key
// as a PKCS#12 file, and the leader's signature through the external token exchange. Data stays in .data/bench/ (git-ignored).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeScanPdf } from '../activities/pdf/fixtures.js';
import { addValidationData, archiveTimestamp } from '../activities/pdf/dss.js';
import { assertNotRevoked, type RevocationAnswers } from '../activities/pdf/revocation.js';
import { assembleCms, filledPlaceholder, fillByteRange, loadIdentity, signedAttributes, verifiesWith, writeContents } from '../activities/pdf/signer.js';
import { createLocalStorage } from '../activities/storage.js';
import { loadPrepared, storePrepared } from '../activities/external-signing.js';
import { startTrustServices } from '../activities/pdf/trust-services.js';
import { inspectScan } from '../activities/pdf/scan.js';
import { sealIncremental } from '../activities/pdf/seal.js';
import { hasClassicXref, prepareAttestation, signWithAttestation } from '../activities/pdf/sign.js';
import { createTimestamper, imprintOf, type Timestamper } from '../activities/pdf/tsa.js';
import { startCertomancer } from '../lib/testing/certomancer.js';
import { benchTokenSeal } from '../lib/testing/softhsm.js';
import { alternatingMedians } from '../lib/testing/time.js';

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

type Level = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';
const levels = (process.env.BENCH_LEVELS ?? 'B-B,B-T,B-LT,B-LTA').split(',') as Level[];
// A fixed port, so the certificates (which name the services' URL) are made once and reused across runs.
const services = await startTrustServices({ pkiDir: join(DIR, 'pki-trust'), port: Number(process.env.BENCH_TRUST_PORT ?? 3197) });
const store = services.store;
const certomancer = process.env.BENCH_TSA === 'certomancer' ? await startCertomancer() : null;
const agency = { code: '000.03.25.H51', name: 'Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng' };
const [leaderKey, sealKey] = await Promise.all([
  store.leaderKey({ username: 'lanhdao', fullName: 'Trần Văn Ánh' }),
  store.sealKey(agency),
]);

const STEPS = ['inspect', 'revocation', 'sign', 'seal', 'ltv'] as const;

async function chain(scan: Buffer, level: Level, timestamper: Timestamper | null) {
  const t: Record<string, number> = Object.fromEntries(STEPS.map((k) => [k, 0]));
  const longTerm = level === 'B-LT' || level === 'B-LTA';
  let t0 = process.hrtime.bigint();
  await inspectScan(scan);
  t.inspect = ms(t0);
  // As the seal activity does: its certificate's issuer is asked once for both the check and the validation data.
  const answers: RevocationAnswers = new Map();
  if (longTerm) { // the activities ask the issuer before each signature (the leader's, in its own activity; the seal's)
    t0 = process.hrtime.bigint();
    await assertNotRevoked(loadIdentity(leaderKey).chainDer);
    await assertNotRevoked(loadIdentity(sealKey).chainDer, { answers });
    t.revocation = ms(t0);
  }
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
  let ecopy = sealed;
  if (longTerm) { // activities/signing.ts: B-LT the DSS; B-LTA the DSS, the document timestamp, the DSS of its chain
    t0 = process.hrtime.bigint();
    ecopy = level === 'B-LTA' && timestamper ? await archiveTimestamp(sealed, timestamper, { answers }) : await addValidationData(sealed, { answers });
    t.ltv = ms(t0);
  }
  t.chain = STEPS.reduce((sum, k) => sum + t[k], 0);
  return { t, sealed: ecopy };
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

const sizes = new Map<string, number>();
for (const level of levels)
for (const [name, objectStreams] of [['scan-classic.pdf', false], ['scan-objstm.pdf', true]] as const) {
  const file = await scanFile(name, objectStreams);
  const scan = readFileSync(file);
  const mode = hasClassicXref(scan) ? 'incremental' : 'full-save';
  const tsaUrl = certomancer && level === 'B-T' ? certomancer.tsaUrl : services.tsaUrl;
  const timestamper = level === 'B-B' ? null : createTimestamper({ url: tsaUrl });
  console.log(`\n${level}, ${name}: ${(scan.length / MiB).toFixed(1)} MiB, leader step = ${mode}`);
  const runs: { t: Record<string, number> }[] = [];
  const out = join(DIR, name.replace('scan-', `sealed-${level}-`));
  for (let i = 0; i < RUNS; i++) {
    const { t, sealed } = await chain(scan, level, timestamper);
    runs.push({ t }); // keep timings only, not 30 MB outputs
    if (i === RUNS - 1) writeFileSync(out, sealed);
  }
  const floor = hashFloor(file, scan);
  const med = (k: string) => median(runs.map((r) => r.t[k]));
  const row = (label: string, v: (k: string) => number) => console.log(`  ${label.padEnd(7)} ${[...STEPS, 'chain'].map((k) => f(v(k))).join(' ')}`);
  console.log(`  ms      ${[...STEPS, 'chain'].map((k) => k.padStart(7)).join(' ')}`);
  row('first', (k) => runs[0].t[k]);
  row('median', med);
  console.log(`  (median of ${RUNS}) sha256sum ${floor.sha256sum.toFixed(1)} ms, node:crypto sha256 ${floor.node.toFixed(1)} ms`);
  console.log(`  ratio chain/sha256sum = ${(med('chain') / floor.sha256sum).toFixed(2)}  (chain/node-sha256 = ${(med('chain') / floor.node).toFixed(1)})`);
  // Independent check of the output, when poppler is installed.
  const v = spawnSync('pdfsig', [out], { encoding: 'utf8' });
  // pdfsig does not check RFC 3161 document timestamps ("Signature Type: unknown"): it judges the two signatures.
  if (!v.error) console.log(`  pdfsig: ${(v.stdout.match(/Signature is Valid\./g) ?? []).length} of 2 signatures valid`);
  const growth = readFileSync(out).length - scan.length;
  sizes.set(`${level} ${name}`, growth);
  const base = sizes.get(`B-B ${name}`);
  console.log(`  e-copy: ${growth} bytes more than the scan${base !== undefined && level !== 'B-B' ? ` (${((growth - base) / 1024).toFixed(1)} KiB more than at B-B)` : ''}`);
}
// The agency seal with its key in a PKCS#11 token (SoftHSM2) against the same key as a PKCS#12 file (budget: +100 ms).
if (spawnSync('softhsm2-util', ['--version']).status === 0) {
  const scan = readFileSync(await scanFile('scan-classic.pdf', false));
  const signed = await signWithAttestation(scan, {
    attestation: { agencyName: agency.name, documentTypeName: 'Giấy khai sinh', dossierCode: 'G22.29-250620-010009', date: new Date() },
    signerName: 'Trần Văn Ánh', signerTitle: 'PHÓ TRƯỞNG PHÒNG', key: leaderKey,
  });
  const t = await benchTokenSeal(signed, { sealKey, runs: RUNS, certificationNumber: '12/ĐT', registerBookName: '01/2025-SCT/BS', sealDate: new Date(), agencyName: agency.name });
  console.log(`\nseal (B-B) on scan-classic.pdf, median of ${t.runs}: PKCS#12 key ${t.softMs.toFixed(1)} ms, SoftHSM2 token ${t.tokenMs.toFixed(1)} ms (the token adds ${t.overheadMs.toFixed(1)} ms; budget 100 ms); the signature alone: ${t.softSignMs.toFixed(2)} ms with the PKCS#12 key, ${t.tokenSignMs.toFixed(2)} ms in the token`);
} else console.log('\n(softhsm2-util not installed: no PKCS#11 figure)');
// The leader's signature through the external exchange (sign/prepare, a token signs, sign/complete) against the same
// signature with the key in this process, both as the activities run them: the scan read from file storage, a new
// signing time each run (so nothing is found stored already). Prepare builds the same copy and keeps what it appended
// to the scan in file storage (storePrepared); complete reads it back with the scan (loadPrepared), checks the
// signature and writes the CMS. The issue allows it at most 100 ms more on the 30 MiB scan.
{
  const storage = createLocalStorage(join(DIR, 'files'));
  const scanRef = await storage.put(readFileSync(await scanFile('scan-classic.pdf', false)));
  const timestamper = createTimestamper({ url: services.tsaUrl });
  const id = loadIdentity(leaderKey);
  const opts = () => ({
    attestation: { agencyName: agency.name, documentTypeName: 'Giấy khai sinh', dossierCode: 'G22.29-250620-010009', date: new Date() },
    signerName: 'Trần Văn Ánh', signerTitle: 'PHÓ TRƯỞNG PHÒNG', timestamper, signingTime: new Date(),
  });
  const soft = async () => { await signWithAttestation(await storage.get(scanRef.sha256), { ...opts(), key: leaderKey }); };
  const external = async () => {
    const scan = await storage.get(scanRef.sha256);
    const pdf = await prepareAttestation(scan, opts());
    const attrs = signedAttributes(fillByteRange(pdf).digest, id.certDer);
    const kept = await storePrepared(storage, { bytes: scan, ref: scanRef }, pdf);
    const signature = await id.sign(attrs); // the token, elsewhere
    const prepared = await loadPrepared(storage, kept);
    if (!verifiesWith(id.certDer, attrs, signature)) throw new Error('signature does not verify');
    const token = await timestamper.timestamp(imprintOf(signature));
    writeContents(prepared, filledPlaceholder(prepared), assembleCms(attrs, signature, id.chainDer, id.keyType, token));
  };
  const t = await alternatingMedians(RUNS, soft, external);
  console.log(`\nB-T, leader signature, ${(scanRef.size / MiB).toFixed(1)} MiB: key in process ${f(t.a)} ms, external token exchange ${f(t.b)} ms (what prepare appended kept in file storage and read back with the scan): ${(t.b - t.a).toFixed(1)} ms more`);
}
await certomancer?.stop();
await services.close();
console.log(`\npeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
