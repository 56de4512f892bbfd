// A streamed upload whose client goes away mid-file (a closed tab, a dropped connection, a killed proxy) keeps
// nothing in the temporary folder, and its parse ends instead of waiting for ever.
import type { Request } from 'express';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalStorage } from '../../activities/storage.js';
import { eventually } from '../../lib/testing/time.js';
import { parseMultipart } from './upload.js';

const cleanups: (() => void)[] = [];
afterEach(() => { for (const c of cleanups.splice(0)) c(); });

describe('parseMultipart', () => {
  it('removes the temporary file and settles when the client disconnects mid-upload', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upload-'));
    const storage = createLocalStorage(dir);
    const outcomes: string[] = [];
    const server = http.createServer((req, res) => {
      parseMultipart(req as Request, storage).then(() => outcomes.push('parsed'), (e: Error) => outcomes.push(`refused: ${e.message}`)).finally(() => res.end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => { server.close(); fs.rmSync(dir, { recursive: true, force: true }); });
    const { port } = server.address() as net.AddressInfo;

    const boundary = 'XyZ';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="documentType"\r\n\r\nGKS\r\n`
      + `--${boundary}\r\nContent-Disposition: form-data; name="scan"; filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n`;
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${20 * 1024 * 1024}\r\n\r\n`);
    socket.write(head);
    socket.write(Buffer.alloc(256 * 1024, 0x20));
    const tmp = path.join(dir, 'tmp');
    await eventually(() => fs.readdirSync(tmp).length, (n) => n === 1, 'the upload being written');
    socket.destroy(); // the client is gone, 19.75 MB short

    await eventually(() => fs.readdirSync(tmp), (f) => f.length === 0, 'the temporary file removed');
    await eventually(() => outcomes, (o) => o.length === 1, 'the parse settled');
    expect(outcomes[0]).toMatch(/^refused: /);
  });
});
