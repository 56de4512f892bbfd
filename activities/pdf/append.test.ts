import { createHash, Hash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appendUpdate, ROOM_BYTES, sha256Of, withRoom } from './append.js';

const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('appending incremental updates', () => {
  it('copies a plain buffer once, then grows in place: each result reads as the file so far', () => {
    const scan = bytes('%PDF-1.7 scan');
    const signed = appendUpdate(scan, bytes(' +sign'));
    expect(signed.buffer).not.toBe(scan.buffer);
    const sealed = appendUpdate(signed, bytes(' +seal'));
    expect(sealed.buffer).toBe(signed.buffer); // no copy of the file
    expect(sealed.toString('latin1')).toBe('%PDF-1.7 scan +sign +seal');
    expect(signed.toString('latin1')).toBe('%PDF-1.7 scan +sign'); // the earlier view is unchanged
    expect(scan.toString('latin1')).toBe('%PDF-1.7 scan');
  });

  it('an older view appended to again gets a copy of its own, leaving the newer file intact', () => {
    const base = withRoom(bytes('file'));
    const a = appendUpdate(base, bytes(' A'));
    const b = appendUpdate(base, bytes(' B')); // a retry from the same bytes
    expect(b.buffer).not.toBe(a.buffer);
    expect(a.toString('latin1')).toBe('file A');
    expect(b.toString('latin1')).toBe('file B');
    expect(appendUpdate(a, bytes('!')).toString('latin1')).toBe('file A!');
  });

  it('moves to a larger buffer when the room is used up', () => {
    const base = withRoom(bytes('x'), 4);
    const a = appendUpdate(base, bytes('1234'));
    expect(a.buffer).toBe(base.buffer);
    const b = appendUpdate(a, Buffer.alloc(ROOM_BYTES + 10, 0x41));
    expect(b.buffer).not.toBe(a.buffer);
    expect(b.length).toBe(5 + ROOM_BYTES + 10);
    expect(b.subarray(0, 5).toString('latin1')).toBe('x1234');
    expect(appendUpdate(b, bytes('z')).buffer).toBe(b.buffer); // and has room again
  });

  it('a write into the newest bytes (the signature into its placeholder) never reaches an earlier view', () => {
    const signed = appendUpdate(bytes('signed'), bytes('<0000>'));
    const sealed = appendUpdate(signed, bytes('<0000>'));
    sealed.write('ABCD', signed.length + 1, 'latin1');
    expect(signed.toString('latin1')).toBe('signed<0000>');
    expect(sealed.toString('latin1')).toBe('signed<0000><ABCD>');
  });
});

describe('hashing a growing file', () => {
  const plain = (b: Buffer, gap?: { start: number; end: number }) =>
    (gap ? createHash('sha256').update(b.subarray(0, gap.start)).update(b.subarray(gap.end)) : createHash('sha256').update(b)).digest('hex');
  afterEach(() => { vi.restoreAllMocks(); });

  it('gives the digest of the bytes as they are now, through placeholders written after each append', () => {
    const scan = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    const signed = appendUpdate(scan, bytes('/ByteRange [          ] <0000> trailer'));
    const gap1 = { start: signed.indexOf('<0000>'), end: signed.indexOf('<0000>') + 6 };
    signed.write('/ByteRange [0 1 2 3]', scan.length, 'latin1'); // as fillByteRange does before hashing
    expect(sha256Of(signed, gap1).toString('hex')).toBe(plain(signed, gap1));
    signed.write('ABCD', gap1.start + 1, 'latin1'); // the signature, written after the hash
    expect(sha256Of(signed).toString('hex')).toBe(plain(signed)); // storing it: the signature is in the digest
    const sealed = appendUpdate(signed, bytes(' <0000> seal'));
    const gap2 = { start: signed.length + 1, end: signed.length + 7 };
    expect(sha256Of(sealed, gap2).toString('hex')).toBe(plain(sealed, gap2));
    sealed.write('EF01', gap2.start + 1, 'latin1');
    const stamped = appendUpdate(sealed, bytes(' dss'));
    expect(sha256Of(stamped).toString('hex')).toBe(plain(stamped));
    expect(sha256Of(signed).toString('hex')).toBe(plain(signed)); // an earlier view, hashed after later ones
    // Kept before its signature is written (a token signs elsewhere), then stored again once signed.
    const prepared = appendUpdate(stamped, bytes(' <0000>'));
    expect(sha256Of(prepared).toString('hex')).toBe(plain(prepared));
    prepared.write('1234', prepared.length - 5, 'latin1');
    expect(sha256Of(prepared).toString('hex')).toBe(plain(prepared));
    expect(sha256Of(sealed).toString('hex')).toBe(plain(sealed));
  });

  it('hashes the large file once, however many updates are appended, signed and stored', () => {
    const scan = withRoom(Buffer.alloc(4 * 1024 * 1024, 7));
    const hashed = { bytes: 0 };
    const update = Hash.prototype.update;
    vi.spyOn(Hash.prototype, 'update').mockImplementation(function (this: Hash, data: any, enc?: any) {
      hashed.bytes += typeof data === 'string' ? data.length : data.byteLength;
      return update.call(this, data, enc);
    });
    let pdf: Buffer = scan;
    for (let i = 0; i < 4; i++) {
      pdf = appendUpdate(pdf, bytes(`update ${i} <00000000>`));
      const start = pdf.lastIndexOf('<');
      sha256Of(pdf, { start, end: start + 10 });
      sha256Of(pdf);
    }
    expect(hashed.bytes).toBeGreaterThanOrEqual(scan.length);
    expect(hashed.bytes).toBeLessThan(scan.length + 1000);
    expect(sha256Of(Buffer.from(pdf)).toString('hex')).toBe(plain(pdf)); // a buffer not made here is hashed whole
    expect(hashed.bytes).toBeGreaterThan(2 * scan.length);
  });
});
