// An independent RFC 3161 TSA (with OCSP and CRL for its certificate) for tests: certomancer's Animator serving
// lib/testing/certomancer.yml on a free loopback port, with keys generated for the run.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { padesVenv } from './pades.js';

const CONFIG = path.join(path.dirname(fileURLToPath(import.meta.url)), 'certomancer.yml');
const ARCH = 'trust';

export interface Certomancer {
  /** Base URL of the Animator. */
  url: string;
  /** The RFC 3161 endpoint. */
  tsaUrl: string;
  /** The root CA that issued the TSA's certificate (what a validator must trust). */
  rootPem: string;
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
  for (const k of ['root', 'tsa', 'ocsp']) {
    execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path.join(keys, `${k}.key.pem`)], { stdio: 'ignore' });
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(path.join(padesVenv(), 'bin/certomancer'),
    ['--config', CONFIG, '--key-root', keys, '--service-url-prefix', url, 'animate', '--port', String(port), '--no-web-ui'],
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
      return { url, tsaUrl: `${url}/${ARCH}/tsa/tsa`, rootPem: await res.text(), stop };
    }
    if (Date.now() > until) {
      await stop();
      throw new Error(`certomancer did not answer on ${url} within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
