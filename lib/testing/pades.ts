// The independent PAdES judge for tests: pyHanko (lib/testing/pades-judge.py, in the venv that
// scripts/ensure-pades-tools.sh installs) validates each signature and document timestamp of a PDF.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const JUDGE = path.join(ROOT, 'lib/testing/pades-judge.py');

export type PadesLevel = 'none' | 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';

export interface JudgedSignature {
  field: string;
  type: 'Sig' | 'DocTimeStamp' | null;
  subFilter: string;
  signedAttributes: string[];
  unsignedAttributes: string[];
  /** The DocMDP level this signature imposes, as certification or through its field lock's /P (1 no changes,
   *  2 forms and signing, 3 annotations too); null when it imposes none. */
  mdpLevel: number | null;
  /** The FieldMDP action of this signature's field lock ('/All', '/Include', '/Exclude'), if any. */
  fieldLock: string | null;
  intact: boolean;
  valid: boolean;
  trusted: boolean;
  revoked?: boolean;
  coverage?: 'ENTIRE_FILE' | 'ENTIRE_REVISION' | 'CONTIGUOUS_BLOCK_FROM_START' | null;
  /** pyHanko's difference analysis of what came after: LTA_UPDATES, FORM_FILLING, ANNOTATIONS, OTHER. */
  modificationLevel?: string | null;
  docmdpOk?: boolean | null;
  bottomLine: boolean;
  signer?: string | null;
  timestamp?: { intact: boolean; valid: boolean; trusted: boolean; time: string; authority: string | null } | null;
  level?: PadesLevel;
  /** Document timestamps: whether the DSS was already in the revision it covers (what B-LTA asks). */
  coversDss?: boolean;
  /** With `ltv`: 'ok' when pyHanko validates the signature and its timestamp offline, revocation checked in
   *  hard-fail mode from the file's DSS alone; else why not. */
  ltv?: string;
  /** With `ades`: pyHanko's AdES long-term validation (EN 319 102-1 §5.6.3), offline, revocation data required:
   *  'PASSED', else the indication and why. */
  ades?: string;
  /** Whether the DSS has a VRI entry (its validation data) for this signature or document timestamp. */
  vri: boolean;
  error?: string;
}

export interface Judgement {
  signatures: JudgedSignature[];
  dss: { certs: number; ocsps: number; crls: number; vri: number } | null;
}

let venv: string | null = null;
/** The project-local venv with pyHanko and certomancer (installed on first use). */
export function padesVenv(): string {
  venv ??= execFileSync('bash', [path.join(ROOT, 'scripts/ensure-pades-tools.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  return venv;
}
const judgePython = () => path.join(padesVenv(), 'bin/python');

/** What pyHanko says of `pdf`, trusting the given CA certificates (PEM). */
export function judgePdf(pdf: Buffer | string, trust: string[], opts: { allowFetching?: boolean; ltv?: boolean; ades?: boolean } = {}): Judgement {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pades-judge-'));
  try {
    const file = typeof pdf === 'string' ? pdf : path.join(dir, 'in.pdf');
    if (typeof pdf !== 'string') fs.writeFileSync(file, pdf);
    const args = [JUDGE, ...trust.flatMap((pem, i) => { const p = path.join(dir, `trust-${i}.pem`); fs.writeFileSync(p, pem); return ['--trust', p]; })];
    if (opts.allowFetching) args.push('--allow-fetching');
    if (opts.ltv) args.push('--ltv');
    if (opts.ades) args.push('--ades');
    const out = execFileSync(judgePython(), [...args, file], { encoding: 'utf8', maxBuffer: 16 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(out) as Judgement;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
