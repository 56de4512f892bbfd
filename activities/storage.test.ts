// Temporary uploads left behind by a killed process are removed when the storage starts; files being written
// now, and the stored files themselves, are kept.
import { createHook } from 'node:async_hooks';
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

  it('writes and reads a large file in a few requests to the thread pool, not one per 512 KiB', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storage-'));
    dirs.push(dir);
    const storage = createLocalStorage(dir);
    const big = crypto.randomBytes(16 * 1024 * 1024);
    // Each file system request goes through the thread pool and back through the event loop, which in the worker
    // is never idle (Temporal's polling, other activities): each is a wait. Count them.
    const requestsDuring = async (f: () => Promise<unknown>) => {
      let requests = 0;
      const hook = createHook({ init: (_id, type) => { if (type.startsWith('FSREQ')) requests++; } }).enable();
      try { await f(); } finally { hook.disable(); }
      return requests;
    };
    let ref!: { sha256: string };
    const writing = await requestsDuring(async () => { ref = await storage.put(big); });
    let back!: Buffer;
    const reading = await requestsDuring(async () => { back = await storage.get(ref.sha256); });
    expect(back.equals(big)).toBe(true);
    // open, stat, the bytes, flush, close, rename, the directory's flush. By 512 KiB the bytes alone would be 32.
    expect(writing).toBeLessThan(16);
    expect(reading).toBeLessThan(16);
  });

  it('stores a file that begins with a stored one as the bytes appended to it; it reads, streams and is named as the whole', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storage-'));
    dirs.push(dir);
    const storage = createLocalStorage(dir);
    const onDisk = (sha: string) => fs.readdirSync(path.join(dir, sha.slice(0, 2))).filter((n) => n.startsWith(sha));
    const streamed = async (sha: string) => Buffer.concat(await storage.stream(sha).toArray());
    const hex = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
    const scanRef = await storage.put(crypto.randomBytes(3 * 1024 * 1024));

    const signed = appendUpdate(await storage.get(scanRef.sha256, { room: 4096 }), Buffer.from('\n% the leader signs'));
    const signedRef = await storage.put(signed, { after: scanRef });
    expect(signedRef).toEqual({ sha256: hex(signed), size: signed.length });
    expect(onDisk(signedRef.sha256)).toEqual([`${signedRef.sha256}.appended`]);
    expect(fs.statSync(path.join(dir, signedRef.sha256.slice(0, 2), `${signedRef.sha256}.appended`)).size).toBeLessThan(200);
    expect((await storage.get(signedRef.sha256)).equals(signed)).toBe(true);
    expect((await streamed(signedRef.sha256)).equals(signed)).toBe(true);
    expect(await storage.has(signedRef.sha256)).toBe(true);

    // The sealed copy follows the leader's, which follows the scan; read with room, it grows in place again.
    const readSigned = await storage.get(signedRef.sha256, { room: 4096 });
    const sealed = appendUpdate(readSigned, Buffer.from('\n% the seal'));
    expect(sealed.buffer).toBe(readSigned.buffer);
    const sealedRef = await storage.put(sealed, { after: signedRef });
    expect(onDisk(sealedRef.sha256)).toEqual([`${sealedRef.sha256}.appended`]);
    expect((await storage.get(sealedRef.sha256)).equals(sealed)).toBe(true);
    expect((await streamed(sealedRef.sha256)).equals(sealed)).toBe(true);
    expect(hex(await storage.get(sealedRef.sha256))).toBe(sealedRef.sha256);

    // A file that does not begin with the one named is stored whole.
    const other = Buffer.concat([crypto.randomBytes(100), Buffer.from('% not the scan')]);
    const otherRef = await storage.put(other, { after: scanRef });
    expect(onDisk(otherRef.sha256)).toEqual([otherRef.sha256]);
    expect((await storage.get(otherRef.sha256)).equals(other)).toBe(true);

    const unknown = '0'.repeat(64);
    expect(await storage.has(unknown)).toBe(false);
    await expect(storage.get(unknown)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(streamed(unknown)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
