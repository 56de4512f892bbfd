// The prebuilt workflow bundle: `npm run build`'s bundle runs a dossier from creation to its signature on a worker
// given WORKFLOW_BUNDLE; a bundle built from other sources, or none at that path, stops the worker's start with
// what to do, instead of running other workflow code than the checkout's.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker } from '../worker.js';
import { loadConfig } from './config.js';
import { createHarness, makePdf, type Harness } from './testing/harness.js';
import { apiClient, multipart } from './testing/http.js';

let h: Harness;
const { call } = apiClient(() => h.baseUrl);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-'));
const bundle = path.join(dir, 'workflow-bundle.js');

beforeAll(async () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts', bundle], { encoding: 'utf8' });
  expect(out).toContain(`workflow bundle: ${bundle}`);
  h = await createHarness({ env: { WORKFLOW_BUNDLE: bundle } });
}, 240_000);
afterAll(async () => { await h?.close(); fs.rmSync(dir, { recursive: true, force: true }); });

describe('the prebuilt workflow bundle', () => {
  it('runs the dossier workflow: created, submitted, signed', async () => {
    expect(h.config.workflowBundle).toBe(bundle);
    const form = multipart({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf');
    const created = await call('canbo', 'POST', '/dossiers', { form });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const signed = await call('lanhdao', 'POST', `/dossiers/${encodeURIComponent(created.body.code)}/sign`);
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    expect(signed.body.status).toBe('awaiting_seal');
  });

  it('a stale or missing bundle stops the worker with what to do', async () => {
    const stale = path.join(dir, 'stale.js');
    fs.copyFileSync(bundle, stale);
    fs.writeFileSync(`${stale}.stamp`, 'built-from-other-sources\n');
    const configOf = (p: string) => loadConfig({ ...process.env, DATA_DIR: h.config.dataDir, WORKFLOW_BUNDLE: p, TEMPORAL_ADDRESS: h.config.temporalAddress });
    await expect(createWorker(configOf(stale), h.db)).rejects.toThrow(/built from other workflow sources.*npm run build/);
    await expect(createWorker(configOf(path.join(dir, 'none.js')), h.db)).rejects.toThrow(/does not exist.*npm run build/);
  });
});
