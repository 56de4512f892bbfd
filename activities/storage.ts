// Content-addressed file storage: a file's name is its SHA-256, so storing twice is harmless (idempotent).
// The interface leaves room for object storage later.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { FileRef } from '../domain/types.js';
import { bufferWithRoom } from './pdf/append.js';

export interface FileStorage {
  put(data: Buffer): Promise<FileRef>;
  /** Moves an already written temporary file into the store (used by streaming uploads). */
  adopt(tmpPath: string, ref: FileRef): Promise<FileRef>;
  /** The file's bytes; `room`: read into a buffer with that many bytes free after them, for the PDF updates that
   * will be appended (activities/pdf/append.ts), so appending does not copy the file. */
  get(sha256: string, opts?: { room?: number }): Promise<Buffer>;
  stream(sha256: string): Readable;
  has(sha256: string): Promise<boolean>;
  tmpPath(): string;
}

/** A temporary file untouched for this long belongs to no request any more: an upload being written is touched
 * as it goes, and a written one is adopted or removed within seconds. A process killed mid-upload leaves such
 * files behind. */
export const STALE_TMP_MS = 15 * 60_000;

/** Removes the temporary files left behind by earlier processes (run on start). */
export function sweepStaleTmp(tmpDir: string, olderThanMs = STALE_TMP_MS, now = Date.now()): string[] {
  const removed: string[] = [];
  for (const name of fs.readdirSync(tmpDir)) {
    const file = path.join(tmpDir, name);
    try {
      const st = fs.statSync(file);
      if (st.isFile() && now - st.mtimeMs > olderThanMs) { fs.rmSync(file, { force: true }); removed.push(file); }
    } catch { /* gone meanwhile: another process swept it or adopted it */ }
  }
  return removed;
}

/** Flushes a file's bytes, or a directory's entries, to the disk. */
async function synced(p: string): Promise<void> {
  const fh = await fsp.open(p, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** `staleTmpMs`: when a temporary file counts as left behind; `sweepEveryMs`: also sweep while running (servers). */
export function createLocalStorage(dir: string, opts: { staleTmpMs?: number; sweepEveryMs?: number } = {}): FileStorage {
  const fileOf = (sha: string) => {
    if (!/^[0-9a-f]{64}$/.test(sha)) throw new Error('invalid file id');
    return path.join(dir, sha.slice(0, 2), sha);
  };
  const tmpDir = path.join(dir, 'tmp');
  fs.mkdirSync(tmpDir, { recursive: true });
  sweepStaleTmp(tmpDir, opts.staleTmpMs);
  if (opts.sweepEveryMs) {
    setInterval(() => { try { sweepStaleTmp(tmpDir, opts.staleTmpMs); } catch (e) { console.error('sweeping temporary uploads:', e); } }, opts.sweepEveryMs).unref();
  }
  // A file is on the disk before its name is, and its name before the caller records it (a signed e-copy's row is
  // committed right after): a power cut never leaves the database naming a file that is empty or missing.
  const moveIn = async (tmp: string, ref: FileRef) => {
    const dest = fileOf(ref.sha256);
    const made = await fsp.mkdir(path.dirname(dest), { recursive: true });
    if (made) await synced(dir); // a new shard directory's own entry
    await fsp.rename(tmp, dest);
    await synced(path.dirname(dest));
    return ref;
  };
  const storage: FileStorage = {
    tmpPath: () => path.join(tmpDir, `${process.pid}-${crypto.randomUUID()}`),
    async put(data) {
      const sha256 = crypto.createHash('sha256').update(data).digest('hex');
      const ref = { sha256, size: data.length };
      if (await storage.has(sha256)) return ref;
      const tmp = storage.tmpPath();
      const fh = await fsp.open(tmp, 'w');
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      return moveIn(tmp, ref);
    },
    async adopt(tmp, ref) {
      await synced(tmp); // an upload streamed to a temporary file
      return moveIn(tmp, ref);
    },
    async get(sha, opts) {
      if (!opts?.room) return fsp.readFile(fileOf(sha));
      const fh = await fsp.open(fileOf(sha), 'r');
      try {
        const { size } = await fh.stat();
        const out = bufferWithRoom(size, opts.room);
        for (let at = 0; at < size;) {
          const { bytesRead } = await fh.read(out, at, size - at, at);
          if (!bytesRead) throw new Error(`file ${sha} ended at ${at} of ${size} bytes`);
          at += bytesRead;
        }
        return out;
      } finally {
        await fh.close();
      }
    },
    stream: (sha) => fs.createReadStream(fileOf(sha)),
    has: (sha) => fsp.access(fileOf(sha)).then(() => true, () => false),
  };
  return storage;
}
