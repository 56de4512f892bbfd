// The e-copy as the EU DSS validator sees it (lib/testing/dss.ts), the second independent judge beside pyHanko:
// the PAdES baseline format of each signature at each SIGNATURE_LEVEL, with the demo CA's own trust services on
// loopback, and what DSS says of each after-seal tampering and of a DSS added later. One JVM start for the file.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeWithDss, type DssJudgement, type DssSignature } from '../../lib/testing/dss.js';
import { changeFieldValue, formScan, TAMPERINGS, tamper, type Tampering } from '../../lib/testing/tamper.js';
import { addDocumentTimestamp, addValidationData } from './dss.js';
import { makeScanPdf } from './fixtures.js';
import { sealIncremental } from './seal.js';
import { signWithAttestation } from './sign.js';
import { startTrustServices, type TrustServices } from './trust-services.js';
import { createTimestamper, type Timestamper } from './tsa.js';

const LEADER = { username: 'lanhdao', fullName: 'Trần Văn Ánh' };
const AGENCY = { code: '000.03.25.H51', name: 'Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng' };
const LEVELS = ['B-B', 'B-T', 'B-LT', 'B-LTA'] as const;
const KINDS = Object.keys(TAMPERINGS) as Exclude<Tampering, 'dss'>[];
const SIG_FIELD_LOCK = 'Document contains changes restricted by /SigFieldLock dictionary!';
const DOC_MDP = 'Document contains changes restricted by /DocMDP dictionary!';

let services: TrustServices;
const judged = {} as Record<(typeof LEVELS)[number] | Exclude<Tampering, 'dss'> | 'dssAdded' | 'form' | 'formValueChanged', DssJudgement>;

beforeAll(async () => {
  services = await startTrustServices({ pkiDir: join(mkdtempSync(join(tmpdir(), 'dss-judge-')), 'pki') });
  const [leader, seal, ca] = await Promise.all([services.store.leaderKey(LEADER), services.store.sealKey(AGENCY), services.store.caCertPem()]);
  const scan = await makeScanPdf({ pages: 2 });
  const eCopy = async (timestamper?: Timestamper, from = scan) => {
    const signed = await signWithAttestation(from, {
      timestamper, signerName: LEADER.fullName, signerTitle: 'TRƯỞNG PHÒNG', key: leader,
      attestation: { agencyName: AGENCY.name, documentTypeName: 'Giấy khai sinh', dossierCode: 'G22.29-250620-010009', date: new Date() },
    });
    return sealIncremental(Buffer.from(signed), { timestamper, certificationNumber: '12/ĐT', registerBookName: '01/2026/ĐT', sealDate: new Date(), agencyName: AGENCY.name, key: seal });
  };
  // The same steps as the seal activity at each level (activities/signing.ts).
  const timestamper = createTimestamper({ url: services.tsaUrl });
  const bt = await eCopy(timestamper);
  const lt = await addValidationData(bt);
  const lta = await addDocumentTimestamp(lt, timestamper);
  const form = await addDocumentTimestamp(await addValidationData(await eCopy(timestamper, await formScan())), timestamper);
  const pdfs = {
    'B-B': await eCopy(), 'B-T': bt, 'B-LT': lt, 'B-LTA': lta,
    ...Object.fromEntries(await Promise.all(KINDS.map(async (k) => [k, await tamper(lta, k)]))),
    dssAdded: await tamper(lta, 'dss', [new X509Certificate(ca).raw]),
    form, formValueChanged: await changeFieldValue(form),
  } as Record<keyof typeof judged, Buffer>;
  // The TSA's and the OCSP responder's certificates come from the same demo CA: one trust anchor.
  const names = Object.keys(pdfs) as (keyof typeof judged)[];
  const started = Date.now();
  const results = await judgeWithDss(names.map((n) => ({ pdf: pdfs[n], trust: [ca] })));
  console.info(`DSS judged ${names.length} e-copies in one JVM in ${Date.now() - started} ms`);
  names.forEach((n, i) => { judged[n] = results[i]; });
}, 240_000);
afterAll(() => services?.close());

const verdicts = (s: DssSignature[]) => s.map((x) => [x.field, x.format, x.indication, x.locksEnforced?.indication]);

describe('the EU DSS validator classes the e-copy at each SIGNATURE_LEVEL', () => {
  const FORMAT = { 'B-B': 'PAdES-BASELINE-B', 'B-T': 'PAdES-BASELINE-T', 'B-LT': 'PAdES-BASELINE-LT', 'B-LTA': 'PAdES-BASELINE-LTA' };
  for (const level of LEVELS) {
    it(`${level}: leader and seal ${FORMAT[level]}, TOTAL_PASSED with no error or warning, the locks recognised`, () => {
      const j = judged[level];
      expect(verdicts(j.signatures)).toEqual([
        ['ChuKyLanhDao', FORMAT[level], 'TOTAL_PASSED', 'TOTAL_PASSED'],
        ['DauCoQuan', FORMAT[level], 'TOTAL_PASSED', 'TOTAL_PASSED'],
      ]);
      expect(j.signatures.map((s) => s.signedBy)).toEqual([LEADER.fullName, AGENCY.name]);
      for (const s of j.signatures) expect([s.subFilter, s.errors, s.warnings]).toEqual(['ETSI.CAdES.detached', [], []]);
      const [leader, seal] = j.signatures;
      expect(leader.docMdpPermission).toBe('MINIMAL_CHANGES_PERMITTED'); // certification, P 2
      expect(seal.sigFieldLock).toEqual({ action: 'INCLUDE', permissions: 'NO_CHANGE_PERMITTED', fields: ['ChuKyLanhDao', 'DauCoQuan'] });
      // What came after each signature: the seal (leader), then only the LTV updates (extension), nothing else.
      for (const s of j.signatures) expect([s.modifications!.annotation, s.modifications!.undefined, s.modifications!.visualDifferencePages]).toEqual([[], [], []]);
      expect(seal.modifications!.signatureOrFormFill).toEqual([]);
      expect(j.signatures.map((s) => s.signatureTimestamps.length)).toEqual(level === 'B-B' ? [0, 0] : [1, 1]);
      for (const t of j.signatures.flatMap((s) => s.signatureTimestamps)) expect([t.type, t.indication]).toEqual(['SIGNATURE_TIMESTAMP', 'PASSED']);
      expect(seal.coversWholeDocument).toBe(level === 'B-B' || level === 'B-T');
      expect(j.timestamps.map((t) => [t.field, t.type, t.indication, t.coversWholeDocument])).toEqual(
        level === 'B-LTA' ? [['DauThoiGian', 'DOCUMENT_TIMESTAMP', 'PASSED', true]] : [],
      );
    });
  }

  it('B-LTA: the document timestamp is from the demo TSA, over the DSS, and the seal saw only the DSS and it added', () => {
    const [t] = judged['B-LTA'].timestamps;
    expect(t).toMatchObject({ subFilter: 'ETSI.RFC3161', messageImprintIntact: true, errors: [], warnings: [] });
    expect(t.producedBy).toMatch(/^TSA thử nghiệm/);
    expect(judged['B-LTA'].signatures[1].modifications!.extension).toEqual([
      expect.stringMatching(/^CREATION DocTimeStamp DauThoiGian /), expect.stringMatching(/^CREATION DocTimeStamp DauThoiGian /),
      expect.stringMatching(/^CREATION DSS /),
    ]);
  });
});

describe('after-seal changes, judged by DSS', () => {
  for (const kind of KINDS) {
    it(`${TAMPERINGS[kind]}: the seal's lock reports it (a warning under DSS's default policy, TOTAL_FAILED once locks are enforced)`, () => {
      const seal = judged[kind].signatures[1];
      expect(seal.field).toBe('DauCoQuan');
      expect(seal.warnings).toContain(SIG_FIELD_LOCK);
      expect(seal.indication).toBe('TOTAL_PASSED'); // DSS's default policy: DocMDP, FieldMDP and SigFieldLock only WARN
      expect(seal.locksEnforced).toEqual({ indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE', errors: [SIG_FIELD_LOCK], warnings: expect.any(Array), infos: expect.any(Array) });
    });
  }

  it("and the leader's certification (DocMDP P 2) reports each of them too", () => {
    for (const kind of KINDS) {
      const leader = judged[kind].signatures[0];
      expect(leader.warnings, kind).toContain(DOC_MDP);
      expect(leader.locksEnforced.errors, kind).toEqual([DOC_MDP]);
    }
  });

  it('what DSS saw, by kind: new page content, an annotation, a new field, a rewritten stamp; visual differences on the attestation page', () => {
    const seal = (k: Exclude<Tampering, 'dss'>) => judged[k].signatures[1].modifications!;
    expect(seal('pageText').undefined).toContainEqual(expect.stringMatching(/^CREATION .*\/Contents/));
    expect(seal('pageText').visualDifferencePages).toEqual([3]);
    expect(seal('certificationNumber').visualDifferencePages).toEqual([3]);
    expect(seal('annotation').annotation).toEqual([expect.stringMatching(/^CREATION Annot /)]);
    expect(seal('formField').modifiedFieldNames).toContain('ghiChu');
    expect(seal('fieldAppearance').undefined).toContainEqual(expect.stringMatching(/\/AP \/N \d+ 0 R \/BBox$/));
  });

  it("a changed value of a form field the original carried: the seal's lock (P 1) reports it; the leader's DocMDP (P 2) allows form filling", () => {
    expect(verdicts(judged.form.signatures).map((v) => v[2])).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED']);
    expect(judged.form.signatures[1].sigFieldLock!.fields).toEqual(['hoTen', 'ChuKyLanhDao', 'DauCoQuan']);
    const [leader, seal] = judged.formValueChanged.signatures;
    // (a form-filling change, which the lock's P 1 forbids; DSS names no field for a value set on the parent field)
    expect(seal.modifications!.signatureOrFormFill).toContainEqual(expect.stringMatching(/^MODIFICATION .*\/AcroForm .*\/V$/));
    expect(seal.warnings).toContain(SIG_FIELD_LOCK);
    expect(seal.locksEnforced).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE', errors: [SIG_FIELD_LOCK] });
    expect([leader.warnings, leader.locksEnforced.indication]).toEqual([[], 'TOTAL_PASSED']);
  });

  it('a DSS added after B-LTA is no violation: every signature still TOTAL_PASSED with no warning, locks enforced', () => {
    const j = judged.dssAdded;
    expect(verdicts(j.signatures)).toEqual([
      ['ChuKyLanhDao', 'PAdES-BASELINE-LTA', 'TOTAL_PASSED', 'TOTAL_PASSED'],
      ['DauCoQuan', 'PAdES-BASELINE-LTA', 'TOTAL_PASSED', 'TOTAL_PASSED'],
    ]);
    expect(j.timestamps.map((t) => [t.indication, t.locksEnforced?.indication])).toEqual([['PASSED', 'PASSED']]);
    for (const s of [...j.signatures, ...j.timestamps]) expect(s.warnings).toEqual([]);
  });
});
