// The CSC client against an independent server (certomancer-csc-dummy behind a token gate): list, info, authorize
// and signHash give a signature that verifies with the service's certificate; a token from OAuth2 client
// credentials; a wrong token or secret and an unknown credential are refused for good; the service down is retryable.
import { createHash, verify, X509Certificate } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCertomancer, type Certomancer } from '../../lib/testing/certomancer.js';
import { startCscDummy, type CscDummy } from '../../lib/testing/csc-dummy.js';
import { assertEnabled, cscClient, CscError, remoteIdentity } from './csc.js';

let trust: Certomancer;
let csc: CscDummy;

beforeAll(async () => {
  trust = await startCertomancer();
  csc = await startCscDummy(trust);
}, 60_000);
afterAll(async () => {
  await csc?.stop();
  await trust?.stop();
});

const client = () => cscClient({ url: csc.url, auth: { kind: 'token', token: csc.token } });

it('lists the credentials, reads the chain and signs a hash the certificate verifies', async () => {
  const c = client();
  expect(await c.listCredentials()).toContain(csc.leaderCredential);
  const info = assertEnabled(await c.credentialInfo(csc.leaderCredential));
  expect(info).toMatchObject({ status: 'enabled', keyType: 'rsa' });
  const cert = new X509Certificate(info.chainDer[0]!);
  expect(cert.subject).toContain('CN=Tran Van Anh');
  // The chain ends at certomancer's root, the same certificate its Animator serves.
  expect(new X509Certificate(info.chainDer.at(-1)!).raw).toEqual(new X509Certificate(trust.rootPem).raw);

  const data = Buffer.from('the DER of some signed attributes');
  const sig = await remoteIdentity(c, info, 'Tran Van Anh').sign(data);
  expect(verify('sha256', data, cert.publicKey, sig)).toBe(true);
  // SCAL2: a SAD is bound to its hash; another hash is refused.
  const sad = await c.authorize(info.id, createHash('sha256').update(data).digest());
  await expect(c.signHash(info.id, sad, createHash('sha256').update('other').digest(), 'rsa')).rejects.toMatchObject({ reason: 'refused' });
}, 60_000);

it('refuses a wrong token, and an unknown credential, for good', async () => {
  const wrong = cscClient({ url: csc.url, auth: { kind: 'token', token: 'nope' } });
  const e1 = await wrong.listCredentials().catch((e: CscError) => e);
  expect(e1).toBeInstanceOf(CscError);
  expect(e1).toMatchObject({ reason: 'unauthorized', status: 401, retryable: false });
  await expect(client().credentialInfo('trust/nobody')).rejects.toMatchObject({ reason: 'not_found', retryable: false });
  await expect(client().authorize('trust/nobody', Buffer.alloc(32))).rejects.toMatchObject({ retryable: false });
}, 30_000);

it('gets its token with OAuth2 client credentials; a wrong client secret is refused for good', async () => {
  const c = cscClient({ url: csc.url, auth: { kind: 'oauth2', ...csc.oauth2 } });
  expect(await c.listCredentials()).toContain(csc.leaderCredential);
  const wrong = cscClient({ url: csc.url, auth: { kind: 'oauth2', ...csc.oauth2, clientSecret: 'sai' } });
  await expect(wrong.listCredentials()).rejects.toMatchObject({ reason: 'unauthorized', status: 401, retryable: false });
}, 30_000);

it('the service down or slow is retryable', async () => {
  csc.down = true;
  try {
    const e = await client().listCredentials().catch((x: CscError) => x);
    expect(e).toMatchObject({ reason: 'unreachable', retryable: true });
  } finally {
    csc.down = false;
  }
  // A service that accepts the connection and never answers.
  const silent = net.createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  try {
    const slow = cscClient({ url: `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/csc/v1`, auth: { kind: 'none' }, timeoutMs: 300 });
    await expect(slow.listCredentials()).rejects.toMatchObject({ reason: 'timeout', retryable: true });
  } finally {
    silent.close();
  }
}, 30_000);
