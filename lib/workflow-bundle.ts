// The prebuilt workflow bundle (issue 11 point 5): `npm run build` bundles the workflow code once (webpack, as the
// worker would at every start) with a stamp of the sources it was built from; a worker given WORKFLOW_BUNDLE loads
// it and starts in a second instead of bundling TypeScript. A bundle whose sources have changed since is refused,
// so a stale bundle can never run other workflow code than the checkout's (a non-determinism in waiting).
import { bundleWorkflowCode } from '@temporalio/worker';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAILURE_CONVERTER_PATH } from './payload-codec.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const WORKFLOWS_ENTRY = path.join(root, 'workflows/index.ts');
/** What the workflow sandbox runs: workflows/ and domain/ (workflows/fence.test.ts), and the failure converter. */
const SOURCE_DIRS = ['workflows', 'domain'];

/** A hash of the workflow sources (tests and committed histories aside), in a stable order. */
export function workflowSourcesStamp(): string {
  const h = createHash('sha256');
  const files: string[] = [FAILURE_CONVERTER_PATH];
  for (const dir of SOURCE_DIRS) {
    for (const f of fs.readdirSync(path.join(root, dir), { recursive: true }) as string[]) {
      if (f.endsWith('.ts') && !f.endsWith('.test.ts')) files.push(path.join(root, dir, f));
    }
  }
  for (const f of files.sort()) h.update(path.relative(root, f)).update('\0').update(fs.readFileSync(f)).update('\0');
  return h.digest('hex');
}

const stampPathOf = (bundlePath: string) => `${bundlePath}.stamp`;

/** Builds the bundle into `out` (and its stamp beside it); returns its size in bytes. */
export async function buildWorkflowBundle(out: string): Promise<number> {
  const stamp = workflowSourcesStamp();
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY, failureConverterPath: FAILURE_CONVERTER_PATH });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(`${out}.tmp`, code);
  fs.renameSync(`${out}.tmp`, out);
  fs.writeFileSync(stampPathOf(out), `${stamp}\n`);
  return Buffer.byteLength(code);
}

/** The worker's option for a prebuilt bundle, after checking it was built from these sources. */
export function prebuiltBundle(bundlePath: string): { codePath: string } {
  let stamp: string;
  try {
    stamp = fs.readFileSync(stampPathOf(bundlePath), 'utf8').trim();
    fs.accessSync(bundlePath, fs.constants.R_OK);
  } catch {
    throw new Error(`Refusing to start: WORKFLOW_BUNDLE=${bundlePath} does not exist (or has no stamp); build it with \`npm run build\`.`);
  }
  if (stamp !== workflowSourcesStamp()) {
    throw new Error(`Refusing to start: the workflow bundle ${bundlePath} was built from other workflow sources than these; rebuild it with \`npm run build\`.`);
  }
  return { codePath: bundlePath };
}
