// One test file's world, all real: its own PostgreSQL database (migrated, demo-seeded), its own data folder,
// task queue and agency portal code on the shared Temporal dev server, a running worker and the web app.
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase } from './database.js';
import { inject } from 'vitest';
import { startTrustServices, type TrustServices } from '../../activities/pdf/trust-services.js';
import { createLocalStorage } from '../../activities/storage.js';
import { createApp } from '../../api/app.js';
import { loadActor } from '../../api/auth/service.js';
import { DossierService } from '../../api/dossiers/service.js';
import { ensureSearchAttributes } from '../search-attributes.js';
import type { Actor, Role } from '../../domain/types.js';
import { createWorker } from '../../worker.js';
import { loadConfig, type Config } from '../config.js';
import { createDb, migrateToLatest, type Db } from '../db.js';
import { dataConverterOf } from '../payload-codec.js';
import { DEMO_AGENCY, seedDemoData, seedReferenceData } from '../seed.js';
import bcrypt from 'bcryptjs';

// Quiet workers in tests: warnings and errors only (installed once per test process).
try { Runtime.install({ logger: new DefaultLogger('WARN') }); } catch { /* already installed */ }

export interface Harness {
  config: Config;
  /** The test CA's OCSP responder, CRL and TSA on a free port; config.trustServicesUrl and config.tsaUrl point at it. */
  trustServices: TrustServices;
  db: Db;
  client: Client;
  worker: Worker;
  service: DossierService;
  baseUrl: string;
  agencyCode: string;
  actor(username: string): Promise<Actor>;
  /** Adds a second agency with its own staff, for cross-agency refusals. */
  addAgency(code: string, users: { username: string; roles: Role[] }[]): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  web?: boolean;
  /** A PostgreSQL server of the test's own (its admin URL), e.g. one the test restarts; default the shared one. */
  pgAdminUrl?: string;
}

export async function createHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const id = crypto.randomBytes(4).toString('hex');
  const pgAdminUrl = opts.pgAdminUrl ?? inject('pgAdminUrl');
  const { url } = await createTestDatabase(pgAdminUrl, `t_${id}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `ctdt-${id}-`));
  const trustServices = await startTrustServices({ pkiDir: path.join(dataDir, 'pki') });
  const config = loadConfig({
    TRUST_SERVICES_URL: trustServices.url,
    DATA_DIR: dataDir, DATABASE_URL: url, TEMPORAL_ADDRESS: inject('temporalAddress'), TASK_QUEUE: `dossiers-${id}`,
    SESSION_SECRET: crypto.randomBytes(32).toString('hex'), DELIVERY_BACKOFF: '100 milliseconds', DELIVERY_ATTEMPTS: '4', REDELIVERY_WINDOW: '3 seconds',
    // Screens and API answer an action that takes longer than this with "đang xử lý": long enough here that a
    // signature on a loaded test machine still answers with its result (tests of "đang xử lý" set it lower).
    ACTION_ANSWER_MS: '30000', ...opts.env,
  });
  const db = createDb(config.databaseUrl!, 60);
  await migrateToLatest(db);
  await seedReferenceData(db);
  await seedDemoData(db);
  // A portal code of its own keeps this file's dossier codes (and so workflow ids) apart from other files'.
  await db.updateTable('agencies').set({ portal_code: `T${id}` }).where('code', '=', DEMO_AGENCY.code).execute();

  const connection = await Connection.connect({ address: config.temporalAddress });
  const client = new Client({ connection, namespace: config.temporalNamespace, dataConverter: dataConverterOf(config) });
  await ensureSearchAttributes(connection, config.temporalNamespace);
  const native = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await createWorker(config, db, { connection: native, client });
  const running = worker.run();
  const storage = createLocalStorage(path.join(dataDir, 'files'));
  const service = new DossierService(db, client, storage, config.taskQueue, config.workflow);

  let server: http.Server | null = null;
  let baseUrl = '';
  if (opts.web !== false) {
    const app = createApp({ config, db, temporal: client, storage });
    server = await new Promise<http.Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    const addr = server.address() as { port: number };
    baseUrl = `http://127.0.0.1:${addr.port}`;
  }

  return {
    config, trustServices, db, client, worker, service, baseUrl, agencyCode: DEMO_AGENCY.code,
    actor: async (u) => (await loadActor(db, u))!,
    async addAgency(code, users) {
      await db.insertInto('agencies').values({ code, name: `UBND xã thử nghiệm ${code}`, portal_code: `X${id}${code.slice(-2)}`, parent_code: null })
        .onConflict((oc) => oc.doNothing()).execute();
      const hash = await bcrypt.hash('demo', 4);
      for (const u of users) {
        await db.insertInto('users').values({ username: u.username, full_name: `Cán bộ ${u.username}`, title: 'Cán bộ', password_hash: hash, agency_code: code }).execute();
        for (const role of u.roles) await db.insertInto('user_roles').values({ username: u.username, agency_code: code, role }).execute();
      }
    },
    async close() {
      if (server) await new Promise((r) => server!.close(r));
      // Workflow ids come from codes that each test database numbers from the start (appointments:
      // CTĐT-<today>-0000): end this file's still-running workflows so the next file can reuse the ids.
      const open = client.workflow.list({ query: `TaskQueue="${config.taskQueue}" AND ExecutionStatus="Running"` });
      for await (const wf of open) {
        await client.workflow.getHandle(wf.workflowId, wf.runId).terminate('test file finished').catch(() => {});
      }
      worker.shutdown();
      await running;
      await native.close();
      await connection.close();
      await db.destroy();
      await trustServices.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A small valid PDF with the given number of pages (pdf-lib), for tests. */
export async function makePdf(pages = 2, text = 'Giấy khai sinh'): Promise<Buffer> {
  const { PDFDocument, StandardFonts } = await import('pdf-lib');
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) {
    const p = doc.addPage([595, 842]);
    p.drawText(`${text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd')} - trang ${i + 1}`, { x: 50, y: 780, size: 16, font });
  }
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** Waits until the dossier's delivery reaches a final state (the workflow delivers after answering). */
export async function waitForDelivery(h: Harness, actor: Actor, code: string, ms = 60_000) {
  const until = Date.now() + ms;
  for (;;) {
    const v = await h.service.get(actor, code);
    // Final in the workflow, and recorded in the read model's audit trail.
    const recorded = await h.db.selectFrom('dossier_events').select('seq').where('dossier_code', '=', code)
      .where('action', 'in', ['delivered', 'deliveryFailed']).where('seq', '=', v.history.length).executeTakeFirst();
    if (v.delivery && v.delivery.status !== 'pending' && recorded) return v;
    if (Date.now() > until) throw new Error(`delivery of ${code} still pending after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
