// Content-addressed file storage: a file's name is its SHA-256, so storing twice is harmless (idempotent).
// The interface leaves room for object storage later.
//
// A file that is another stored file plus bytes appended to it (the leader's copy is the scan and an incremental
// update, the sealed e-copy the leader's copy and its own) is stored as those bytes only, in `<sha256>.appended` after
// a one-line header naming the file they follow. It reads, streams and is named exactly as the whole file would be.
// A 28 MiB scan then costs its size once, not three times, and signing writes a few hundred KiB, not 28 MiB each
// step. Stored files are never deleted, so the file an appended one follows stays.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { FileRef } from '../domain/types.js';
import { readWhole, writeWhole } from '../lib/whole-file.js';
import { appendUpdate, bufferWithRoom, sha256Of } from './pdf/append.js';

export interface FileStorage {
  /** `after`: a stored file that `data` may begin with; if it does, only the rest is written. */
  put(data: Buffer, opts?: { after?: FileRef }): Promise<FileRef>;
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

const APPENDED = '.appended';
const APPENDED_HEADER = /^appended-to ([0-9a-f]{64}) (\d+)\n/;

const missing = (sha: string) => Object.assign(new Error(`ENOENT: no stored file ${sha}`), { code: 'ENOENT' });
const isMissing = (e: unknown) => (e as { code?: string })?.code === 'ENOENT';

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
  const moveIn = async (tmp: string, ref: FileRef, suffix = '') => {
    const dest = fileOf(ref.sha256) + suffix;
    const made = await fsp.mkdir(path.dirname(dest), { recursive: true });
    if (made) await synced(dir); // a new shard directory's own entry
    await fsp.rename(tmp, dest);
    await synced(path.dirname(dest));
    return ref;
  };
  /** The file `sha` is stored as appended bytes: what it follows and those bytes; null when it is not. */
  const appendedOf = async (sha: string): Promise<{ after: FileRef; tail: Buffer } | null> => {
    let raw: Buffer;
    try {
      raw = await fsp.readFile(fileOf(sha) + APPENDED);
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
    const m = APPENDED_HEADER.exec(raw.subarray(0, 128).toString('latin1'));
    if (!m) throw new Error(`stored file ${sha}: malformed ${APPENDED} header`);
    return { after: { sha256: m[1], size: Number(m[2]) }, tail: raw.subarray(m[0].length) };
  };
  async function* bytesOf(sha: string): AsyncGenerator<Buffer> {
    let fh: fsp.FileHandle | null = null;
    try {
      fh = await fsp.open(fileOf(sha), 'r');
    } catch (e) {
      if (!isMissing(e)) throw e;
    }
    if (fh) {
      yield* fh.createReadStream(); // closes the file at its end, or when the reader stops early
      return;
    }
    const appended = await appendedOf(sha);
    if (!appended) throw missing(sha);
    yield* bytesOf(appended.after.sha256);
    yield appended.tail;
  }
  const storage: FileStorage = {
    tmpPath: () => path.join(tmpDir, `${process.pid}-${crypto.randomUUID()}`),
    async put(data, opts) {
      const sha256 = sha256Of(data).toString('hex'); // a signed copy's bytes hashed when signing are not hashed again
      const ref = { sha256, size: data.length };
      if (await storage.has(sha256)) return ref;
      // The digest of the bytes `after` names costs nothing when the step hashed them already (append.ts).
      const after = opts?.after;
      const appended = !!after && data.length > after.size && await storage.has(after.sha256)
        && sha256Of(data.subarray(0, after.size)).toString('hex') === after.sha256;
      const tmp = storage.tmpPath();
      const fh = await fsp.open(tmp, 'w');
      try {
        if (appended) {
          const header = Buffer.from(`appended-to ${after.sha256} ${after.size}\n`, 'latin1');
          await writeWhole(fh, Buffer.concat([header, data.subarray(after.size)]));
        } else await writeWhole(fh, data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      return moveIn(tmp, ref, appended ? APPENDED : '');
    },
    async adopt(tmp, ref) {
      await synced(tmp); // an upload streamed to a temporary file
      return moveIn(tmp, ref);
    },
    async get(sha, opts) {
      let fh: fsp.FileHandle;
      try {
        fh = await fsp.open(fileOf(sha), 'r');
      } catch (e) {
        const appended = isMissing(e) ? await appendedOf(sha) : null;
        if (!appended) throw e;
        // The file it follows, with room for these bytes (and the room asked for), then these bytes in place.
        const before = await storage.get(appended.after.sha256, { room: appended.tail.length + (opts?.room ?? 0) });
        if (before.length !== appended.after.size) throw new Error(`stored file ${sha}: the file it follows has ${before.length} bytes, not ${appended.after.size}`);
        return appendUpdate(before, appended.tail);
      }
      try {
        const { size } = await fh.stat();
        return await readWhole(fh, opts?.room ? bufferWithRoom(size, opts.room) : Buffer.allocUnsafeSlow(size), sha);
      } finally {
        await fh.close();
      }
    },
    stream: (sha) => {
      fileOf(sha); // an invalid id throws here, as before
      return Readable.from(bytesOf(sha), { objectMode: false });
    },
    has: async (sha) => {
      const at = (p: string) => fsp.access(p).then(() => true, () => false);
      return (await at(fileOf(sha))) || at(fileOf(sha) + APPENDED);
    },
  };
  return storage;
}
