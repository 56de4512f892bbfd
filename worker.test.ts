// kill -9 of the worker PROCESS (node --import tsx worker.ts) while it signs a dossier: once a worker runs again,
// the signing activity is retried within seconds (it heartbeats, with a short heartbeat timeout) instead of after
// its whole start-to-close timeout, the leader's request completes, and the e-copy carries one signature.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalStorage } from './activities/storage.js';
import { DossierService } from './api/dossiers/service.js';
import type { DossierView } from './domain/dossier.js';
import { uploadedPdf } from './lib/testing/files.js';
import { createHarness, makePdf, type Harness } from './lib/testing/harness.js';
import { signUpdate, workflowIdFor } from './workflows/messages.js';
import { until } from './lib/testing/time.js';

let h: Harness;
let taskQueue = '';
let proc: ChildProcess | null = null;

/** Starts `node --import tsx worker.ts` on this file's database, data folder and task queue; resolves once it polls. */
async function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker.ts'], {
    env: { ...process.env, DATABASE_URL: h.config.databaseUrl!, TEMPORAL_ADDRESS: h.config.temporalAddress, TASK_QUEUE: taskQueue, DATA_DIR: h.config.dataDir, APP_MODE: 'demo',
      TRUST_SERVICES_URL: h.config.trustServicesUrl!, TSA_URL: h.config.signature.tsa!.url, ARCHIVE_RENEWAL: 'off' }, // no schedule left behind on the shared server
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${output}`)), 60_000);
    const seen = (b: Buffer) => {
      output += b.toString();
      if (output.includes('worker: polling')) { clearTimeout(timer); resolve(); }
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', (b: Buffer) => { output += b.toString(); });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`worker exited (${code}): ${output}`)); });
  });
  return child;
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}


beforeAll(async () => {
  h = await createHarness({ web: false });
  taskQueue = `${h.config.taskQueue}-process`;
  proc = await startWorkerProcess();
});
afterAll(async () => {
  for await (const wf of h.client.workflow.list({ query: `TaskQueue="${taskQueue}" AND ExecutionStatus="Running"` })) {
    await h.client.workflow.getHandle(wf.workflowId).terminate('test file finished').catch(() => {});
  }
  if (proc) await kill9(proc);
  await h?.close();
});

describe('worker killed during signing', () => {
  it('the dossier is signed, once, within 30 s of a worker coming back', async () => {
    const service = new DossierService(h.db, h.client, createLocalStorage(path.join(h.config.dataDir, 'files')), taskQueue, h.config.workflow);
    const [canbo, lanhdao] = await Promise.all([h.actor('canbo'), h.actor('lanhdao')]);
    const d = await service.create(canbo, { applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, uploadedPdf(h, await makePdf(2)), crypto.randomUUID());
    const handle = h.client.workflow.getHandle(workflowIdFor(d.code));

    // Hold the signature images table: the signing activity then waits in the middle of its work.
    const lock = new pg.Client({ connectionString: h.config.databaseUrl! });
    await lock.connect();
    await lock.query('begin');
    await lock.query('lock table images in access exclusive mode');
    const update = await handle.startUpdate(signUpdate, { args: [{ actor: lanhdao }], updateId: 'sign-during-kill', waitForStage: 'ACCEPTED' });
    await until('the signing activity waiting on the images table', async () => {
      const r = await lock.query(`select 1 from pg_locks where not granted and relation = 'images'::regclass`);
      return r.rowCount! > 0;
    }, 30_000);
    const pending = (await handle.describe()).raw.pendingActivities ?? [];
    expect(pending.map((a) => a.activityType?.name)).toEqual(['signDossier']);

    await kill9(proc!);
    await lock.query('rollback');
    await lock.end();

    proc = await startWorkerProcess();
    const back = Date.now();
    const signed = await Promise.race([
      update.result() as Promise<DossierView>,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('not signed within 30 s of the worker coming back')), 30_000)),
    ]);
    expect(Date.now() - back).toBeLessThan(30_000);
    expect(signed.status).toBe('awaiting_seal');
    expect(signed.signedBy?.username).toBe('lanhdao');

    // One signature: one signed file, one /ByteRange in it, one "sign" in the audit trail.
    const files = await h.db.selectFrom('dossier_files').select(['kind', 'sha256']).where('dossier_code', '=', d.code).where('kind', '=', 'signed').execute();
    expect(files).toHaveLength(1);
    expect(files[0].sha256).toBe(signed.signedPdf!.sha256);
    const pdf = await createLocalStorage(path.join(h.config.dataDir, 'files')).get(files[0].sha256);
    expect(pdf.toString('latin1').match(/\/ByteRange\s*\[/g)).toHaveLength(1);
    const events = await h.db.selectFrom('dossier_events').select('action').where('dossier_code', '=', d.code).orderBy('seq').execute();
    expect(events.map((e) => e.action)).toEqual(['submit', 'sign']);
  });
});
