// Temporary uploads left behind by a killed process are removed when the storage starts; files being written
// now, and the stored files themselves, are kept.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fsp from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

  it('a stored file and its name are on the disk (fsync) before put or adopt returns', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storage-'));
    dirs.push(dir);
    const storage = createLocalStorage(dir);
    // What reaches the disk, in order: each fsync by the path its handle was opened on, and each rename.
    const steps: string[] = [];
    const paths = new Map<unknown, string>();
    const open = fsp.open.bind(fsp);
    const handleProto = Object.getPrototypeOf(await open(__filename, 'r').then(async (h) => { await h.close(); return h; }));
    const spies = [
      vi.spyOn(fsp, 'open').mockImplementation(async (p, ...rest) => { const h = await open(p, ...rest); paths.set(h, String(p)); return h; }),
      vi.spyOn(handleProto, 'sync').mockImplementation(async function (this: fsp.FileHandle) { steps.push(`sync ${path.relative(dir, paths.get(this)!) || '.'}`); return fs.fsyncSync(this.fd); }),
      vi.spyOn(fsp, 'rename').mockImplementation(async (a, b) => { steps.push(`rename ${path.relative(dir, String(a))} → ${path.relative(dir, String(b))}`); return fs.renameSync(a, b); }),
    ];
    try {
      const ref = await storage.put(Buffer.from('%PDF-1.7 signed e-copy'));
      const shard = ref.sha256.slice(0, 2);
      const tmp = steps[0].replace(/^sync /, '');
      expect(tmp).toMatch(/^tmp\//);
      expect(steps).toEqual([`sync ${tmp}`, 'sync .', `rename ${tmp} → ${shard}/${ref.sha256}`, `sync ${shard}`]);

      steps.length = 0;
      const upload = storage.tmpPath();
      fs.writeFileSync(upload, '%PDF-1.7 scan');
      const scan = await storage.adopt(upload, { sha256: crypto.createHash('sha256').update('%PDF-1.7 scan').digest('hex'), size: 13 });
      const up = path.relative(dir, upload);
      expect(steps.filter((x) => !x.startsWith('sync .'))).toEqual([`sync ${up}`, `rename ${up} → ${scan.sha256.slice(0, 2)}/${scan.sha256}`, `sync ${scan.sha256.slice(0, 2)}`]);
      expect((await storage.get(scan.sha256)).toString()).toBe('%PDF-1.7 scan');
    } finally {
      for (const s of spies) s.mockRestore();
    }
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
