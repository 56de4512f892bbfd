// The payload codec alone: what it writes opens with the same key, and with that key kept as a previous one after a
// rotation; a payload it did not write (a history made before encryption, a committed test history) passes
// through; an unknown key id or altered bytes are refused with what to do, never read as something else.
import { defaultPayloadConverter } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyRing } from './key-encryption.js';
import { decodeHistoryPayloads, ENCRYPTED_ENCODING, EncryptionCodec, PayloadDecryptionError } from './payload-codec.js';

const text = (b?: Uint8Array | null) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const applicant = { fullName: 'Phạm Thị Riêng Tư', idNumber: '079203004321', email: 'rieng.tu@example.vn' };

describe('EncryptionCodec', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);

  it('encrypts (nothing of the value in the bytes), tags the key id, and opens again', async () => {
    const codec = new EncryptionCodec(keyRing(oldKey));
    const [clear] = [defaultPayloadConverter.toPayload({ applicant })];
    const [sealed] = await codec.encode([clear]);
    expect(text(sealed.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed.metadata!['encryption-key-id'])).toBe(keyRing(oldKey).currentId);
    for (const v of Object.values(applicant)) expect(text(sealed.data)).not.toContain(v);
    const [opened] = await codec.decode([sealed]);
    expect(defaultPayloadConverter.fromPayload(opened)).toEqual({ applicant });
    // Two encryptions of the same value differ (a fresh IV each time).
    const [again] = await codec.encode([clear]);
    expect(Buffer.from(again.data!).equals(Buffer.from(sealed.data!))).toBe(false);
  });

  it('after a rotation, old payloads still open with the previous key; new ones use the new key', async () => {
    const [old] = await new EncryptionCodec(keyRing(oldKey)).encode([defaultPayloadConverter.toPayload(applicant)]);
    const rotated = new EncryptionCodec(keyRing(newKey, [oldKey]));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old]))[0])).toEqual(applicant);
    const [fresh] = await rotated.encode([defaultPayloadConverter.toPayload(applicant)]);
    expect(text(fresh.metadata!['encryption-key-id'])).toBe(keyRing(newKey).currentId);
    // Without the previous key, the old payload is refused, naming the key and the settings.
    await expect(new EncryptionCodec(keyRing(newKey)).decode([old])).rejects.toThrow(PayloadDecryptionError);
    await expect(new EncryptionCodec(keyRing(newKey)).decode([old])).rejects.toThrow(/PAYLOAD_ENCRYPTION_KEYS_PREVIOUS/);
  });

  it('passes a clear payload through, and refuses altered or truncated bytes', async () => {
    const codec = new EncryptionCodec(keyRing(oldKey));
    const clear = defaultPayloadConverter.toPayload({ committed: 'history' });
    expect(await codec.decode([clear])).toEqual([clear]);
    const [sealed] = await codec.encode([clear]);
    const bytes = Buffer.from(sealed.data!);
    bytes[20] ^= 1;
    await expect(codec.decode([{ ...sealed, data: bytes }])).rejects.toThrow(/does not open/);
    await expect(codec.decode([{ ...sealed, data: bytes.subarray(0, 10) }])).rejects.toThrow(/truncated/);
  });

  it('decodes every payload of a history in place, and gives an encoded failure its message back', async () => {
    const codec = new EncryptionCodec(keyRing(oldKey));
    const [input] = await codec.encode([defaultPayloadConverter.toPayload({ applicant })]);
    const [attrs] = await codec.encode([defaultPayloadConverter.toPayload({ message: `Email ${applicant.email} không hợp lệ`, stack_trace: 'at x' })]);
    const history = { events: [
      { workflowExecutionStartedEventAttributes: { input: { payloads: [input] } } },
      { activityTaskFailedEventAttributes: { failure: { message: 'Encoded failure', encodedAttributes: attrs } } },
    ] };
    await decodeHistoryPayloads(history, [codec]);
    expect(defaultPayloadConverter.fromPayload(history.events[0].workflowExecutionStartedEventAttributes!.input.payloads[0])).toEqual({ applicant });
    expect(history.events[1].activityTaskFailedEventAttributes!.failure).toMatchObject({ message: `Email ${applicant.email} không hợp lệ`, stackTrace: 'at x', encodedAttributes: null });
  });
});
