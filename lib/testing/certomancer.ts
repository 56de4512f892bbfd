// An independent RFC 3161 TSA (with OCSP and CRL for its certificate) for tests: certomancer's Animator serving
// lib/testing/certomancer.yml on a free loopback port, with keys generated for the run; its signers' certificates
// (CRL and OCSP pointers) as KeyMaterial our signer can use.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeyMaterial } from '../../activities/pdf/pki.js';
import { padesVenv } from './pades.js';

export const CERTOMANCER_CONFIG = path.join(path.dirname(fileURLToPath(import.meta.url)), 'certomancer.yml');
const ARCH = 'trust';

export interface Certomancer {
  /** Base URL of the Animator. */
  url: string;
  /** The folder of the run's keys (what another certomancer-based service, the CSC dummy, signs with). */
  keyRoot: string;
  /** The RFC 3161 endpoint. */
  tsaUrl: string;
  /** The root CA that issued the TSA's certificate (what a validator must trust). */
  rootPem: string;
  /** The OCSP responder and CRL for what the root issues. */
  ocspUrl: string;
  crlUrl: string;
  /** A signer's certificate and key (leader, leader-revoked, seal) as a PKCS#12 our KeyStore would give. */
  keyOf(label: 'leader' | 'leader-revoked' | 'seal'): KeyMaterial;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function startCertomancer(): Promise<Certomancer> {
  const keys = fs.mkdtempSync(path.join(os.tmpdir(), 'certomancer-'));
  for (const k of ['root', 'tsa', 'ocsp', 'leader', 'seal']) {
    execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path.join(keys, `${k}.key.pem`)], { stdio: 'ignore' });
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const bin = path.join(padesVenv(), 'bin/certomancer');
  const common = ['--config', CERTOMANCER_CONFIG, '--key-root', keys, '--service-url-prefix', url];
  // Certificates are derived from the config and the keys, so what `summon` writes is what the Animator serves.
  const issued = new Map<string, KeyMaterial>();
  const keyOf = (label: string): KeyMaterial => {
    const hit = issued.get(label);
    if (hit) return hit;
    const passphrase = 'certomancer';
    const p12 = execFileSync(bin, [...common, 'summon', ARCH, label, '--as-pfx', '--pfx-pass', passphrase, '--ignore-tty']);
    const certPem = execFileSync(bin, [...common, 'summon', ARCH, label, '--ignore-tty'], { encoding: 'utf8' });
    const k = { p12, passphrase, certPem, commonName: label };
    issued.set(label, k);
    return k;
  };
  const child: ChildProcess = spawn(bin, [...common, 'animate', '--port', String(port), '--no-web-ui'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    fs.rmSync(keys, { recursive: true, force: true });
  };

  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`certomancer exited (${child.exitCode}): ${stderr}`);
    }
    const res = await fetch(`${url}/${ARCH}/certs/root/ca.crt.pem`).catch(() => null);
    if (res?.ok) {
      return {
        url, keyRoot: keys, tsaUrl: `${url}/${ARCH}/tsa/tsa`, rootPem: await res.text(), stop, keyOf,
        ocspUrl: `${url}/${ARCH}/ocsp/root`, crlUrl: `${url}/${ARCH}/crls/root/latest.crl`,
      };
    }
    if (Date.now() > until) {
      await stop();
      throw new Error(`certomancer did not answer on ${url} within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
