// Webhooks of an agency (issue 13 point 5): an admin of its scope subscribes a URL to some dossier events, gets the
// HMAC secret once, deactivates or reactivates it (audited, never the secret), reads the delivery log and sends a
// failed delivery again. Sending is the worker's (activities/webhooks.ts, workflows/webhook.ts).
import type { Client } from '@temporalio/client';
import crypto from 'node:crypto';
import type { WebhookRecord } from '../../domain/admin-audit.js';
import { DomainError } from '../../domain/errors.js';
import type { Actor } from '../../domain/types.js';
import { checkWebhookUrl, isWebhookEvent, WEBHOOK_EVENTS, type WebhookEvent } from '../../domain/webhooks.js';
import { startDelivery, webhookSecretContext } from '../../activities/webhooks.js';
import type { Config } from '../../lib/config.js';
import type { Db } from '../../lib/db.js';
import { keyRingOf, wrapKey } from '../../lib/key-encryption.js';
import { getAgency, recordedChange, scopeOf } from '../admin/service.js';
import * as q from './queries.js';

const NOT_FOUND = 'Không tìm thấy webhook này trong phạm vi quản trị của bạn.';
/** Subscriptions one agency may have. */
export const WEBHOOKS_MAX = 20;

export type Subscription = Awaited<ReturnType<typeof q.subscription>> & {};

const record = (s: Subscription): WebhookRecord => ({ agencyCode: s.agency_code, url: s.url, events: s.events, active: s.active });

export class WebhookService {
  constructor(private readonly db: Db, private readonly temporal: Client, private readonly config: Config) {}

  async list(actor: Actor, agencyCode: string): Promise<{ agency: { code: string; name: string }; items: Subscription[] }> {
    const agency = await getAgency(this.db, actor, agencyCode);
    return { agency: { code: agency.code, name: agency.name }, items: await q.subscriptionsOf(this.db, agency.code) };
  }

  /** Subscribes; the answer carries the secret, shown this once (only its wrapped form is kept). */
  async create(actor: Actor, agencyCode: string, input: { url: unknown; events: unknown }): Promise<{ subscription: Subscription; secret: string }> {
    const agency = await getAgency(this.db, actor, agencyCode);
    const url = checkWebhookUrl(input.url, this.config.mode === 'production');
    const events = eventsOf(input.events);
    const secret = crypto.randomBytes(32).toString('hex');
    const wrapped = wrapKey(keyRingOf(this.config), Buffer.from(secret, 'utf8'), webhookSecretContext(agency.code, url));
    const subscription = await recordedChange(this.db, actor, async (trx) => {
      if ((await q.subscriptionsOf(trx, agency.code)).length >= WEBHOOKS_MAX) throw new DomainError('conflict', `Mỗi cơ quan có tối đa ${WEBHOOKS_MAX} webhook.`);
      const s = await q.insertSubscription(trx, { agency_code: agency.code, url, events, secret_wrapped: wrapped.blob, kek_id: wrapped.kekId, created_by: actor.username });
      return { value: s, agencyCode: agency.code, event: { entity: 'webhook', entityId: String(s.id), action: 'created', before: null, after: record(s) } };
    });
    return { subscription, secret };
  }

  async setActive(actor: Actor, id: number, active: boolean): Promise<Subscription> {
    const current = await this.own(actor, id);
    if (current.active === active) return current;
    return recordedChange(this.db, actor, async (trx) => {
      const s = await q.setSubscriptionActive(trx, id, active);
      return { value: s, agencyCode: s.agency_code, event: { entity: 'webhook', entityId: String(id), action: active ? 'reactivated' : 'deactivated', before: record(current), after: record(s) } };
    });
  }

  async deliveries(actor: Actor, id: number, page: number, pageSize: number) {
    const subscription = await this.own(actor, id);
    return { subscription, ...(await q.deliveriesOf(this.db, id, page, pageSize)), page, pageSize };
  }

  /** Sends a delivery again (a failed one, or a sent one the receiver lost): a new run, the same event id. */
  async resend(actor: Actor, deliveryId: number): Promise<{ id: number; run: number; subscriptionId: number }> {
    const d = await q.delivery(this.db, deliveryId);
    if (!d) throw new DomainError('not_found', 'Không tìm thấy lần gửi này.');
    await this.own(actor, d.subscription_id);
    if (d.status === 'pending') throw new DomainError('conflict', 'Sự kiện này đang được gửi; vui lòng đợi kết quả rồi mới gửi lại.');
    const again = await q.restartDelivery(this.db, deliveryId);
    await startDelivery(this.temporal, this.config.taskQueue, this.config.webhooks, { id: again.id, eventId: again.event_id, subscriptionId: again.subscription_id, run: again.run });
    return { id: again.id, run: again.run, subscriptionId: d.subscription_id };
  }

  /** A subscription of the actor's scope (404 otherwise, 403 without the admin role). */
  private async own(actor: Actor, id: number): Promise<Subscription> {
    scopeOf(actor);
    const s = Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647 ? await q.subscription(this.db, id) : undefined;
    if (!s) throw new DomainError('not_found', NOT_FOUND);
    await getAgency(this.db, actor, s.agency_code).catch(() => { throw new DomainError('not_found', NOT_FOUND); });
    return s;
  }
}

function eventsOf(raw: unknown): WebhookEvent[] {
  const list = raw === undefined || raw === null || raw === '' ? [] : Array.isArray(raw) ? raw : [raw];
  if (!list.length) throw new DomainError('validation', 'Vui lòng chọn ít nhất một sự kiện.', 'events');
  const bad = list.filter((e) => typeof e !== 'string' || !isWebhookEvent(e));
  if (bad.length) throw new DomainError('validation', `Sự kiện không hợp lệ: ${bad.map(String).join(', ').slice(0, 100)}; chỉ dùng ${WEBHOOK_EVENTS.join(', ')}.`, 'events');
  return WEBHOOK_EVENTS.filter((e) => list.includes(e));
}
