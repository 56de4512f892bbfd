// Runs the whole system on one machine: Temporal dev server (SQLite file under .data) unless TEMPORAL_ADDRESS
// is set, embedded PostgreSQL unless DATABASE_URL is set, then worker.ts and server.ts as child processes.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../lib/config.js';
import { startEmbeddedPostgres, type EmbeddedPg } from '../lib/embedded-postgres.js';
import { waitForTemporal } from '../lib/local-services.js';

const config = loadConfig();
const children: ChildProcess[] = [];
let pg: EmbeddedPg | null = null;
let stopping = false;

async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  if (pg) await pg.stop().catch(() => {});
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

function run(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`${name} exited (${code}); stopping everything`);
      void stopAll(code ?? 1);
    }
  });
  children.push(child);
  return child;
}


async function main() {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: config.dataDir };

  if (!process.env.TEMPORAL_ADDRESS) {
    const bin = process.env.TEMPORAL_CLI;
    if (!bin) throw new Error('TEMPORAL_CLI is not set: run through `npm start` (scripts/start.sh), which obtains the Temporal CLI');
    const port = Number(process.env.TEMPORAL_PORT ?? 7233);
    fs.mkdirSync(path.join(config.dataDir, 'temporal'), { recursive: true });
    run('temporal', bin, ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(port + 1000),
      '--db-filename', path.join(config.dataDir, 'temporal', 'temporal.db'), '--log-level', 'warn'], env);
    env.TEMPORAL_ADDRESS = `127.0.0.1:${port}`;
    console.log(`temporal: dev server on ${env.TEMPORAL_ADDRESS}, Web UI http://localhost:${port + 1000}`);
  }
  await waitForTemporal(env.TEMPORAL_ADDRESS ?? config.temporalAddress);

  if (!process.env.DATABASE_URL) {
    pg = await startEmbeddedPostgres(path.join(config.dataDir, 'pg'), config.embeddedPgPort);
    env.DATABASE_URL = pg.url;
    console.log(`postgres: embedded on port ${config.embeddedPgPort}`);
  }
  run('worker', process.execPath, ['--import', 'tsx', 'worker.ts'], env);
  run('web', process.execPath, ['--import', 'tsx', 'server.ts'], env);
}

main().catch((e) => { console.error(e instanceof Error ? e.message : e); void stopAll(1); });
