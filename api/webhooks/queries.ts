// The webhook feature's SQL (the worker's side, sending, is in activities/webhooks.ts).
import type { Db } from '../../lib/db.js';

const SUBSCRIPTION = ['id', 'agency_code', 'url', 'events', 'active', 'created_by', 'created_at'] as const;

export const subscriptionsOf = (db: Db, agencyCode: string) =>
  db.selectFrom('webhook_subscriptions').select(SUBSCRIPTION).where('agency_code', '=', agencyCode).orderBy('id').execute();

export const subscription = (db: Db, id: number) =>
  db.selectFrom('webhook_subscriptions').select(SUBSCRIPTION).where('id', '=', id).executeTakeFirst();

export const insertSubscription = (db: Db, v: { agency_code: string; url: string; events: string[]; secret_wrapped: Buffer; kek_id: string; created_by: string }) =>
  db.insertInto('webhook_subscriptions').values({ ...v, events: JSON.stringify(v.events) }).returning(SUBSCRIPTION).executeTakeFirstOrThrow();

export const setSubscriptionActive = (db: Db, id: number, active: boolean) =>
  db.updateTable('webhook_subscriptions').set({ active }).where('id', '=', id).returning(SUBSCRIPTION).executeTakeFirstOrThrow();

export async function deliveriesOf(db: Db, subscriptionId: number, page: number, pageSize: number) {
  const base = db.selectFrom('webhook_deliveries').where('subscription_id', '=', subscriptionId);
  const [items, total] = await Promise.all([
    base.select(['id', 'event_id', 'event_type', 'dossier_code', 'status', 'attempts', 'last_status', 'last_error', 'run', 'created_at', 'sent_at'])
      .orderBy('id', 'desc').limit(pageSize).offset((page - 1) * pageSize).execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(total.n) };
}

export const delivery = (db: Db, id: number) =>
  db.selectFrom('webhook_deliveries').innerJoin('webhook_subscriptions as s', 's.id', 'webhook_deliveries.subscription_id')
    .select(['webhook_deliveries.id', 'webhook_deliveries.status', 'webhook_deliveries.run', 'webhook_deliveries.subscription_id', 'webhook_deliveries.event_id', 's.agency_code'])
    .where('webhook_deliveries.id', '=', id).executeTakeFirst();

/** A person's re-send: a new run of the same event (the same event id, so receivers still drop a repeat). */
export const restartDelivery = (db: Db, id: number) =>
  db.updateTable('webhook_deliveries').set((eb) => ({ status: 'pending', run: eb('run', '+', 1), last_error: null })).where('id', '=', id)
    .returning(['id', 'run', 'event_id', 'subscription_id']).executeTakeFirstOrThrow();
