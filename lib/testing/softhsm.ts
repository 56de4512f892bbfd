// Test support: a throw-away SoftHSM2 (its own SOFTHSM2_CONF and token folder in a temp dir) with tokens made by
// softhsm2-util and objects written by pkcs11-tool, as an administrator would put the agency seal into an HSM.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KeyMaterial } from '../../activities/pdf/pki.js';
import { pkcs11Module } from '../../activities/pdf/pkcs11.js';
import { sealIncremental, type SealOptions } from '../../activities/pdf/seal.js';
import { loadIdentity } from '../../activities/pdf/signer.js';
import { alternatingMedians } from './time.js';

/** Debian's softhsm2 package. */
export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

export interface SoftHsm {
  dir: string;
  /** The SOFTHSM2_CONF file; also set in this process's environment (the library reads it at C_Initialize). */
  conf: string;
  module: string;
  /** A new token (`softhsm2-util --init-token --free`). */
  initToken(label: string, pin: string, soPin?: string): void;
  /** A PKCS#8 PEM private key into the token (softhsm2-util --import), then `certificates` (pkcs11-tool --write-object):
   *  the first one the key's (same CKA_ID and label), the others its CAs. */
  importKeyPem(token: { label: string; pin: string }, o: { keyPem: string; certificates: Buffer[]; label: string; id: string }): void;
  /** The private key of `key` (PKCS#12) into the token, with its certificate and CA certificates unless told otherwise. */
  importKey(token: { label: string; pin: string }, key: KeyMaterial, o: { label: string; id: string; withCertificate?: boolean; withChain?: boolean }): void;
  /** Runs pkcs11-tool against this SoftHSM (e.g. to list objects). */
  tool(args: string[]): string;
  remove(): void;
}

export function createSoftHsm(): SoftHsm {
  if (!existsSync(SOFTHSM_MODULE)) throw new Error(`SoftHSM2 is not installed (${SOFTHSM_MODULE}): apt-get install softhsm2 opensc`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'softhsm-'));
  const tokens = path.join(dir, 'tokens');
  mkdirSync(tokens);
  const conf = path.join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  process.env.SOFTHSM2_CONF = conf;
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const tool = (args: string[]) => run('pkcs11-tool', ['--module', SOFTHSM_MODULE, ...args]);
  return {
    dir, conf, module: SOFTHSM_MODULE, tool,
    initToken(label, pin, soPin = `so-${pin}`) {
      run('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin]);
    },
    importKeyPem(token, o) {
      const work = mkdtempSync(path.join(dir, 'import-'));
      try {
        const keyFile = path.join(work, 'key.pem');
        writeFileSync(keyFile, o.keyPem, { mode: 0o600 });
        run('softhsm2-util', ['--import', keyFile, '--token', token.label, '--label', o.label, '--id', o.id, '--pin', token.pin]);
        o.certificates.forEach((der, i) => {
          const f = path.join(work, `${i}.der`);
          writeFileSync(f, der);
          // The signer's certificate shares the key's CKA_ID and label (how a CA's enrolment tool leaves it); then the CAs.
          const [label, objId] = i === 0 ? [o.label, o.id] : [`ca-${i}`, `ca${i.toString(16).padStart(2, '0')}`];
          tool(['--token-label', token.label, '--login', '--pin', token.pin, '--write-object', f, '--type', 'cert', '--id', objId, '--label', label]);
        });
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
    importKey(token, key, o) {
      const id = loadIdentity(key);
      const certificates = o.withCertificate === false ? [] : o.withChain === false ? [id.certDer] : id.chainDer;
      this.importKeyPem(token, { keyPem: id.key.export({ type: 'pkcs8', format: 'pem' }) as string, certificates, label: o.label, id: o.id });
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---- benchmark: the seal with the key in SoftHSM2 against the same key in this process -------------------------
export interface TokenSealTiming {
  /** Median ms of sealIncremental with the PKCS#12 key (node:crypto). */
  softMs: number;
  /** Median ms of sealIncremental with the same key in a SoftHSM2 token (graphene-pk11, CKM_SHA256_RSA_PKCS). */
  tokenMs: number;
  /** tokenMs - softMs: what the token adds (the issue allows at most 100 ms on the 30 MiB scan); on a busy machine
   *  the noise of the 30 MiB work around it is larger than the difference, hence also: */
  overheadMs: number;
  /** Median ms of the signature step alone (sign() over signed attributes of the usual size), 50 calls each. */
  softSignMs: number;
  tokenSignMs: number;
  runs: number;
}

/** Seals the leader-signed `signed` `runs` times each way, alternating which goes first, in a throw-away SoftHSM2; for scripts/bench-pdf.ts. */
export async function benchTokenSeal(signed: Buffer, o: Omit<SealOptions, 'key' | 'timestamper'> & { sealKey: KeyMaterial; runs?: number }): Promise<TokenSealTiming> {
  const runs = o.runs ?? 5;
  const hsm = createSoftHsm();
  const token = { label: 'bench-seal', pin: '1234' };
  hsm.initToken(token.label, token.pin);
  hsm.importKey(token, o.sealKey, { label: 'seal', id: '01' });
  const mod = pkcs11Module(hsm.module);
  try {
    const identity = await mod.identity({ token: token.label, key: 'seal', pin: token.pin, pinEnv: 'BENCH_PIN' });
    const { sealKey, runs: _, ...seal } = o;
    const sealWith = (key: SealOptions['key']) => () => sealIncremental(signed, { ...seal, key });
    const seals = await alternatingMedians(runs, sealWith(sealKey), sealWith(identity)); // warm-up included (fonts, identity caches)
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const attrs = Buffer.alloc(220, 0x31);
    const soft1 = loadIdentity(sealKey);
    const signTimes = async (id: { sign(d: Buffer): Promise<Buffer> }) => {
      const xs: number[] = [];
      for (let i = 0; i < 50; i++) {
        const t0 = process.hrtime.bigint();
        await id.sign(attrs);
        xs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      return median(xs);
    };
    return { softMs: seals.a, tokenMs: seals.b, overheadMs: seals.b - seals.a, softSignMs: await signTimes(soft1), tokenSignMs: await signTimes(identity), runs };
  } finally {
    await mod.close();
    hsm.remove();
  }
}
