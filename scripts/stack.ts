// Runs the whole system on one machine: Temporal dev server (SQLite file under .data) unless TEMPORAL_ADDRESS
// is set, embedded PostgreSQL unless DATABASE_URL is set, in demo mode the test CA's trust services (OCSP, CRL,
// TSA: scripts/trust-services.ts), then worker.ts and server.ts as child processes.
// Any of them that dies is started again (scripts/supervise.ts); the others ride it out. Ctrl-C stops them all.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../lib/config.js';
import { startEmbeddedPostgres } from '../lib/embedded-postgres.js';
import { DEV_SERVER_SQLITE_ARGS, waitForTemporal } from '../lib/local-services.js';
import { devServerSearchAttributeArgs } from '../lib/search-attributes.js';
import { Supervisor, type Service } from './supervise.js';

const config = loadConfig();
const supervisor = new Supervisor();
let stopping = false;

async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  await supervisor.stop();
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

/** A process of ours, its output on this terminal. */
function program(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): Service {
  return {
    name,
    start: () => new Promise<ChildProcess>((resolve, reject) => {
      const child = spawn(cmd, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
      child.once('spawn', () => resolve(child));
      child.once('error', reject);
    }),
  };
}

async function main() {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: config.dataDir };

  if (!process.env.TEMPORAL_ADDRESS) {
    const bin = process.env.TEMPORAL_CLI;
    if (!bin) throw new Error('TEMPORAL_CLI is not set: run through `npm start` (scripts/start.sh), which obtains the Temporal CLI');
    const port = Number(process.env.TEMPORAL_PORT ?? 7233);
    fs.mkdirSync(path.join(config.dataDir, 'temporal'), { recursive: true });
    await supervisor.add(program('temporal', bin, ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(port + 1000),
      '--db-filename', path.join(config.dataDir, 'temporal', 'temporal.db'), '--log-level', 'warn', ...DEV_SERVER_SQLITE_ARGS, ...devServerSearchAttributeArgs()], env));
    env.TEMPORAL_ADDRESS = `127.0.0.1:${port}`;
    console.log(`temporal: dev server on ${env.TEMPORAL_ADDRESS}, Web UI http://localhost:${port + 1000}`);
  }
  await waitForTemporal(env.TEMPORAL_ADDRESS ?? config.temporalAddress);

  if (!process.env.DATABASE_URL) {
    const dir = path.join(config.dataDir, 'pg');
    let url = '';
    await supervisor.add({
      name: 'postgres',
      stopSignal: 'SIGINT', // fast shutdown: ends the sessions instead of waiting for them
      start: async () => {
        const pg = await startEmbeddedPostgres(dir, config.embeddedPgPort);
        url = pg.url;
        return pg.process;
      },
    });
    env.DATABASE_URL = url;
    console.log(`postgres: embedded on port ${config.embeddedPgPort}`);
  }
  if (config.mode === 'demo' && config.trustServicesUrl) {
    env.TRUST_SERVICES_URL = config.trustServicesUrl; // the worker's certificates point where this one listens
    await supervisor.add(program('trust-services', process.execPath, ['--import', 'tsx', 'scripts/trust-services.ts'], env));
  }
  // PROFILE_DIR: the worker and the web server write V8 CPU profiles into its worker/ and web/ when they stop
  // (read with npm run profile:summary).
  const profiled = (name: string) => (process.env.PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.PROFILE_DIR, name)}`] : []);
  // STACK_WORKERS=<n> (default 1): n worker processes on the task queue (each a main thread of its own).
  const workers = Number(process.env.STACK_WORKERS ?? 1);
  if (!Number.isInteger(workers) || workers < 1 || workers > 8) throw new Error(`STACK_WORKERS must be 1 to 8, not "${process.env.STACK_WORKERS}".`);
  for (let i = 1; i <= workers; i++) {
    const name = workers === 1 ? 'worker' : `worker-${i}`;
    await supervisor.add(program(name, process.execPath, [...profiled(name), '--import', 'tsx', 'worker.ts'], env));
  }
  await supervisor.add(program('web', process.execPath, [...profiled('web'), '--import', 'tsx', 'server.ts'], env));
}

main().catch((e) => { console.error(e instanceof Error ? e.message : e); void stopAll(1); });
