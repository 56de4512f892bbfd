// The second independent PAdES judge for tests: the EU DSS validator (lib/testing/dss-judge/DssJudge.java on the
// Maven classpath that scripts/ensure-dss-tools.sh builds). One JVM start judges a whole batch of PDFs.
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Ten small e-copies take ~15 s in one JVM on a loaded 2-core machine; this is for a hung one. */
const TIMEOUT_MS = 180_000;

export interface DssRequest {
  pdf: Buffer | string;
  /** Trust anchors, PEM: the CA of the signers, and the TSA's if it is another. */
  trust: string[];
  /** Validate as at this time (default: now). */
  validationTime?: Date;
}

/** What DSS's diagnostic data says of one signature's or document timestamp's PDF revision. */
export interface DssPdfFacts {
  /** The signature field's name. */
  field: string | null;
  subFilter: string | null;
  byteRange: number[];
  byteRangeValid: boolean;
  coversWholeDocument: boolean;
  /** The DocMDP permission this signature certifies with (NO_CHANGE_PERMITTED, MINIMAL_CHANGES_PERMITTED, CHANGES_PERMITTED). */
  docMdpPermission: string | null;
  fieldMdp: DssLock | null;
  sigFieldLock: DssLock | null;
  modifications: {
    detected: boolean;
    visualDifferencePages: number[];
    pageDifferencePages: number[];
    annotationOverlapPages: number[];
    objectModificationsDetected: boolean;
    /** Each as "ACTION /Type [field] [value]", as DSS names them: DSS/document-timestamp additions. */
    extension: string[];
    signatureOrFormFill: string[];
    annotation: string[];
    /** Changes DSS can't classify as any of the allowed kinds: what a lock forbids. */
    undefined: string[];
    modifiedFieldNames: string[];
  };
}

export interface DssLock { action: string; permissions: string | null; fields: string[] }

/** DSS's conclusion on one signature or timestamp under one validation policy. */
export interface DssConclusion {
  /** TOTAL_PASSED, INDETERMINATE or TOTAL_FAILED (timestamps: PASSED, ...). */
  indication: string;
  subIndication: string | null;
  /** DSS's AdES validation messages, in its English wording. */
  errors: string[];
  warnings: string[];
  infos: string[];
}

/** Under DSS's default policy; `locksEnforced`: the same with its DocMDP, FieldMDP and SigFieldLock checks at
 *  FAIL instead of WARN (the default policy only warns of changes a lock forbids). */
export interface DssVerdict extends DssConclusion {
  id: string;
  locksEnforced: DssConclusion;
  scopes: string[];
}

export interface DssSignature extends DssVerdict, Partial<DssPdfFacts> {
  /** e.g. PAdES-BASELINE-LTA, or PKCS7-B for a non-PAdES signature. */
  format: string;
  signedBy: string | null;
  bestSignatureTime: string | null;
  claimedSigningTime: string | null;
  signatureTimestamps: { id: string; type: string; productionTime: string; producedBy: string | null; indication: string }[];
}

export interface DssTimestamp extends DssVerdict, Partial<DssPdfFacts> {
  type: string;
  producedBy: string | null;
  productionTime: string;
  messageImprintIntact: boolean;
}

export interface DssJudgement {
  pdf: string;
  signatures: DssSignature[];
  timestamps: DssTimestamp[];
}

let tool: { classpath: string } | null = null;
/** The built judge (built on first use; throws with the reason if it can't be: the tests then fail, never skip). */
function dssTool(): { classpath: string } {
  if (!tool) {
    const dir = execFileSync('bash', [path.join(ROOT, 'scripts/ensure-dss-tools.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    tool = { classpath: `${path.join(dir, 'classes')}${path.delimiter}${fs.readFileSync(path.join(dir, 'classpath'), 'utf8').trim()}` };
  }
  return tool;
}

/**
 * What the EU DSS validator says of each PDF, in one JVM. Asynchronous on purpose: DSS fetches OCSP and CRLs from
 * the trust services, which in the tests may be served by this very process.
 */
export async function judgeWithDss(requests: DssRequest[]): Promise<DssJudgement[]> {
  const { classpath } = dssTool();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dss-judge-'));
  try {
    const pems = new Map<string, string>();
    const input = requests.map((r, i) => {
      let pdf = r.pdf;
      if (typeof pdf !== 'string') { const p = path.join(dir, `${i}.pdf`); fs.writeFileSync(p, pdf); pdf = p; }
      const trust = r.trust.map((pem) => {
        let p = pems.get(pem);
        if (!p) { p = path.join(dir, `trust-${pems.size}.pem`); fs.writeFileSync(p, pem); pems.set(pem, p); }
        return p;
      });
      return { pdf, trust, validationTime: r.validationTime?.toISOString() ?? null };
    });
    // Serial GC and the C1 compiler only: a short-lived JVM starts and warms up faster so.
    const args = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xss4m', '-cp', classpath, 'DssJudge'];
    const out = await new Promise<string>((resolve, reject) => {
      const child = execFile('java', args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: TIMEOUT_MS }, (err, stdout, stderr) => {
        if (err) reject(new Error(`The EU DSS judge failed (${err.killed ? 'timed out' : `exit ${err.code}`}): ${stderr.slice(-2000)}`));
        else resolve(stdout);
      });
      child.stdin!.end(JSON.stringify(input));
    });
    const judged = JSON.parse(out) as (DssJudgement & { error?: string })[];
    const failed = judged.find((j) => j.error);
    if (failed) throw new Error(`DSS could not validate ${failed.pdf}: ${failed.error}`);
    return judged;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
