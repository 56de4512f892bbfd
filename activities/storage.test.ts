// Temporary uploads left behind by a killed process are removed when the storage starts; files being written
// now, and the stored files themselves, are kept.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendUpdate } from './pdf/append.js';
import { createLocalStorage, STALE_TMP_MS } from './storage.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true }); });

describe('createLocalStorage', () => {
  it('removes stale temporary uploads on start and keeps fresh ones and stored files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storage-'));
    dirs.push(dir);
    const first = createLocalStorage(dir);
    const stored = await first.put(Buffer.from('%PDF-1.7 stored'));
    const stale = first.tmpPath();
    fs.writeFileSync(stale, Buffer.alloc(1024, 1)); // an upload whose process was killed an hour ago
    const old = new Date(Date.now() - 60 * 60_000);
    fs.utimesSync(stale, old, old);
    const staleAged = first.tmpPath();
    fs.writeFileSync(staleAged, 'x');
    const justOver = new Date(Date.now() - STALE_TMP_MS - 60_000);
    fs.utimesSync(staleAged, justOver, justOver);
    const fresh = first.tmpPath(); // an upload another process is writing right now
    fs.writeFileSync(fresh, 'y');
    // The stored file is old too, but it is not a temporary one.
    const storedPath = path.join(dir, stored.sha256.slice(0, 2), stored.sha256);
    fs.utimesSync(storedPath, old, old);

    const restarted = createLocalStorage(dir);
    expect(fs.existsSync(stale), 'an hour-old temporary upload').toBe(false);
    expect(fs.existsSync(staleAged), 'a temporary upload just past the limit').toBe(false);
    expect(fs.existsSync(fresh), 'an upload being written').toBe(true);
    expect((await restarted.get(stored.sha256)).toString()).toBe('%PDF-1.7 stored');
  });

  it('reads a file with room after it: the same bytes, and the next update is appended without a copy', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storage-'));
    dirs.push(dir);
    const storage = createLocalStorage(dir);
    const big = crypto.randomBytes(3 * 1024 * 1024 + 17); // more than one read's worth
    const ref = await storage.put(big);
    const read = await storage.get(ref.sha256, { room: 1024 });
    expect(read.equals(big)).toBe(true);
    const updated = appendUpdate(read, Buffer.from('\n% update'));
    expect(updated.buffer).toBe(read.buffer);
    expect(updated.subarray(big.length).toString()).toBe('\n% update');
    await expect(storage.get('0'.repeat(64), { room: 1024 })).rejects.toThrow(/ENOENT/);
  });
});
