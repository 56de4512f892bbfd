// Re-wraps every stored private key (and every remote signer's secrets) under the current KEY_ENCRYPTION_KEY, after a rotation: set the new key as
// KEY_ENCRYPTION_KEY and the old one(s) in KEY_ENCRYPTION_KEYS_PREVIOUS, run `npm run rewrap-keys`, then drop the
// old keys. Each row is re-wrapped in its own statement, guarded by its old blob: running it twice (or while the
// worker signs) changes nothing twice. Run: npx tsx scripts/rewrap-keys.ts
import { loadConfig } from '../lib/config.js';
import { createDb, type Db } from '../lib/db.js';
import { keyRingOf, rewrapKey, type KeyRing } from '../lib/key-encryption.js';
import { remoteSecretContext } from '../activities/remote-signers.js';

export async function rewrapAll(db: Db, ring: KeyRing): Promise<{ rewrapped: number; current: number }> {
  const rows = await db.selectFrom('certificates').select(['fingerprint', 'kek_id', 'key_wrapped']).execute();
  let rewrapped = 0;
  for (const r of rows) {
    const next = rewrapKey(ring, { kekId: r.kek_id, blob: r.key_wrapped }, r.fingerprint);
    if (!next) continue;
    const done = await db.updateTable('certificates').set({ kek_id: next.kekId, key_wrapped: next.blob })
      .where('fingerprint', '=', r.fingerprint).where('kek_id', '=', r.kek_id).where('key_wrapped', '=', r.key_wrapped).executeTakeFirst();
    rewrapped += Number(done.numUpdatedRows);
  }
  const remote = await db.selectFrom('remote_signers').select(['username', 'kek_id', 'secret_wrapped']).where('secret_wrapped', 'is not', null).execute();
  for (const r of remote) {
    const next = rewrapKey(ring, { kekId: r.kek_id!, blob: r.secret_wrapped! }, remoteSecretContext(r.username));
    if (!next) continue;
    const done = await db.updateTable('remote_signers').set({ kek_id: next.kekId, secret_wrapped: next.blob })
      .where('username', '=', r.username).where('kek_id', '=', r.kek_id).where('secret_wrapped', '=', r.secret_wrapped).executeTakeFirst();
    rewrapped += Number(done.numUpdatedRows);
  }
  return { rewrapped, current: rows.length + remote.length - rewrapped };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error('DATABASE_URL must name the database whose keys to re-wrap');
  const db = createDb(config.databaseUrl, 1);
  const r = await rewrapAll(db, keyRingOf(config));
  console.log(`re-wrapped ${r.rewrapped} key(s) under ${keyRingOf(config).currentId}; ${r.current} already were`);
  await db.destroy();
}
