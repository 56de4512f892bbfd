// Places in an appointment slot (slot_usage): the one home of this SQL. The worker runs it (moving or cancelling a
// booking) and so does the web app (a booking takes a place, a failed start gives it back), which reaches it
// through api/appointments/queries.ts; activities/ never imports api/.
import { sql } from 'kysely';
import type { Db } from '../lib/db.js';

/** Takes one place in a slot if one is free; false when the slot is full. Call inside a transaction. */
export async function takePlace(db: Db, agencyCode: string, day: string, time: string): Promise<boolean> {
  // FOR SHARE: a change of the agency's slots (api/catalogues) waits for this booking, and this one for it, so the
  // capacity compared below is the one in force when the place is taken.
  const slot = await db.selectFrom('appointment_slots').select('capacity').where('agency_code', '=', agencyCode).where('start_time', '=', time).forShare().executeTakeFirst();
  if (!slot) return false;
  await db.insertInto('slot_usage').values({ agency_code: agencyCode, day, start_time: time, used: 0 }).onConflict((oc) => oc.doNothing()).execute();
  // A conditional increment: concurrent racers for the last place cannot both pass `used < capacity`.
  const taken = await db.updateTable('slot_usage').set({ used: sql`used + 1` })
    .where('agency_code', '=', agencyCode).where('day', '=', day).where('start_time', '=', time).where('used', '<', slot.capacity)
    .returning('used').executeTakeFirst();
  return Boolean(taken);
}

export async function releasePlace(db: Db, agencyCode: string, day: string, time: string): Promise<void> {
  await db.updateTable('slot_usage').set({ used: sql`greatest(used - 1, 0)` })
    .where('agency_code', '=', agencyCode).where('day', '=', day).where('start_time', '=', time).execute();
}
