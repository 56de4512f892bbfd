// Composition root of the Temporal worker: reads the environment, builds the activities' dependencies.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createActivities } from './activities/index.js';
import { createMailer } from './activities/mailer.js';
import { createSmsGateway } from './activities/sms.js';
import { refusingTestPki, withUploadedCertificates } from './activities/certificates.js';
import { withRemoteSigners } from './activities/remote-signers.js';
import { createFileKeyStore, type KeyStore } from './activities/pdf/pki.js';
import { pkcs11Module, withTokenSeals } from './activities/pdf/pkcs11.js';
import { createTimestamper } from './activities/pdf/tsa.js';
import { createLocalStorage } from './activities/storage.js';
import { ensureArchiveRenewalSchedule } from './lib/archive-schedule.js';
import { loadConfig, missingSealPins, timestamped, type Config } from './lib/config.js';
import { createDb, migrateToLatest, type Db } from './lib/db.js';
import { keyRingOf } from './lib/key-encryption.js';
import { dataConverterOf } from './lib/payload-codec.js';
import { ensureSearchAttributes } from './lib/search-attributes.js';
import { prebuiltBundle } from './lib/workflow-bundle.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** `client`: the Temporal client the batch activity acts through (made here when not given). */
export async function createWorker(config: Config, db: Db, opts: { connection?: NativeConnection; client?: Client } = {}) {
  // Prebuilt by `npm run build` (checked against these sources, before anything connects), else bundled now.
  const workflowCode = config.workflowBundle ? { workflowBundle: prebuiltBundle(config.workflowBundle) } : { workflowsPath: path.join(here, 'workflows/index.ts') };
  const connection = opts.connection ?? (await NativeConnection.connect({ address: config.temporalAddress }));
  // Lazy: connects on the first batch, so a worker refusing to start (no seal PIN, say) never dials Temporal for it.
  const dataConverter = dataConverterOf(config); // no personal data in clear in Temporal (lib/payload-codec.ts)
  const temporal = opts.client ?? new Client({ connection: Connection.lazy({ address: config.temporalAddress }), namespace: config.temporalNamespace, dataConverter });
  const activities = createActivities({
    db,
    storage: createLocalStorage(path.join(config.dataDir, 'files')),
    keys: keyStoreOf(config, db),
    mailer: createMailer({ smtpUrl: config.smtpUrl, outboxDir: path.join(config.dataDir, 'outbox'), from: config.mailFrom }),
    sms: createSmsGateway({ url: config.smsGatewayUrl, token: config.smsGatewayToken, outboxDir: path.join(config.dataDir, 'sms-outbox') }),
    publicUrl: config.publicUrl,
    maxAttachmentBytes: config.maxAttachmentBytes,
    signing: {
      level: config.signature.level,
      timestamper: timestamped(config.signature.level) && config.signature.tsa ? createTimestamper(config.signature.tsa) : null,
    },
    archiveRenewal: { marginDays: config.archiveRenewal.marginDays },
    temporal,
    taskQueue: config.taskQueue,
    webhooks: { production: config.mode === 'production', ...config.webhooks, ring: keyRingOf(config) },
  });
  return Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    ...workflowCode,
    activities,
    dataConverter,
  });
}

/**
 * Who signs: a leader's remote signing service when chosen (activities/remote-signers.ts); the certificate in use
 * that a leader or seal keeper uploaded (activities/certificates.ts); an agency
 * whose seal is in a PKCS#11 token signs there (loaded here: a missing library stops the start); else the generated
 * test PKI, which production refuses unless ALLOW_TEST_PKI=1 (the action is then refused with what to do).
 */
function keyStoreOf(config: Config, db: Db): KeyStore {
  const files = createFileKeyStore(path.join(config.dataDir, 'pki'), { trustServicesUrl: config.trustServicesUrl });
  const testPki = config.mode === 'production' && process.env.ALLOW_TEST_PKI !== '1' ? refusingTestPki(files) : files;
  const ring = keyRingOf(config);
  // A leader who chose remote signing (CSC) signs there; else with the uploaded certificate in use.
  const uploaded = withRemoteSigners(withUploadedCertificates(testPki, db, ring), db, ring);
  if (!config.tokenSeals) return uploaded;
  const missing = missingSealPins(config.tokenSeals);
  if (missing.length) throw new Error(`Refusing to start: SEAL_PKCS11 names PIN variables that are not set: ${missing.join(', ')}.`);
  let module;
  try {
    module = pkcs11Module(config.tokenSeals.module);
  } catch (e) {
    throw new Error(`Refusing to start: ${(e as Error).message}`);
  }
  return withTokenSeals(uploaded, module, config.tokenSeals.seals);
}

async function main() {
  const config = loadConfig();
  const db = createDb(config.databaseUrl!);
  await migrateToLatest(db);
  const worker = await createWorker(config, db);
  const connection = await Connection.connect({ address: config.temporalAddress });
  const client = new Client({ connection, namespace: config.temporalNamespace, dataConverter: dataConverterOf(config) });
  await ensureSearchAttributes(connection, config.temporalNamespace);
  await ensureArchiveRenewalSchedule(client, config.archiveRenewal, config.taskQueue);
  await client.connection.close();
  console.log(`worker: polling task queue "${config.taskQueue}" on ${config.temporalAddress}`);
  await worker.run();
  await db.destroy();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
}
