// The RFC 3161 client against an independent TSA (certomancer) and against a small proxy in front of it that
// forges its answers: every answer that is not a granted, validly signed token for exactly this request is refused,
// and a refused timestamp leaves no e-copy behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as asn1js from 'asn1js';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContentInfo, PKIStatusInfo, SignedData, TimeStampResp, TSTInfo } from 'pkijs';
import { startCertomancer, type Certomancer } from '../../lib/testing/certomancer.js';
import { arrayBufferOf } from './der.js';
import { makeScanPdf } from './fixtures.js';
import { createFileKeyStore, type KeyMaterial } from './pki.js';
import { TIMESTAMPED_CONTENTS_BYTES } from './placeholder.js';
import { signWithAttestation } from './sign.js';
import { imprintOf, requestTimestamp, TsaError, type TsaFailure } from './tsa.js';

type Forgery = 'none' | 'status' | 'nonce' | 'imprint' | 'signature' | 'garbage' | 'http500' | 'slow' | 'auth';

let tsa: Certomancer;
let proxy: http.Server;
let proxyUrl: string;
let forgery: Forgery = 'none';
let lastAuthorization: string | undefined;

const ab = arrayBufferOf;

/** Changes one thing inside a genuine TimeStampResp (re-encoded, so the TSA's signature no longer covers it). */
function tamper(answer: Buffer, what: 'nonce' | 'imprint' | 'signature'): Buffer {
  const resp = new TimeStampResp({ schema: asn1js.fromBER(ab(answer)).result });
  const sd = new SignedData({ schema: resp.timeStampToken!.content });
  if (what === 'signature') {
    const sig = Buffer.from(sd.signerInfos[0].signature.valueBlock.valueHexView);
    sig[sig.length - 1] ^= 0xff;
    sd.signerInfos[0].signature = new asn1js.OctetString({ valueHex: ab(sig) });
  } else {
    const tst = new TSTInfo({ schema: asn1js.fromBER(sd.encapContentInfo.eContent!.getValue()).result });
    if (what === 'nonce') tst.nonce = new asn1js.Integer({ value: 42 });
    else {
      const h = Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView);
      h[0] ^= 0xff;
      tst.messageImprint.hashedMessage = new asn1js.OctetString({ valueHex: ab(h) });
    }
    sd.encapContentInfo.eContent = new asn1js.OctetString({ valueHex: tst.toSchema().toBER(false) });
  }
  resp.timeStampToken = new ContentInfo({ contentType: ContentInfo.SIGNED_DATA, content: sd.toSchema(true) });
  return Buffer.from(resp.toSchema().toBER(false));
}

beforeAll(async () => {
  tsa = await startCertomancer();
  proxy = http.createServer(async (req, res) => {
    lastAuthorization = req.headers.authorization;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (forgery === 'http500') return void res.writeHead(500).end('down');
    if (forgery === 'garbage') return void res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' }).end('<html>maintenance</html>');
    if (forgery === 'slow') return void setTimeout(() => res.writeHead(500).end(), 3_000);
    if (forgery === 'status') {
      const refused = new TimeStampResp({ status: new PKIStatusInfo({ status: 2, statusStrings: [new asn1js.Utf8String({ value: 'bad alg' })] }) });
      return void res.writeHead(200).end(Buffer.from(refused.toSchema().toBER(false)));
    }
    const upstream = await fetch(tsa.tsaUrl, { method: 'POST', headers: { 'Content-Type': 'application/timestamp-query' }, body: new Uint8Array(Buffer.concat(chunks)) });
    let answer: Buffer = Buffer.from(await upstream.arrayBuffer());
    if (forgery === 'nonce' || forgery === 'imprint' || forgery === 'signature') answer = tamper(answer, forgery);
    res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' }).end(answer);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}/tsa`;
}, 60_000);

afterAll(async () => {
  await new Promise((r) => proxy?.close(r));
  await tsa?.stop();
});

async function refusal(f: Forgery, timeoutMs?: number): Promise<{ reason: TsaFailure; message: string }> {
  forgery = f;
  try {
    await requestTimestamp({ url: proxyUrl, timeoutMs }, imprintOf(Buffer.from('signature value')));
  } catch (e) {
    expect(e).toBeInstanceOf(TsaError);
    return { reason: (e as TsaError).reason, message: (e as Error).message };
  } finally {
    forgery = 'none';
  }
  throw new Error(`forgery ${f} was accepted`);
}

describe('RFC 3161 client', () => {
  it('takes a genuine token from certomancer through the proxy, sending HTTP basic credentials when configured', async () => {
    const token = await requestTimestamp({ url: proxyUrl, username: 'vnpt', password: 's3cret' }, imprintOf(Buffer.from('signature value')));
    expect(new ContentInfo({ schema: asn1js.fromBER(ab(token)).result }).contentType).toBe(ContentInfo.SIGNED_DATA);
    expect(lastAuthorization).toBe(`Basic ${Buffer.from('vnpt:s3cret').toString('base64')}`);
  });

  it.each([
    ['status', 'rejected', /refused the request \(PKIStatus 2: bad alg\)/],
    ['nonce', 'mismatch', /another nonce/],
    ['imprint', 'mismatch', /another message imprint/],
    ['signature', 'invalid', /signature does not verify/],
    ['garbage', 'malformed', /not a DER TimeStampResp/],
    ['http500', 'http', /HTTP 500/],
  ] as const)('refuses an answer with %s', async (f, reason, message) => {
    const r = await refusal(f);
    expect(r.reason).toBe(reason);
    expect(r.message).toMatch(message);
  });

  it('gives up on a TSA slower than its timeout, and on one that is down', async () => {
    const t0 = Date.now();
    expect(await refusal('slow', 500)).toMatchObject({ reason: 'timeout', message: expect.stringMatching(/did not answer within 0.5 s/) });
    expect(Date.now() - t0).toBeLessThan(2_500);
    const down = await requestTimestamp({ url: 'http://127.0.0.1:9/tsa' }, imprintOf(Buffer.from('x'))).catch((e: TsaError) => e);
    expect(down).toMatchObject({ reason: 'unreachable' });
  });
});

describe('signing with a TSA that fails', () => {
  let key: KeyMaterial;
  let scan: Buffer;
  beforeAll(async () => {
    key = await createFileKeyStore(join(mkdtempSync(join(tmpdir(), 'tsa-')), 'pki')).leaderKey({ username: 'lanhdao', fullName: 'Trần Văn Ánh' });
    scan = await makeScanPdf({ pages: 1 });
  });
  const sign = () => signWithAttestation(scan, {
    key, signerName: 'Trần Văn Ánh', signerTitle: 'TRƯỞNG PHÒNG', timestamper: { timestamp: (d) => requestTimestamp({ url: proxyUrl }, d) },
    attestation: { agencyName: 'UBND xã', documentTypeName: 'Giấy khai sinh', dossierCode: 'G22.29-250620-010009', date: new Date() },
  });

  it('throws the TSA error and leaves the scan as it was; signs once the TSA answers again', async () => {
    const before = Buffer.from(scan);
    forgery = 'nonce';
    await expect(sign()).rejects.toBeInstanceOf(TsaError);
    forgery = 'none';
    expect(scan.equals(before)).toBe(true);
    const pdf = await sign();
    // The CMS with chain and token fits the B-T placeholder, with room for a TSA that sends a longer chain.
    const hex = /\/Contents <([0-9A-F]+)>/.exec(pdf.subarray(pdf.lastIndexOf('/ByteRange')).toString('latin1'))![1];
    const used = hex.replace(/(00)+$/, '').length / 2;
    console.log(`B-T CMS ${used} bytes of ${TIMESTAMPED_CONTENTS_BYTES} reserved`);
    expect(used).toBeLessThan(TIMESTAMPED_CONTENTS_BYTES / 2);
  }, 30_000);
});
