// npm run replay -- <file or folder> [...] [--workflows <module>]: replays workflow histories (Temporal JSON) against
// the workflow code and prints one line per history, "ok <file>" or "FAIL <file>: <why> (event <id>)"; the exit
// status is 1 when any fails. --workflows replays against other workflow code (the tests' changed workflow); --json
// prints the verdicts as one JSON array instead.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../lib/config.js';
import { dataConverterOf } from '../lib/payload-codec.js';
import { replayHistories, WORKFLOWS_PATH } from '../lib/replay.js';

const args = process.argv.slice(2);
let workflowsPath = WORKFLOWS_PATH;
let json = false; // --json: the verdicts as one JSON array (the "Kiểm thử phát lại" screen reads it)
const targets: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--workflows') workflowsPath = path.resolve(args[++i] ?? '');
  else if (args[i] === '--json') json = true;
  else targets.push(args[i]);
}
if (!targets.length) {
  console.error('Usage: npm run replay -- <history.json or folder> [...] [--workflows <module>]');
  process.exit(2);
}
const files = targets.flatMap((t) => (fs.statSync(t).isDirectory()
  ? fs.readdirSync(t).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(t, f))
  : [t]));
// This installation's payload keys (the environment's, or the demo's generated one): encrypted histories replay too.
const verdicts = await replayHistories(files.map((f) => ({ name: f, json: fs.readFileSync(f, 'utf8') })), workflowsPath, dataConverterOf(loadConfig()));
if (json) console.log(JSON.stringify(verdicts));
else for (const v of verdicts) console.log(v.ok ? `ok ${v.name}` : `FAIL ${v.name}: ${v.error}${v.eventId ? ` (event ${v.eventId})` : ''}`);
process.exit(verdicts.every((v) => v.ok) ? 0 : 1);
