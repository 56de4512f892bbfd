// The demo trust services judged by OpenSSL, which we did not write: the certificates' pointers, OCSP (POST and
// GET, good → revoked, unknown), the CRL and the RFC 3161 TSA (nonce, imprint, certReq, refusals).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { padesVenv } from '../../lib/testing/pades.js';
import { createFileKeyStore, revokeCertificate, serialOf } from './pki.js';
import { startTrustServices, type TrustServices } from './trust-services.js';

let dir: string;
let ts: TrustServices;
const file = (name: string) => join(dir, name);

/** pyHanko's certificate validator (a second judge, from the pinned venv): fetches OCSP, then the CRL. */
const PYTHON = join(padesVenv(), 'bin/python');
const CERTVALIDATOR = `
import sys, asyncio, json
from asn1crypto import pem, x509
from pyhanko_certvalidator import ValidationContext, CertificateValidator
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule
from pyhanko_certvalidator.errors import RevokedError
def load(p):
    d = open(p, 'rb').read()
    if pem.detect(d): _, _, d = pem.unarmor(d)
    return x509.Certificate.load(d)
ca, leaf = load(sys.argv[1]), load(sys.argv[2])
out = {}
async def main():
    for name, rule in [('ocsp', RevocationCheckingRule.OCSP_REQUIRED), ('crl', RevocationCheckingRule.CRL_REQUIRED)]:
        policy = CertRevTrustPolicy(RevocationCheckingPolicy(ee_certificate_rule=rule, intermediate_ca_cert_rule=rule))
        ctx = ValidationContext(trust_roots=[ca], allow_fetching=True, revinfo_policy=policy)
        try:
            await CertificateValidator(leaf, validation_context=ctx).async_validate_usage({'digital_signature'})
            out[name] = 'valid'
        except RevokedError:
            out[name] = 'revoked'
        except Exception as e:
            out[name] = f'{type(e).__name__}: {e}'
asyncio.run(main())
print(json.dumps(out))
`;

async function certvalidator(): Promise<{ ocsp: string; crl: string }> {
  writeFileSync(file('certvalidator.py'), CERTVALIDATOR);
  const child = spawn(PYTHON, [file('certvalidator.py'), file('ca.pem'), file('leader.pem')], { stdio: ['ignore', 'pipe', 'ignore'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  await new Promise((r) => child.on('close', r));
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** Asynchronous: the services answer from this very process, so a blocking spawn would wait for ever. */
function openssl(args: string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, out: Buffer.concat(chunks).toString('utf8') }));
  });
}

async function post(path: string, type: string, body: Buffer): Promise<Buffer> {
  const res = await fetch(`${ts.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(body) });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trust-services-'));
  ts = await startTrustServices({ pkiDir: file('pki') });
  const leader = await ts.store.leaderKey({ username: 'nhung', fullName: 'Lê Thị Hồng Nhung' });
  writeFileSync(file('leader.pem'), leader.certPem);
  writeFileSync(file('ca.pem'), await ts.store.caCertPem());
  writeFileSync(file('tsa.pem'), (await ts.store.serviceKey('tsa')).certPem);
  writeFileSync(file('data.txt'), 'Bản sao điện tử: nội dung được đóng dấu thời gian\n');
});

afterAll(async () => {
  await ts?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('certificates of the demo CA', () => {
  it('carry a CRL distribution point and AIA (OCSP, caIssuers) pointing at the trust services', async () => {
    const text = (await openssl(['x509', '-in', 'leader.pem', '-noout', '-text'])).out;
    expect(text).toContain('X509v3 CRL Distribution Points');
    expect(text).toContain(`URI:${ts.url}/crl`);
    expect(text).toContain(`OCSP - URI:${ts.url}/ocsp`);
    expect(text).toContain(`CA Issuers - URI:${ts.url}/ca.cer`);
    expect((await openssl(['verify', '-CAfile', 'ca.pem', 'leader.pem'])).out).toContain('leader.pem: OK');
  });

  it('the TSA certificate has id-kp-timeStamping as its critical EKU, issued by the CA', async () => {
    const text = (await openssl(['x509', '-in', 'tsa.pem', '-noout', '-ext', 'extendedKeyUsage'])).out;
    expect(text).toMatch(/Extended Key Usage: critical\s+Time Stamping\s*$/);
    expect((await openssl(['verify', '-purpose', 'timestampsign', '-CAfile', 'ca.pem', 'tsa.pem'])).out).toContain('tsa.pem: OK');
  });

  it('the caIssuers address serves the CA certificate', async () => {
    const der = Buffer.from(await (await fetch(`${ts.url}/ca.cer`)).arrayBuffer());
    writeFileSync(file('ca.der'), der);
    expect((await openssl(['x509', '-inform', 'DER', '-in', 'ca.der', '-noout', '-subject'])).out).toContain('CA th');
  });

  it('a key store without the trust services address still issues certificates, without pointers, from the same CA', async () => {
    const plain = await createFileKeyStore(file('pki')).leaderKey({ username: 'old', fullName: 'Nguyễn Văn Cũ' });
    writeFileSync(file('plain.pem'), plain.certPem);
    expect((await openssl(['x509', '-in', 'plain.pem', '-noout', '-text'])).out).not.toContain('CRL Distribution Points');
    expect((await openssl(['verify', '-CAfile', 'ca.pem', 'plain.pem'])).out).toContain('plain.pem: OK');
    // The responder knows every certificate the CA issued, pointers or not.
    const ocsp = await openssl(['ocsp', '-issuer', 'ca.pem', '-cert', 'plain.pem', '-url', `${ts.url}/ocsp`, '-CAfile', 'ca.pem']);
    expect(ocsp.out).toContain('plain.pem: good');
  });
});

describe('OCSP responder, CRL and revocation', () => {
  const ocspAsk = async (extra: string[] = []) =>
    (await openssl(['ocsp', '-issuer', 'ca.pem', '-cert', 'leader.pem', '-url', `${ts.url}/ocsp`, '-CAfile', 'ca.pem', '-resp_text', ...extra])).out;

  it('says good before the revocation (POST, and GET with the request in the URL), signed by a delegated responder', async () => {
    const out = await ocspAsk(['-reqout', 'req.der']);
    expect(out).toContain('Response verify OK');
    expect(out).toContain('leader.pem: good');
    expect(out).toContain('OCSP Nonce'); // echoed: openssl checks it matches its request
    expect(out).toContain('Next Update');

    const b64 = encodeURIComponent(readFileSync(file('req.der')).toString('base64'));
    writeFileSync(file('get.der'), Buffer.from(await (await fetch(`${ts.url}/ocsp/${b64}`)).arrayBuffer()));
    const viaGet = (await openssl(['ocsp', '-reqin', 'req.der', '-respin', 'get.der', '-issuer', 'ca.pem', '-CAfile', 'ca.pem', '-resp_text'])).out;
    expect(viaGet).toContain('Response verify OK');
    expect(viaGet).toContain('Cert Status: good');
  });

  it('says unknown for a serial the CA never issued, and refuses garbage as malformed', async () => {
    const out = (await openssl(['ocsp', '-issuer', 'ca.pem', '-serial', '0x1234', '-url', `${ts.url}/ocsp`, '-CAfile', 'ca.pem'])).out;
    expect(out).toContain('0x1234: unknown');
    writeFileSync(file('garbage.der'), await post('/ocsp', 'application/ocsp-request', Buffer.from('not DER')));
    expect((await openssl(['ocsp', '-respin', 'garbage.der', '-resp_text', '-noverify'])).out).toContain('malformedrequest');
  });

  it('publishes a CRL (DER, with nextUpdate) that openssl verify -crl_check accepts', async () => {
    writeFileSync(file('crl.der'), Buffer.from(await (await fetch(`${ts.url}/crl`)).arrayBuffer()));
    const text = (await openssl(['crl', '-inform', 'DER', '-in', 'crl.der', '-noout', '-text'])).out;
    expect(text).toContain('Next Update');
    expect(text).toContain('X509v3 CRL Number');
    expect(text).toContain('No Revoked Certificates');
    await openssl(['crl', '-inform', 'DER', '-in', 'crl.der', '-out', 'crl.pem']);
    writeFileSync(file('ca+crl.pem'), `${readFileSync(file('ca.pem'), 'utf8')}${readFileSync(file('crl.pem'), 'utf8')}`);
    expect((await openssl(['verify', '-crl_check', '-CAfile', 'ca+crl.pem', 'leader.pem'])).out).toContain('leader.pem: OK');
  });

  it('pyHanko\'s certificate validator finds the leader certificate valid by OCSP and by CRL', async () => {
    expect(await certvalidator()).toEqual({ ocsp: 'valid', crl: 'valid' });
  });

  it('after revoking the leader certificate, OCSP says revoked and the CRL lists it', async () => {
    const leaderPem = readFileSync(file('leader.pem'), 'utf8');
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 90_000 + 678); // 90 s ago, with a fraction of a second
    const revocation = await revokeCertificate(join(dir, 'pki'), leaderPem, { reason: 'keyCompromise', at });
    const inSeconds = new Date(Math.floor(at.getTime() / 1000) * 1000);
    expect(revocation).toEqual({ serial: serialOf(leaderPem), revokedAt: inSeconds.toISOString(), reason: 'keyCompromise' });
    expect(await revokeCertificate(join(dir, 'pki'), revocation.serial)).toEqual(revocation); // once is enough

    const out = await ocspAsk();
    expect(out).toContain('Response verify OK');
    expect(out).toContain('leader.pem: revoked');
    expect(out).toContain('Reason: keyCompromise');
    const d = /\w+, (\d+) (\w+) (\d+) ([\d:]+) GMT/.exec(inSeconds.toUTCString())!; // as openssl prints it: Dec  2 02:24:33 2026 GMT
    expect(out).toContain(`Revocation Time: ${d[2]} ${String(Number(d[1])).padStart(2)} ${d[4]} ${d[3]} GMT`);

    writeFileSync(file('crl2.der'), Buffer.from(await (await fetch(`${ts.url}/crl`)).arrayBuffer()));
    const text = (await openssl(['crl', '-inform', 'DER', '-in', 'crl2.der', '-noout', '-text'])).out;
    expect(text).toContain(`Serial Number: ${revocation.serial.toUpperCase()}`);
    expect(text).toContain('Key Compromise');
    await openssl(['crl', '-inform', 'DER', '-in', 'crl2.der', '-out', 'crl2.pem']);
    writeFileSync(file('ca+crl2.pem'), `${readFileSync(file('ca.pem'), 'utf8')}${readFileSync(file('crl2.pem'), 'utf8')}`);
    const verify = await openssl(['verify', '-crl_check', '-CAfile', 'ca+crl2.pem', 'leader.pem']);
    expect(verify.status).not.toBe(0);
    expect(verify.out).toContain('certificate revoked');
    expect(await certvalidator()).toEqual({ ocsp: 'revoked', crl: 'revoked' });
  });
});

describe('RFC 3161 time-stamping authority', () => {
  const tsQuery = async (out: string, extra: string[] = []) =>
    expect((await openssl(['ts', '-query', '-data', 'data.txt', '-sha256', '-out', out, ...extra])).status).toBe(0);

  it('stamps a SHA-256 imprint, echoes the nonce, includes its certificate on certReq; openssl ts -verify agrees', async () => {
    await tsQuery('q.tsq', ['-cert']);
    writeFileSync(file('r.tsr'), await post('/tsa', 'application/timestamp-query', readFileSync(file('q.tsq'))));
    const query = (await openssl(['ts', '-query', '-in', 'q.tsq', '-text'])).out;
    const reply = (await openssl(['ts', '-reply', '-in', 'r.tsr', '-text'])).out;
    expect(reply).toContain('Status: Granted.');
    expect(reply).toContain('Hash Algorithm: sha256');
    const nonce = /Nonce: (0x[0-9A-F]+)/.exec(query)![1];
    expect(reply).toContain(`Nonce: ${nonce}`);
    const imprint = (t: string) => /Message data:\n([\s\S]*?)\n(?=\S)/.exec(t)![1];
    expect(imprint(reply)).toBe(imprint(query));

    expect((await openssl(['ts', '-verify', '-in', 'r.tsr', '-data', 'data.txt', '-CAfile', 'ca.pem'])).out).toContain('Verification: OK');
    expect((await openssl(['ts', '-verify', '-in', 'r.tsr', '-queryfile', 'q.tsq', '-CAfile', 'ca.pem'])).out).toContain('Verification: OK');
    writeFileSync(file('other.txt'), 'một tệp khác\n');
    const wrong = await openssl(['ts', '-verify', '-in', 'r.tsr', '-data', 'other.txt', '-CAfile', 'ca.pem']);
    expect(wrong.out).toContain('message imprint mismatch');
  });

  it('leaves its certificate out without certReq (then the verifier supplies it)', async () => {
    await tsQuery('nocert.tsq');
    writeFileSync(file('nocert.tsr'), await post('/tsa', 'application/timestamp-query', readFileSync(file('nocert.tsq'))));
    expect((await openssl(['ts', '-verify', '-in', 'nocert.tsr', '-data', 'data.txt', '-CAfile', 'ca.pem'])).out).not.toContain('Verification: OK');
    expect((await openssl(['ts', '-verify', '-in', 'nocert.tsr', '-data', 'data.txt', '-CAfile', 'ca.pem', '-untrusted', 'tsa.pem'])).out)
      .toContain('Verification: OK');
  });

  it.each([
    ['a SHA-1 imprint', ['-sha1'], 'unrecognized or unsupported algorithm identifier'],
    ['another policy', ['-tspolicy', '1.2.3.4'], 'the requested TSA policy is not supported by the TSA'],
  ])('refuses %s', async (_what, extra, failure) => {
    expect((await openssl(['ts', '-query', '-data', 'data.txt', '-out', 'bad.tsq', ...extra])).status).toBe(0);
    writeFileSync(file('bad.tsr'), await post('/tsa', 'application/timestamp-query', readFileSync(file('bad.tsq'))));
    const reply = (await openssl(['ts', '-reply', '-in', 'bad.tsr', '-text'])).out;
    expect(reply).toContain('Status: Rejected.');
    expect(reply).toContain(failure);
  });

  it('answers 413 to a request larger than any query', async () => {
    const res = await fetch(`${ts.url}/tsa`, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: new Uint8Array(200_000) });
    expect(res.status).toBe(413);
  });

  it('refuses what is not a TimeStampReq', async () => {
    writeFileSync(file('junk.tsr'), await post('/tsa', 'application/timestamp-query', Buffer.from('junk')));
    const reply = (await openssl(['ts', '-reply', '-in', 'junk.tsr', '-text'])).out;
    expect(reply).toContain('Status: Rejected.');
    expect(reply).toContain('the data submitted has the wrong format');
  });
});
