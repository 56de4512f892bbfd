// npm run build: the prebuilt workflow bundle the worker loads when WORKFLOW_BUNDLE names it (the Dockerfile does).
// Prints where it went, its size and how long it took.
import path from 'node:path';
import { buildWorkflowBundle } from '../lib/workflow-bundle.js';

const out = path.resolve(process.argv[2] ?? process.env.WORKFLOW_BUNDLE ?? '.data/build/workflow-bundle.js');
const t0 = performance.now();
const bytes = await buildWorkflowBundle(out);
console.log(`workflow bundle: ${out} (${(bytes / 1024).toFixed(0)} KiB, ${((performance.now() - t0) / 1000).toFixed(1)} s); start the worker with WORKFLOW_BUNDLE=${out}`);
