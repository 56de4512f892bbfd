import type { Client } from '@temporalio/client';
import type { SignatureLevel } from '../lib/config.js';
import type { Db } from '../lib/db.js';
import type { Mailer } from './mailer.js';
import type { KeyStore } from './pdf/pki.js';
import type { Timestamper } from './pdf/tsa.js';
import type { SmsGateway } from './sms.js';
import type { WebhookSettings } from './webhooks.js';
import type { FileStorage } from './storage.js';

/** What activities need from the outside world; built in worker.ts (the composition root). */
export interface ActivityDeps {
  db: Db;
  storage: FileStorage;
  keys: KeyStore;
  mailer: Mailer;
  sms: SmsGateway;
  /** Public base URL of the web app, for download links in e-mails. */
  publicUrl: string;
  /** E-copies larger than this are sent as an expiring link instead of an attachment. */
  maxAttachmentBytes: number;
  /** The PAdES level of the leader's signature and the seal; B-T timestamps them with this TSA. */
  signing: { level: SignatureLevel; timestamper: Timestamper | null };
  /** Archival renewal (activities/archive-renewal.ts); default margin 365 days. */
  archiveRenewal?: { marginDays: number };
  /** A client of the Temporal server, for the batch's activity to send each dossier's workflow its update. */
  temporal?: Client;
  /** The worker's task queue (the webhook deliveries' workflows run there) and the webhooks' settings. */
  taskQueue?: string;
  webhooks?: WebhookSettings;
}
