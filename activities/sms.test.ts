// The SMS gateway drivers: the HTTP driver against a real HTTP server on 127.0.0.1, and the local outbox.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmsGateway } from './sms.js';

const seen: { auth?: string; type?: string; body: unknown }[] = [];
let answer: { status: number; body: string } = { status: 200, body: '{"id":"msg-1"}' };
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    seen.push({ auth: req.headers.authorization, type: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
});
afterAll(async () => { await new Promise((r) => server.close(r)); });

describe('SMS gateway', () => {
  it('posts the documented payload with the bearer token and returns the provider id', async () => {
    const gw = createSmsGateway({ url, token: 'tok-123', outboxDir: '/nonexistent' });
    const r = await gw.send({ to: '0942077843', text: 'Nhắc lịch hẹn CTĐT-20261127-0000', reference: 'CTĐT-20261127-0000:reminder' });
    expect(r).toEqual({ id: 'msg-1' });
    expect(seen.at(-1)).toEqual({
      auth: 'Bearer tok-123', type: 'application/json',
      body: { to: '0942077843', message: 'Nhắc lịch hẹn CTĐT-20261127-0000', reference: 'CTĐT-20261127-0000:reminder' },
    });
  });
  it('treats a non-2xx answer as a failure (so the workflow retries)', async () => {
    answer = { status: 503, body: 'busy' };
    const gw = createSmsGateway({ url, token: null, outboxDir: '/nonexistent' });
    await expect(gw.send({ to: '0942077843', text: 'x', reference: 'r2' })).rejects.toThrow(/503/);
    answer = { status: 200, body: '{"id":"msg-1"}' };
  });
  it('writes one file per message to the local outbox by default', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-'));
    const gw = createSmsGateway({ outboxDir: dir });
    await gw.send({ to: '0942077843', text: 'Dời lịch hẹn', reference: 'CTĐT-1:reschedule:1:sms' });
    const files = fs.readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(path.join(dir, files[0]), 'utf8'))).toMatchObject({ to: '0942077843', message: 'Dời lịch hẹn' });
    fs.rmSync(dir, { recursive: true });
  });
});
