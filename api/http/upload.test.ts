// Uploads (api/upload.ts): a body announced (Content-Length) over the route's limit is answered at once, before
// the client has sent it, and the connection closed; the streaming limit still holds for a body without a length.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, csrfOf, loginStaff, multipart } from '../../lib/testing/http.js';
import { MAX_SCAN_BYTES } from './upload.js';

let h: Harness;
beforeAll(async () => { h = await createHarness(); }, 120_000);
afterAll(async () => { await h?.close(); });

const { call, tokenFor } = apiClient(() => h.baseUrl);

interface EarlyAnswer { status: number; body: string; closed: boolean; sent: number }

/**
 * Sends the headers (with a Content-Length of `declared`) and only the start of the body, then waits: the answer must
 * come while most of the body is still unsent. Fails when nothing comes within `waitMs`.
 */
function sendStartOnly(p: string, headers: Record<string, string>, start: Buffer, declared: number, waitMs = 10_000): Promise<EarlyAnswer> {
  return new Promise((resolve, reject) => {
    const url = new URL(p, h.baseUrl);
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent: false, headers: { ...headers, 'content-length': String(declared) } });
    const timer = setTimeout(() => { req.destroy(); reject(new Error(`no answer within ${waitMs} ms while the body was still being sent`)); }, waitMs);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => {
        // The server closes the connection instead of reading the rest.
        const socket = res.socket ?? req.socket;
        const done = (closed: boolean) => { clearTimeout(timer); resolve({ status: res.statusCode ?? 0, body, closed, sent: start.length }); };
        if (!socket || socket.destroyed) return done(true);
        socket.once('close', () => done(true));
        setTimeout(() => done(socket.destroyed), 2000);
      });
    });
    req.on('error', () => { /* the server may close while we still write; the answer is what counts */ });
    req.write(start);
  });
}

/** The head of a multipart body: fields, then the start of the file part. */
function multipartStart(boundary: string, fields: Record<string, string>, fileField: string): Buffer {
  let s = '';
  for (const [k, v] of Object.entries(fields)) s += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  s += `--${boundary}\r\nContent-Disposition: form-data; name="${fileField}"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n`;
  return Buffer.from(s, 'utf8');
}

const tmpFiles = () => {
  const dir = path.join(h.config.dataDir, 'files', 'tmp');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
};

describe('an upload over the limit', () => {
  const declared = MAX_SCAN_BYTES + 5 * 1024 * 1024;

  it('is answered 413 by the API before the body is sent, and the connection is closed', async () => {
    const boundary = `b${crypto.randomBytes(8).toString('hex')}`;
    const r = await sendStartOnly('/api/v1/dossiers', {
      authorization: `Bearer ${await tokenFor('canbo')}`, 'content-type': `multipart/form-data; boundary=${boundary}`,
    }, multipartStart(boundary, { applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, 'scan'), declared);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ error: 'too_large' });
    expect(r.closed).toBe(true);
    expect(tmpFiles()).toEqual([]);
  });

  it('is answered 413 by the screen (token first, as the form sends it) before the body is sent', async () => {
    const clerk = await loginStaff(h.baseUrl, 'canbo');
    const csrf = csrfOf((await clerk.get('/ban-sao/them-moi')).html);
    const boundary = `b${crypto.randomBytes(8).toString('hex')}`;
    const cookie = `ctdt.sid=${clerk.cookie('ctdt.sid')}`;
    const r = await sendStartOnly('/ban-sao', { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
      multipartStart(boundary, { _csrf: csrf, _key: crypto.randomUUID(), applicantMode: 'account', idNumber: '151804051', documentType: 'GKS' }, 'scan'), declared);
    expect(r.status).toBe(413);
    expect(r.body).toContain('vượt quá dung lượng cho phép');
    expect(r.closed).toBe(true);
    expect(tmpFiles()).toEqual([]);
  });

  it('a body within the limit still goes through', async () => {
    const r = await call('canbo', 'POST', '/dossiers', { form: multipart({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, 'scan', await makePdf(1), 'a.pdf', 'application/pdf') });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  });
});
