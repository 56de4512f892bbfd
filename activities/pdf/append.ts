// Incremental updates appended to a PDF without copying the whole file each time. Every step of the chain (the
// leader's attestation page, the seal, the DSS, the document timestamp, the DSS of its chain) appends a few KiB to
// a file that may be 30 MiB; `Buffer.concat` copied all of it into new memory at every step, and new memory that
// size is page-faulted in each time (npm run bench:large measured it). Here the first append copies the file
// once into a buffer with room after it, and the next ones write into that room.
const MiB = 1024 * 1024;

/** Room left after the bytes for the updates that follow (the seal's and B-LTA's together are well under 1 MiB). */
export const ROOM_BYTES = 2 * MiB;

/** For each buffer made here: where its bytes in use end. Only the latest view may grow into the room after it. */
const inUse = new WeakMap<ArrayBufferLike, number>();

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
    return grown;
  }
  const grown = withRoom(pdf, Math.max(ROOM_BYTES, 2 * update.length));
  const out = Buffer.from(grown.buffer, grown.byteOffset, pdf.length + update.length);
  out.set(update, pdf.length);
  inUse.set(grown.buffer, grown.byteOffset + out.length);
  return out;
}
