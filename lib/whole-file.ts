// A whole file in one system call each way (a loop only for a short write or read). `readFile` and
// `FileHandle.writeFile` go by 512 KiB, each piece a trip through the thread pool and back through the event loop:
// in the worker, busy with Temporal, a 28 MiB e-copy took 75 ms to write that way instead of 8 (npm run bench:large).
import type { FileHandle } from 'node:fs/promises';

/** Writes `data` at `position` of the file (by default its start). */
export async function writeWhole(fh: FileHandle, data: Uint8Array, position = 0): Promise<void> {
  for (let at = 0; at < data.length;) at += (await fh.write(data, at, data.length - at, position + at)).bytesWritten;
}

/** Fills `out` from the start of the file; `name` for the error when the file is shorter. */
export async function readWhole(fh: FileHandle, out: Buffer, name: string): Promise<Buffer> {
  for (let at = 0; at < out.length;) {
    const { bytesRead } = await fh.read(out, at, out.length - at, at);
    if (!bytesRead) throw new Error(`file ${name} ended at ${at} of ${out.length} bytes`);
    at += bytesRead;
  }
  return out;
}
