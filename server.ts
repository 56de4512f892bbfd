// Composition root of the web server: reads the environment, migrates, seeds (demo mode), serves.
import { Client, Connection } from '@temporalio/client';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalStorage } from './activities/storage.js';
import { createApp } from './api/app.js';
import { loadConfig } from './lib/config.js';
import { createDb, migrateToLatest } from './lib/db.js';
import { dataConverterOf } from './lib/payload-codec.js';
import { ensureSearchAttributes } from './lib/search-attributes.js';
import { seedDemoData, seedReferenceData } from './lib/seed.js';

async function main() {
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error('DATABASE_URL is not set (npm start sets it for the embedded PostgreSQL)');
  const db = createDb(config.databaseUrl);
  await migrateToLatest(db);
  await seedReferenceData(db);
  if (config.mode === 'demo') await seedDemoData(db);
  const connection = await Connection.connect({ address: config.temporalAddress });
  const temporal = new Client({ connection, namespace: config.temporalNamespace, dataConverter: dataConverterOf(config) });
  await ensureSearchAttributes(connection, config.temporalNamespace);
  const app = createApp({ config, db, temporal, storage: createLocalStorage(path.join(config.dataDir, 'files'), { sweepEveryMs: 5 * 60_000 }) });
  const server = app.listen(config.port, () => console.log(`web: http://localhost:${config.port} (${config.mode} mode)`));
  // Stopped: no new connections, then exit (an exit, not death by the signal, so that --cpu-prof writes its profile).
  // Requests still running are cut after 2 s; a dossier's change is in Temporal and the database, never half in this process.
  const stop = () => { server.close(() => process.exit(0)); server.closeIdleConnections(); setTimeout(() => process.exit(0), 2000).unref(); };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
}
