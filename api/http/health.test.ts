// GET /healthz names the dependency that is down. (The database side, down and back, is in lib/db.test.ts, which
// restarts a PostgreSQL of its own; here Temporal is a port where nothing listens.)
import { Client, Connection } from '@temporalio/client';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLocalStorage } from '../../activities/storage.js';
import { loadConfig } from '../../lib/config.js';
import { createDb, type Db } from '../../lib/db.js';
import { freePort } from '../../lib/local-services.js';
import { createApp } from '../app.js';

let db: Db;
let connection: Connection;
let server: http.Server;
let baseUrl: string;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctdt-health-'));
  db = createDb(inject('pgAdminUrl'), 2);
  connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
  const temporal = new Client({ connection });
  const app = createApp({ config: loadConfig({ DATA_DIR: dir }), db, temporal, storage: createLocalStorage(path.join(dir, 'files')) });
  server = await new Promise<http.Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await connection?.close().catch(() => {});
  await db?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('GET /healthz', () => {
  it('is degraded (503) and says Temporal is down when it cannot be reached', async () => {
    const res = await fetch(`${baseUrl}/healthz`);
    expect(res.status).toBe(503);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ status: 'degraded', database: 'ok', temporal: 'down' });
  });
});
