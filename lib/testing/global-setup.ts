// Starts the real components the tests need, once per test run: a Temporal dev server (the pinned CLI) and
// an embedded PostgreSQL. Each test file then makes its own database and task queue (see harness.ts).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../embedded-postgres.js';
import { DEV_SERVER_SQLITE_ARGS, freePort, waitForTemporal } from '../local-services.js';
import { devServerSearchAttributeArgs } from '../search-attributes.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctdt-test-'));
  let temporalAddress = process.env.TEMPORAL_ADDRESS ?? '';
  let stopTemporal = () => {};
  if (!temporalAddress) {
    const bin = execFileSync('bash', [path.resolve('scripts/ensure-temporal.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    const port = await freePort();
    const child = spawn(bin, ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless',
      '--db-filename', path.join(dir, 'temporal.db'), '--log-level', 'error', ...DEV_SERVER_SQLITE_ARGS, ...devServerSearchAttributeArgs()], { stdio: 'ignore' });
    stopTemporal = () => child.kill('SIGTERM');
    temporalAddress = `127.0.0.1:${port}`;
    try { await waitForTemporal(temporalAddress); } catch (e) { stopTemporal(); throw e; }
  }
  let pgAdminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? '';
  let stopPg = async () => {};
  if (!pgAdminUrl) {
    try {
      const pg = await startEmbeddedPostgres(path.join(dir, 'pg'), await freePort(), 'postgres');
      pgAdminUrl = pg.url;
      stopPg = pg.stop;
    } catch (e) {
      stopTemporal(); // no teardown runs when setup fails: do not leave the dev server behind
      throw e;
    }
  }
  project.provide('temporalAddress', temporalAddress);
  project.provide('pgAdminUrl', pgAdminUrl);
  return async () => {
    stopTemporal();
    await stopPg().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
