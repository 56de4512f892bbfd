// npm run cluster (through scripts/cluster.sh): the production topology of docker-compose.yml on this machine,
// without Docker. The real Temporal server (v1.32.2, not the dev server) as separate processes — frontend, two
// history, matching, worker — on PostgreSQL (persistence postgres12, visibility in PostgreSQL with the custom
// search attributes); the embedded PostgreSQL in .data/cluster/pg, or DATABASE_URL's server. Then the demo trust
// services, two application workers and two web servers sharing one database and one DATA_DIR. Then the
// lifecycle benchmark three times: (a) one worker, (b) two workers, (c) two workers while one history process
// is killed with SIGKILL a third of the way through (not restarted: the other takes its shards). Ends with
// `cluster: <N> dossiers/s with 1 worker, <N> with 2; history kill: all <N> completed, numbers exact`, stops
// every process it started and exits non-zero if any check failed. Everything it writes is under .data/cluster.
import { Connection } from '@temporalio/client';
import protos from '@temporalio/proto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { SEARCH_ATTRIBUTE_NAMES } from '../domain/search-attributes.js';
import { startEmbeddedPostgres, type EmbeddedPg } from '../lib/embedded-postgres.js';
import { freePort, waitForTemporal } from '../lib/local-services.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIR = path.join(ROOT, '.data', 'cluster');
const LOGS = path.join(DIR, 'logs');
const SERVER_DIR = process.env.TEMPORAL_SERVER_DIR ?? path.join(ROOT, '.data/tools/temporal-server-1.32.2');
const SCHEMA_DIR = process.env.TEMPORAL_SCHEMA_DIR;
const CLI = process.env.TEMPORAL_CLI;
const SHARDS = Number(process.env.CLUSTER_HISTORY_SHARDS ?? 4);
const DOSSIERS = Number(process.env.BENCH_DOSSIERS ?? 45);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 10);
const NAMESPACE = 'default';
const TASK_QUEUE = process.env.TASK_QUEUE ?? 'dossiers';

const log = (line: string) => console.log(`cluster: ${line}`);

// ---- the processes it started, stopped in reverse order at the end -----------------------------------------
interface Proc { name: string; child: ChildProcess; stopSignal: NodeJS.Signals }
const procs: Proc[] = [];
let embedded: EmbeddedPg | null = null;

/** A process of ours, its output in .data/cluster/logs/<name>.log (five Temporal services would drown the terminal). */
function start(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, stopSignal: NodeJS.Signals = 'SIGTERM'): Promise<Proc> {
  const out = fs.openSync(path.join(LOGS, `${name}.log`), 'a');
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', out, out] });
    child.once('spawn', () => {
      fs.closeSync(out);
      const p = { name, child, stopSignal };
      procs.push(p);
      child.once('exit', (code, signal) => { if (!stopping) log(`${name} (pid ${child.pid}) exited (${signal ?? `code ${code}`})`); });
      resolve(p);
    });
    child.once('error', reject);
  });
}
const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;
async function stopProc(p: Proc, graceMs = 15_000) {
  if (!alive(p.child)) return;
  const gone = new Promise((r) => p.child.once('exit', r));
  p.child.kill(p.stopSignal);
  const late = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(late);
}

let stopping = false;
/** The app first (it holds Temporal and database connections), then Temporal, then PostgreSQL. */
async function stopAll() {
  if (stopping) return;
  stopping = true;
  const app = procs.filter((p) => !p.name.startsWith('temporal-'));
  await Promise.all(app.map((p) => stopProc(p)));
  await Promise.all(procs.filter((p) => p.name.startsWith('temporal-')).map((p) => stopProc(p)));
  if (embedded) await embedded.stop().catch(() => {});
  const left = procs.filter((p) => alive(p.child)).map((p) => `${p.name} ${p.child.pid}`);
  if (left.length) console.error(`cluster: still running after the stop: ${left.join(', ')}`);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stopAll().then(() => process.exit(1)));

// ---- Temporal's configuration -----------------------------------------------------------------------------
/** YAML of plain objects, arrays and scalars (strings quoted as JSON, which YAML reads as double-quoted). */
function yaml(v: unknown, indent = ''): string {
  return Object.entries(v as Record<string, unknown>).map(([k, x]) => {
    if (x && typeof x === 'object' && !Array.isArray(x)) return `${indent}${k}:\n${yaml(x, `${indent}  `)}`;
    return `${indent}${k}: ${JSON.stringify(x)}\n`;
  }).join('');
}

interface Db { host: string; port: number; user: string; password: string }

// The Temporal databases. On the embedded server (new each run) the names docker-compose.yml uses; on DATABASE_URL's
// server this check's own, dropped and made again at each run: a fresh cluster every time (an old run's workflows,
// encrypted with an old run's demo key, would stop the workers), and never a database that is not the check's.
const TEMPORAL_DB = process.env.DATABASE_URL ? 'temporal_cluster_check' : 'temporal';
const VISIBILITY_DB = `${TEMPORAL_DB}_visibility`;
type Ports = Record<'frontend' | 'frontendHttp' | 'frontendMembership' | 'matching' | 'matchingMembership' | 'worker' | 'workerMembership', number>
  & { history: { grpc: number; membership: number }[] };

/** One process's config: all share the databases and the frontend's address; each history host has its own ports. */
function temporalConfig(db: Db, ports: Ports, history: number) {
  const sql = (databaseName: string, maxConns: number) => ({
    sql: { pluginName: 'postgres12', databaseName, connectAddr: `${db.host}:${db.port}`, connectProtocol: 'tcp', user: db.user, password: db.password, maxConns, maxIdleConns: maxConns, maxConnLifetime: '1h' },
  });
  const rpc = (grpcPort: number, membershipPort: number, extra = {}) => ({ rpc: { grpcPort, membershipPort, bindOnIP: '127.0.0.1', ...extra } });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      numHistoryShards: SHARDS, defaultStore: 'default', visibilityStore: 'visibility',
      datastores: { default: sql(TEMPORAL_DB, 10), visibility: sql(VISIBILITY_DB, 4) },
    },
    // Hosts find each other through the cluster_membership table, then gossip on their membership ports.
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' }, pprof: { port: 0 } },
    services: {
      frontend: rpc(ports.frontend, ports.frontendMembership, { httpPort: ports.frontendHttp }),
      matching: rpc(ports.matching, ports.matchingMembership),
      history: rpc(ports.history[history].grpc, ports.history[history].membership),
      worker: rpc(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false, failoverVersionIncrement: 10, masterClusterName: 'active', currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${ports.frontend}`, httpAddress: `127.0.0.1:${ports.frontendHttp}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: path.join(ROOT, 'deploy/temporal/dynamicconfig.yaml'), pollInterval: '60s' },
  };
}

function run(cmd: string, args: string[], what: string) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n')}`);
}

/** The Temporal databases and their schemas, as the admin-tools one-shot of docker-compose.yml does. */
async function setupSchemas(db: Db) {
  if (!SCHEMA_DIR) throw new Error('TEMPORAL_SCHEMA_DIR is not set: run through `npm run cluster` (scripts/cluster.sh)');
  if (process.env.DATABASE_URL) {
    const admin = new pg.Client({ host: db.host, port: db.port, user: db.user, password: db.password, database: 'postgres' });
    await admin.connect();
    try {
      for (const name of [TEMPORAL_DB, VISIBILITY_DB]) await admin.query(`drop database if exists "${name}" with (force)`);
    } finally { await admin.end(); }
  }
  const sqlTool = path.join(SERVER_DIR, 'sql');
  for (const [database, schema] of [[TEMPORAL_DB, 'temporal'], [VISIBILITY_DB, 'visibility']]) {
    const base = ['--plugin', 'postgres12', '--ep', db.host, '-p', String(db.port), '-u', db.user, '--pw', db.password, '--db', database];
    // --quiet: on DATABASE_URL's server the database may exist already; the schema steps below are what must succeed.
    run(sqlTool, [...base, '--quiet', 'create-database'], `creating ${database}`);
    run(sqlTool, [...base, 'setup-schema', '-v', '0.0'], `setting up ${database}`);
    run(sqlTool, [...base, 'update-schema', '-d', path.join(SCHEMA_DIR, schema, 'versioned')], `updating ${database}`);
  }
  log(`schemas of ${TEMPORAL_DB} and ${VISIBILITY_DB} at their v1.32.2 versions`);
}

/** Registers the namespace, then waits until the frontend serves it (its namespace cache refreshes every few seconds). */
async function createNamespace(address: string) {
  if (!CLI) throw new Error('TEMPORAL_CLI is not set: run through `npm run cluster` (scripts/cluster.sh)');
  const until = Date.now() + 120_000;
  for (;;) {
    const r = spawnSync(CLI, ['operator', 'namespace', 'create', '--namespace', NAMESPACE, '--retention', '72h', '--address', address], { encoding: 'utf8' });
    if (r.status === 0 || /already (exists|registered)/i.test(r.stderr + r.stdout)) break;
    if (Date.now() > until) throw new Error(`temporal operator namespace create: ${(r.stderr || r.stdout).trim()}`);
    await sleep(1000);
  }
  const connection = await Connection.connect({ address });
  try {
    for (;;) {
      try {
        await connection.workflowService.listWorkflowExecutions({ namespace: NAMESPACE, pageSize: 1 });
        break;
      } catch (e) {
        if (Date.now() > until) throw new Error(`namespace ${NAMESPACE} not usable: ${(e as Error).message}`);
        await sleep(1000);
      }
    }
  } finally { await connection.close(); }
  log(`namespace ${NAMESPACE} created and served`);
}

/** Waits until `count` distinct worker processes poll the task queue for both workflow and activity tasks. */
async function waitForPollers(address: string, count: number) {
  const connection = await Connection.connect({ address });
  const { TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY } = protos.temporal.api.enums.v1.TaskQueueType;
  const until = Date.now() + 180_000;
  try {
    for (;;) {
      const seen = await Promise.all([TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY].map(async (taskQueueType) => {
        const r = await connection.workflowService.describeTaskQueue({ namespace: NAMESPACE, taskQueue: { name: TASK_QUEUE }, taskQueueType });
        // A poller seen in the last minute may be a stopped process: only recent ones count.
        return new Set((r.pollers ?? []).filter((p) => Date.now() - Number(p.lastAccessTime?.seconds ?? 0) * 1000 < 10_000).map((p) => p.identity)).size;
      }));
      if (seen.every((n) => n >= count)) return;
      if (Date.now() > until) throw new Error(`${count} worker(s) expected on task queue ${TASK_QUEUE}, saw ${seen.join('/')}`);
      await sleep(1000);
    }
  } finally { await connection.close(); }
}

async function waitForWeb(url: string, p: Proc) {
  const until = Date.now() + 300_000;
  for (;;) {
    if (!alive(p.child)) throw new Error(`${p.name} exited during start-up (see ${path.join(LOGS, `${p.name}.log`)})`);
    try { if ((await fetch(`${url}/healthz`)).ok) return; } catch { /* not listening yet */ }
    if (Date.now() > until) throw new Error(`${url}/healthz did not answer 200`);
    await sleep(500);
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A free port below 32768: Temporal stores each host's ports in cluster_membership as a PostgreSQL smallint, so
 * an ephemeral port (32768 and up, what freePort gets) makes the host fail to join.
 */
async function freeLowPort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) { taken.add(port); return port; }
  }
}
const taken = new Set<number>();

/**
 * Each history shard's owner (the host's gRPC address, a string inside the shard's ShardInfo blob) and range ID,
 * which a host raises when it acquires the shard: the evidence that the surviving history host took over.
 */
async function shardOwners(db: Db): Promise<Map<number, { owner: string; rangeId: number }>> {
  const client = new pg.Client({ host: db.host, port: db.port, user: db.user, password: db.password, database: TEMPORAL_DB });
  await client.connect();
  try {
    const { rows } = await client.query('select shard_id, range_id, data from shards order by shard_id');
    return new Map(rows.map((r) => [Number(r.shard_id), { owner: /127\.0\.0\.1:\d+/.exec((r.data as Buffer).toString('latin1'))?.[0] ?? '?', rangeId: Number(r.range_id) }]));
  } finally { await client.end(); }
}

/** Checks the custom search attributes the app registered answer a visibility query (SQL visibility in PostgreSQL). */
async function checkVisibility(address: string, atLeast: number) {
  const connection = await Connection.connect({ address });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: NAMESPACE });
    const missing = Object.values(SEARCH_ATTRIBUTE_NAMES).filter((n) => !(n in (customAttributes ?? {})));
    if (missing.length) throw new Error(`search attributes not registered: ${missing.join(', ')}`);
    const query = `${SEARCH_ATTRIBUTE_NAMES.dossierStatus}="completed"`;
    const until = Date.now() + 30_000;
    for (;;) {
      const count = Number((await connection.workflowService.countWorkflowExecutions({ namespace: NAMESPACE, query })).count ?? 0);
      if (count >= atLeast) { log(`search attributes ${Object.values(SEARCH_ATTRIBUTE_NAMES).join(', ')} registered by the app; visibility query ${query}: ${count} workflows`); return; }
      if (Date.now() > until) throw new Error(`visibility query ${query} found ${count}, expected at least ${atLeast}`);
      await sleep(1000);
    }
  } finally { await connection.close(); }
}

// ---- the benchmark -----------------------------------------------------------------------------------------
interface BenchResult { perSecond: number; completed: number; exact: boolean }

/** Runs scripts/bench-lifecycle.ts, its report on this terminal; `onCompleted` sees each completion count. */
function bench(label: string, env: NodeJS.ProcessEnv, onCompleted?: (k: number) => void): Promise<BenchResult> {
  log(`benchmark (${label}): ${DOSSIERS} dossiers, ${IN_FLIGHT} in flight`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench-lifecycle.ts'], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...env, BENCH_DOSSIERS: String(DOSSIERS), BENCH_IN_FLIGHT: String(IN_FLIGHT), BENCH_PROC_MARK: DIR, BENCH_PROGRESS: '1' },
    });
    procs.push({ name: `bench ${label}`, child, stopSignal: 'SIGTERM' });
    let perSecond = NaN, completed = 0, exact = false, rest = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        const k = /^completed (\d+)$/.exec(line);
        if (k) { onCompleted?.(Number(k[1])); continue; }
        console.log(`  | ${line}`);
        const l = /^lifecycle: ([\d.]+) dossiers\/s/.exec(line);
        if (l) perSecond = Number(l[1]);
        const n = /^numbers exact: (\d+) completed, certification numbers \d+–\d+ continuous/.exec(line);
        if (n) { completed = Number(n[1]); exact = true; }
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0 || !exact || !Number.isFinite(perSecond)) reject(new Error(`benchmark (${label}) failed (exit ${code})`));
      else resolve({ perSecond, completed, exact });
    });
  });
}

async function main() {
  for (const f of ['server', 'sql']) if (!fs.existsSync(path.join(SERVER_DIR, f))) throw new Error(`${path.join(SERVER_DIR, f)} is missing: run through \`npm run cluster\`, which builds it`);
  // A fresh cluster each run: the figures start from empty databases and queues.
  fs.rmSync(DIR, { recursive: true, force: true });
  fs.mkdirSync(LOGS, { recursive: true });
  fs.mkdirSync(path.join(DIR, 'temporal'), { recursive: true });

  let db: Db;
  let appDatabaseUrl: string;
  if (process.env.DATABASE_URL) {
    const u = new URL(process.env.DATABASE_URL);
    db = { host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
    appDatabaseUrl = process.env.DATABASE_URL;
    log(`PostgreSQL of DATABASE_URL at ${db.host}:${db.port}`);
  } else {
    const port = await freePort();
    // Five Temporal processes' pools (10 + 4 each) and four app processes' pools exceed the default 100.
    embedded = await startEmbeddedPostgres(path.join(DIR, 'pg'), port, 'chungthuc', { postgresFlags: ['-c', 'max_connections=300'] });
    db = { host: '127.0.0.1', port, user: 'postgres', password: 'postgres' };
    appDatabaseUrl = embedded.url;
    log(`embedded PostgreSQL on port ${port} (${path.join(DIR, 'pg')})`);
  }
  await setupSchemas(db);

  const p = () => freeLowPort();
  const ports: Ports = {
    frontend: await p(), frontendHttp: await p(), frontendMembership: await p(), matching: await p(), matchingMembership: await p(),
    worker: await p(), workerMembership: await p(), history: [{ grpc: await p(), membership: await p() }, { grpc: await p(), membership: await p() }],
  };
  const address = `127.0.0.1:${ports.frontend}`;
  const server = path.join(SERVER_DIR, 'server');
  const temporal = async (name: string, service: string, history = 0) => {
    const file = path.join(DIR, 'temporal', `${name}.yaml`);
    fs.writeFileSync(file, yaml(temporalConfig(db, ports, history)));
    return start(`temporal-${name}`, server, ['--config-file', file, '--allow-no-auth', 'start', '--service', service], process.env);
  };
  // History first: frontend and matching route to shard owners, which must have joined the ring.
  const histories = [await temporal('history-1', 'history', 0), await temporal('history-2', 'history', 1)];
  await temporal('matching', 'matching');
  await temporal('frontend', 'frontend');
  await temporal('worker', 'worker');
  await waitForTemporal(address, 120_000);
  log(`Temporal server 1.32.2 on ${address}: frontend, history ×2 (${SHARDS} shards), matching, worker (configs in ${path.join(DIR, 'temporal')})`);
  await createNamespace(address);

  // The app as scripts/stack.ts runs it in demo mode, every process sharing the database and the stored files.
  const dataDir = path.join(DIR, 'app');
  fs.mkdirSync(dataDir, { recursive: true });
  const trustPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env, APP_MODE: 'demo', DATA_DIR: dataDir, DATABASE_URL: appDatabaseUrl, TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: NAMESPACE, TRUST_SERVICES_URL: `http://127.0.0.1:${trustPort}`,
  };
  await start('trust-services', process.execPath, ['--import', 'tsx', 'scripts/trust-services.ts'], env);
  const webPorts = [await freePort(), await freePort()];
  const urls = webPorts.map((port) => `http://127.0.0.1:${port}`);
  // The first web server migrates, registers the search attributes and seeds the demo; the second starts after it.
  const web1 = await start('web-1', process.execPath, ['--import', 'tsx', 'server.ts'], { ...env, PORT: String(webPorts[0]), PUBLIC_URL: urls[0] });
  await waitForWeb(urls[0], web1);
  await start('worker-1', process.execPath, ['--import', 'tsx', 'worker.ts'], env);
  const web2 = await start('web-2', process.execPath, ['--import', 'tsx', 'server.ts'], { ...env, PORT: String(webPorts[1]), PUBLIC_URL: urls[1] });
  await waitForWeb(urls[1], web2);
  await waitForPollers(address, 1);
  log(`web servers ${urls.join(', ')}; worker-1 polling`);

  const benchEnv = { ...process.env, BASE_URLS: urls.join(','), BASE_URL: undefined };
  const one = await bench('1 worker', benchEnv);

  await start('worker-2', process.execPath, ['--import', 'tsx', 'worker.ts'], env);
  await waitForPollers(address, 2);
  log('worker-2 polling');
  const two = await bench('2 workers', benchEnv);
  await checkVisibility(address, one.completed + two.completed);

  // (c) the history host owning the most shards killed once a third of the dossiers completed; not restarted, so
  // the other must acquire its shards. (Which host takes which shards at start is up to Temporal's membership: one
  // run gave history-1 three of four, another gave history-2 all four.)
  const before = await shardOwners(db);
  const hostOf = (owner: string) => owner === `127.0.0.1:${ports.history[0].grpc}` ? 'history-1' : owner === `127.0.0.1:${ports.history[1].grpc}` ? 'history-2' : owner;
  log(`shards before the kill: ${[...before].map(([id, s]) => `${id} ${hostOf(s.owner)}`).join(', ')}`);
  const shardsOf = (host: string) => [...before].filter(([, s]) => hostOf(s.owner) === host).map(([id]) => id);
  const victim = shardsOf('history-1').length >= shardsOf('history-2').length ? 0 : 1;
  const [victimName, survivorName] = victim === 0 ? ['history-1', 'history-2'] : ['history-2', 'history-1'];
  const ofVictim = shardsOf(victimName);
  if (!ofVictim.length) throw new Error('no history host owns a shard: killing one would show nothing');
  const killAt = Math.ceil(DOSSIERS / 3);
  let killedAt = 0;
  let last = 0, longestGapAfterKill = 0;
  const killed = await bench('2 workers, a history process killed', benchEnv, (k) => {
    const now = performance.now();
    if (killedAt) longestGapAfterKill = Math.max(longestGapAfterKill, now - Math.max(last, killedAt));
    last = now;
    if (k >= killAt && !killedAt) {
      killedAt = now;
      histories[victim].child.kill('SIGKILL');
      log(`${victimName} (pid ${histories[victim].child.pid}, ${ofVictim.length} of ${before.size} shards) killed with SIGKILL after ${k} of ${DOSSIERS} completed; not restarted`);
    }
  });
  if (!killedAt) throw new Error(`${victimName} was never killed`);
  if (!alive(histories[1 - victim].child)) throw new Error(`${survivorName} died too`);
  log(`after the kill the longest wait for the next completion was ${(longestGapAfterKill / 1000).toFixed(1)} s`);
  const after = await shardOwners(db);
  log(`shards after: ${[...after].map(([id, s]) => `${id} ${hostOf(s.owner)} (range ${before.get(id)?.rangeId}→${s.rangeId})`).join(', ')}`);
  const notMoved = ofVictim.filter((id) => hostOf(after.get(id)!.owner) !== survivorName);
  if (notMoved.length) throw new Error(`shards ${notMoved.join(', ')} of the killed ${victimName} were not taken over by ${survivorName}`);

  await stopAll();
  console.log(`cluster: ${one.perSecond.toFixed(1)} dossiers/s with 1 worker, ${two.perSecond.toFixed(1)} with 2; history kill: all ${killed.completed} completed, numbers exact`);
}

main().then(() => process.exit(0), async (e) => {
  console.error(`cluster: ${e instanceof Error ? e.message : e} (logs in ${LOGS})`);
  await stopAll();
  process.exit(1);
});
