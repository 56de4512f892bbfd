// Every committed workflow history (workflows/histories/*.json, exported with `temporal workflow show -o json`
// from real runs) must replay against the current workflow code: a change that would break running dossiers
// or appointments fails here. Record a new history when a workflow gains a new path.
import { Worker } from '@temporalio/worker';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = path.resolve('workflows/histories');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('replay of committed histories', () => {
  it('has histories of every workflow that people wait on', () => {
    expect(files.some((f) => f.startsWith('dossier-'))).toBe(true);
    expect(files.some((f) => f.startsWith('appointment-'))).toBe(true);
    expect(files.some((f) => f.startsWith('batch-'))).toBe(true);
  });
  it.each(files)('%s replays deterministically', async (file) => {
    // The SDK takes the CLI's JSON form of a history as it is.
    const history: unknown = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    await Worker.runReplayHistory({ workflowsPath: path.resolve('workflows/index.ts') }, history, file.replace(/\.json$/, ''));
  });
});
