// Incremental updates appended to a PDF without copying the whole file each time. Every step of the chain (the
// leader's attestation page, the seal, the DSS, the document timestamp, the DSS of its chain) appends a few KiB to
// a file that may be 30 MiB; `Buffer.concat` copied all of it into new memory at every step, and new memory that
// size is page-faulted in each time (npm run bench:large measured it). Here the first append copies the file
// once into a buffer with room after it, and the next ones write into that room. Likewise each hash of the file
// goes on from the last one over its settled bytes (sha256Of).
import { createHash, type Hash } from 'node:crypto';

const MiB = 1024 * 1024;

/** Room left after the bytes for the updates that follow (the seal's and B-LTA's together are well under 1 MiB). */
export const ROOM_BYTES = 2 * MiB;

/** For each buffer made here: where its bytes in use end. Only the latest view may grow into the room after it. */
const inUse = new WeakMap<ArrayBufferLike, number>();

/** For each buffer made here: where each update was appended, ascending. The bytes before the last of these can no
 *  longer change: only the newest update is still written into once appended (its /ByteRange, then its /Contents). */
const boundaries = new WeakMap<ArrayBufferLike, number[]>();

/** For each buffer made here: SHA-256 states over its bytes up to some of those boundaries, ascending, so that every
 *  hash of the growing file (each signature's byte ranges, the document timestamp's, storing it) hashes only what is
 *  new, and the digest of the file it grew from (storage.ts keeps it as the bytes appended to that) costs nothing. */
const prefixes = new WeakMap<ArrayBufferLike, { at: number; hash: Hash }[]>();
const KEPT_PREFIXES = 8;

/** `size` bytes to read a file into (not yet filled), with room after them for `appendUpdate`: no copy later. */
export function bufferWithRoom(size: number, room = ROOM_BYTES): Buffer {
  const whole = Buffer.allocUnsafeSlow(size + room); // its own memory, never Node's shared pool
  inUse.set(whole.buffer, size);
  return whole.subarray(0, size);
}

/** A buffer holding `bytes`, with `room` bytes free after them for `appendUpdate`. */
export function withRoom(bytes: Uint8Array, room = ROOM_BYTES): Buffer {
  const out = bufferWithRoom(bytes.length, room);
  out.set(bytes, 0);
  return out;
}

/**
 * `pdf` followed by `update`. In place when `pdf` is the latest bytes of a buffer made here and the room holds the
 * update: `pdf` itself still reads as before (only bytes after its end are written). Otherwise (the first append,
 * an older view of the same file, no room left) into a new buffer with room.
 */
export function appendUpdate(pdf: Buffer, update: Uint8Array): Buffer {
  const end = pdf.byteOffset + pdf.length;
  if (inUse.get(pdf.buffer) === end && end + update.length <= pdf.buffer.byteLength) {
    const grown = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.length + update.length);
    grown.set(update, pdf.length);
    inUse.set(pdf.buffer, end + update.length);
    boundaries.set(pdf.buffer, [...(boundaries.get(pdf.buffer) ?? []), end]);
    return grown;
  }
  const grown = withRoom(pdf, Math.max(ROOM_BYTES, 2 * update.length));
  const out = Buffer.from(grown.buffer, grown.byteOffset, pdf.length + update.length);
  out.set(update, pdf.length);
  inUse.set(grown.buffer, grown.byteOffset + out.length);
  boundaries.set(grown.buffer, [grown.byteOffset + pdf.length]);
  return out;
}

/**
 * SHA-256 of `pdf` without the bytes of `gap` (a placeholder's /Contents, which its signature cannot cover). For a
 * buffer made here, the settled bytes hashed before are not hashed again: a 30 MiB file is hashed once however many
 * updates the step appends and signs, then stores. Any other buffer is hashed whole.
 */
export function sha256Of(pdf: Buffer, gap?: { start: number; end: number }): Buffer {
  const first = gap ? gap.start : pdf.length;
  const marks = pdf.byteOffset === 0 ? boundaries.get(pdf.buffer) ?? [] : [];
  const usable = Math.min(marks.at(-1) ?? 0, first);
  const states = prefixes.get(pdf.buffer) ?? [];
  const from = states.filter((s) => s.at <= usable).at(-1);
  const hash = from ? from.hash.copy() : createHash('sha256');
  let at = from?.at ?? 0;
  // On to the last settled byte this hash covers, keeping a state at each update's start passed and at that byte.
  const stops = [...marks.filter((m) => m > at && m < usable), ...(usable > at ? [usable] : [])];
  for (const stop of stops) {
    hash.update(pdf.subarray(at, stop));
    at = stop;
    if (!states.some((s) => s.at === stop)) states.push({ at, hash: hash.copy() });
  }
  if (stops.length) {
    states.sort((a, b) => a.at - b.at);
    // The first (the file this one grew from) and the latest.
    prefixes.set(pdf.buffer, states.length > KEPT_PREFIXES ? [states[0], ...states.slice(1 - KEPT_PREFIXES)] : states);
  }
  hash.update(pdf.subarray(at, first));
  if (gap) hash.update(pdf.subarray(gap.end));
  return hash.digest();
}
