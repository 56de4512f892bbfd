import { describe, expect, it } from 'vitest';
import { appendUpdate, ROOM_BYTES, withRoom } from './append.js';

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
