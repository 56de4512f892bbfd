// Between Node Buffers and asn1js / pkijs: the ArrayBuffer they take, and DER parsing that throws on bad input.
import * as asn1js from 'asn1js';

/** The bytes of `b` as an ArrayBuffer of their own (a Buffer may be a view into a larger pool). */
export const arrayBufferOf = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** One DER element; throws when it does not parse. */
export function parseDer(b: Uint8Array): asn1js.AsnType {
  const r = asn1js.fromBER(arrayBufferOf(b));
  if (r.offset === -1) throw new Error(`Malformed DER: ${r.result.error}`);
  return r.result;
}
