// Webhooks (domain/webhooks.ts), the worker's side: each dossier event becomes one delivery row per subscription in
// the same transaction as its audit event (`enqueueWebhooks`, called by the read model), each delivery is sent by its
// own workflow (workflows/webhook.ts: retries with backoff, at least once), started right after that transaction and
// again by any retry of the activity (a crash between the two loses nothing). A delivery is a signed POST:
// X-CTDT-Signature = "sha256=" + HMAC-SHA256(secret, timestamp + "." + body), with the event's id as its own header.
import type { Client } from '@temporalio/client';
import { createHmac } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import type { AuditEvent } from '../domain/audit.js';
import type { DossierView } from '../domain/dossier.js';
import { isPrivateAddress, isWebhookEvent, webhookBody } from '../domain/webhooks.js';
import type { Db } from '../lib/db.js';
import { unwrapKey, type KeyRing } from '../lib/key-encryption.js';

export interface WebhookSettings {
  /** Production refuses to send to a name that resolves to a loopback or private address. */
  production: boolean;
  /** Attempts of one delivery, and the first wait between them (doubling up to 10 minutes). */
  attempts: number;
  initialInterval: string;
  ring: KeyRing;
}

export const webhookSecretContext = (agencyCode: string, url: string) => `webhook-secret:${agencyCode}:${url}`;
/** Unique on the Temporal server as dossier codes are (a delivery's serial id alone repeats across databases). */
export const webhookWorkflowId = (d: { eventId: string; subscriptionId: number; run: number }) => `webhook-${d.eventId}-s${d.subscriptionId}-r${d.run}`;

/** Inside the read model's transaction: one delivery per active subscription of the agency that wants this event. */
export async function enqueueWebhooks(tx: Db, e: { eventId: string; event: AuditEvent; at: string; state: DossierView }): Promise<void> {
  if (!isWebhookEvent(e.event.type)) return;
  const subs = await tx.selectFrom('webhook_subscriptions').select(['id', 'events']).where('agency_code', '=', e.state.agencyCode).where('active', '=', true).execute();
  const wanted = subs.filter((s) => s.events.includes(e.event.type));
  if (!wanted.length) return;
  const payload = JSON.stringify(webhookBody(e.eventId, e.event.type, e.at, e.state));
  await tx.insertInto('webhook_deliveries')
    .values(wanted.map((s) => ({ subscription_id: s.id, event_id: e.eventId, event_type: e.event.type, dossier_code: e.state.code, payload })))
    .onConflict((oc) => oc.columns(['subscription_id', 'event_id']).doNothing()).execute();
}

/** Starts the workflow of each pending delivery of the event (again after a crash: the same id is never started twice). */
export async function startWebhookDeliveries(db: Db, temporal: Client | undefined, taskQueue: string | undefined, settings: WebhookSettings | undefined, eventId: string): Promise<void> {
  if (!temporal || !taskQueue || !settings) return;
  const pending = await db.selectFrom('webhook_deliveries').select(['id', 'run', 'subscription_id', 'event_id']).where('event_id', '=', eventId).where('status', '=', 'pending').execute();
  for (const d of pending) await startDelivery(temporal, taskQueue, settings, { id: d.id, eventId: d.event_id, subscriptionId: d.subscription_id, run: d.run });
}

export async function startDelivery(temporal: Client, taskQueue: string, settings: Pick<WebhookSettings, 'attempts' | 'initialInterval'>, d: { id: number; eventId: string; subscriptionId: number; run: number }): Promise<void> {
  try {
    await temporal.workflow.start('webhookDeliveryWorkflow', {
      workflowId: webhookWorkflowId(d), taskQueue,
      args: [{ deliveryId: d.id, attempts: settings.attempts, initialInterval: settings.initialInterval }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (e) {
    if ((e as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw e;
  }
}

/** A receiver that does not answer in this time has failed this attempt. */
const SEND_TIMEOUT_MS = 10_000;

export function webhookActivities({ db, webhooks }: { db: Db; webhooks?: WebhookSettings }) {
  return {
    /** One attempt at one delivery: 2xx is done; anything else (a 3xx too: no redirects) is thrown, for a retry. */
    async sendWebhook(a: { deliveryId: number }): Promise<void> {
      if (!webhooks) throw new Error('webhook settings missing (worker.ts)');
      const d = await db.selectFrom('webhook_deliveries').innerJoin('webhook_subscriptions as s', 's.id', 'webhook_deliveries.subscription_id')
        .select(['webhook_deliveries.id', 'event_id', 'event_type', 'payload', 'status', 's.url', 's.agency_code', 's.secret_wrapped', 's.kek_id', 's.active'])
        .where('webhook_deliveries.id', '=', a.deliveryId).executeTakeFirst();
      if (!d || d.status === 'sent') return;
      const record = (patch: { last_status: number | null; last_error: string | null }) =>
        db.updateTable('webhook_deliveries').set((eb) => ({ ...patch, attempts: eb('attempts', '+', 1) })).where('id', '=', d.id).execute();
      const url = new URL(d.url);
      if (webhooks.production) {
        const addresses = await lookup(url.hostname.replace(/^\[|\]$/g, ''), { all: true }).catch(() => []);
        if (!addresses.length || addresses.some((x) => isPrivateAddress(x.address))) {
          await record({ last_status: null, last_error: 'Địa chỉ nhận không phân giải được hoặc là địa chỉ nội bộ.' });
          throw new Error(`webhook ${d.id}: ${url.hostname} does not resolve to a public address`);
        }
      }
      const secret = unwrapKey(webhooks.ring, { kekId: d.kek_id, blob: d.secret_wrapped }, webhookSecretContext(d.agency_code, d.url));
      const body = JSON.stringify(d.payload);
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
      let status: number | null = null;
      try {
        const res = await fetch(d.url, {
          method: 'POST', body, redirect: 'manual', signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
          headers: {
            'content-type': 'application/json', 'user-agent': 'chung-thuc-ban-sao-dien-tu-webhook',
            'x-ctdt-event-id': d.event_id, 'x-ctdt-event-type': `dossier.${d.event_type}`, 'x-ctdt-timestamp': timestamp, 'x-ctdt-signature': `sha256=${signature}`,
          },
        });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
      } catch (e) {
        await record({ last_status: null, last_error: `Không kết nối được: ${(e as Error).message}`.slice(0, 500) });
        throw new Error(`webhook ${d.id}: ${(e as Error).message}`);
      }
      if (status < 200 || status > 299) {
        await record({ last_status: status, last_error: `Nơi nhận trả lời HTTP ${status}` });
        throw new Error(`webhook ${d.id}: HTTP ${status}`);
      }
      await db.updateTable('webhook_deliveries').set((eb) => ({ status: 'sent', sent_at: new Date(), last_status: status, last_error: null, attempts: eb('attempts', '+', 1) }))
        .where('id', '=', d.id).execute();
    },

    /** Every attempt failed: the delivery log says so, and a person may send it again. */
    async markWebhookFailed(a: { deliveryId: number }): Promise<void> {
      await db.updateTable('webhook_deliveries').set({ status: 'failed' }).where('id', '=', a.deliveryId).where('status', '=', 'pending').execute();
    },
  };
}
