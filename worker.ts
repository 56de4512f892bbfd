// Composition root of the Temporal worker: reads the environment, builds the activities' dependencies.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createActivities } from './activities/index.js';
import { createMailer } from './activities/mailer.js';
import { createSmsGateway } from './activities/sms.js';
import { createFileKeyStore } from './activities/pdf/pki.js';
import { createTimestamper } from './activities/pdf/tsa.js';
import { createLocalStorage } from './activities/storage.js';
import { ensureArchiveRenewalSchedule } from './lib/archive-schedule.js';
import { loadConfig, timestamped, type Config } from './lib/config.js';
import { createDb, migrateToLatest, type Db } from './lib/db.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function createWorker(config: Config, db: Db, opts: { connection?: NativeConnection } = {}) {
  const connection = opts.connection ?? (await NativeConnection.connect({ address: config.temporalAddress }));
  const activities = createActivities({
    db,
    storage: createLocalStorage(path.join(config.dataDir, 'files')),
    keys: createFileKeyStore(path.join(config.dataDir, 'pki'), { trustServicesUrl: config.trustServicesUrl }),
    mailer: createMailer({ smtpUrl: config.smtpUrl, outboxDir: path.join(config.dataDir, 'outbox'), from: config.mailFrom }),
    sms: createSmsGateway({ url: config.smsGatewayUrl, token: config.smsGatewayToken, outboxDir: path.join(config.dataDir, 'sms-outbox') }),
    publicUrl: config.publicUrl,
    maxAttachmentBytes: config.maxAttachmentBytes,
    signing: {
      level: config.signature.level,
      timestamper: timestamped(config.signature.level) && config.signature.tsa ? createTimestamper(config.signature.tsa) : null,
    },
    archiveRenewal: { marginDays: config.archiveRenewal.marginDays },
  });
  return Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    workflowsPath: path.join(here, 'workflows/index.ts'),
    activities,
  });
}

async function main() {
  const config = loadConfig();
  if (config.mode === 'production' && process.env.ALLOW_TEST_PKI !== '1') {
    // Real certificates (uploaded PKCS#12, external token signing) plug in behind the KeyStore interface later;
    // until then production must say out loud that it signs with the generated test PKI.
    throw new Error('Refusing to start in production mode with the generated test PKI: set ALLOW_TEST_PKI=1 to accept test certificates.');
  }
  const db = createDb(config.databaseUrl!);
  await migrateToLatest(db);
  const worker = await createWorker(config, db);
  const client = new Client({ connection: await Connection.connect({ address: config.temporalAddress }), namespace: config.temporalNamespace });
  await ensureArchiveRenewalSchedule(client, config.archiveRenewal, config.taskQueue);
  await client.connection.close();
  console.log(`worker: polling task queue "${config.taskQueue}" on ${config.temporalAddress}`);
  await worker.run();
  await db.destroy();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
}
