// Personal data never in clear in Temporal (issue 11 point 5): every payload our clients and workers send —
// workflow inputs, update arguments and results, activity arguments and results, failure messages — is encrypted
// with AES-256-GCM before it leaves the process, tagged with the id of the key that encrypted it, so the key can be
// rotated without breaking old histories (the previous keys still decode). Payloads that are not ours to decode
// (committed test histories, histories written before encryption) pass through unchanged.
import type { Client } from '@temporalio/client';
import { type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import protos from '@temporalio/proto'; // CommonJS: its namespaces come through the default export
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ringOfSettings, type KeyRing } from './key-encryption.js';

const PayloadProto = protos.temporal.api.common.v1.Payload;
export const FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failure-converter.cjs', import.meta.url));
export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? new TextDecoder().decode(b) : '');

export class PayloadDecryptionError extends Error {}

/** AES-256-GCM over the whole payload (its metadata too: the encoding says how to read the data). */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly ring: KeyRing) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.ring.keys.get(this.ring.currentId)!;
    return payloads.map((p) => {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(PayloadProto.encode(p).finish()), c.final()]);
      return {
        metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID]: utf8(this.ring.currentId) },
        data: Buffer.concat([iv, c.getAuthTag(), body]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      if (text(p.metadata?.encoding) !== ENCRYPTED_ENCODING) return p;
      const id = text(p.metadata?.[KEY_ID]);
      const key = this.ring.keys.get(id);
      if (!key) throw new PayloadDecryptionError(`Payload encrypted with key ${id || '(none)'}, which is not configured (PAYLOAD_ENCRYPTION_KEY / PAYLOAD_ENCRYPTION_KEYS_PREVIOUS).`);
      const data = Buffer.from(p.data ?? new Uint8Array());
      if (data.length < 28) throw new PayloadDecryptionError('Encrypted payload is truncated.');
      const d = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      d.setAuthTag(data.subarray(12, 28));
      let plain: Buffer;
      try {
        plain = Buffer.concat([d.update(data.subarray(28)), d.final()]);
      } catch {
        throw new PayloadDecryptionError('Encrypted payload does not open: altered, or encrypted with another key of the same id.');
      }
      const out = PayloadProto.decode(plain);
      return { metadata: out.metadata ?? {}, data: out.data ?? new Uint8Array() };
    });
  }
}

/** The payload keys of the configuration: PAYLOAD_ENCRYPTION_KEY and PAYLOAD_ENCRYPTION_KEYS_PREVIOUS (demo: generated). */
export function payloadKeyRingOf(cfg: { payloadEncryptionKey: string | null; previousPayloadEncryptionKeys: string[]; dataDir: string }): KeyRing {
  return ringOfSettings(cfg.payloadEncryptionKey, cfg.previousPayloadEncryptionKeys, {
    dataDir: cfg.dataDir, demoFile: 'demo-payload-key', setting: 'PAYLOAD_ENCRYPTION_KEY', previousSetting: 'PAYLOAD_ENCRYPTION_KEYS_PREVIOUS',
  });
}

/**
 * The data converter of every client and worker: the codec above, and failures with their message and stack
 * trace encoded too (a refusal may quote what the applicant typed).
 */
export function dataConverterOf(cfg: Parameters<typeof payloadKeyRingOf>[0]): DataConverter {
  return {
    payloadCodecs: [new EncryptionCodec(payloadKeyRingOf(cfg))],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}

const isPayload = (v: any): v is Payload => v && typeof v === 'object' && v.metadata && typeof v.metadata === 'object' && 'encoding' in v.metadata;

/**
 * A history (or any part of one) with every payload decoded by the codecs, in place: for the readers of our own
 * histories (Xem tiến trình, the export for testers). A failure whose message and stack trace were encoded gets
 * them back.
 */
export async function decodeHistoryPayloads<T>(value: T, codecs: readonly PayloadCodec[]): Promise<T> {
  const decodeOne = async (p: Payload) => {
    let out = [p];
    for (const c of [...codecs].reverse()) out = await c.decode(out);
    return out[0];
  };
  const walk = async (v: any): Promise<void> => {
    if (!v || typeof v !== 'object' || ArrayBuffer.isView(v)) return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (isPayload(v[i])) v[i] = await decodeOne(v[i]);
        else await walk(v[i]);
      }
      return;
    }
    for (const k of Object.keys(v)) {
      if (isPayload(v[k])) v[k] = await decodeOne(v[k]);
      else await walk(v[k]);
    }
    // DefaultFailureConverter's encoded attributes: {message, stack_trace} as JSON.
    if (v.encodedAttributes && isPayload(v.encodedAttributes) && text(v.encodedAttributes.metadata?.encoding) === 'json/plain') {
      try {
        const attrs = JSON.parse(text(v.encodedAttributes.data));
        if (typeof attrs.message === 'string') v.message = attrs.message;
        if (typeof attrs.stack_trace === 'string') v.stackTrace = attrs.stack_trace;
        v.encodedAttributes = null;
      } catch { /* not ours: left as it is */ }
    }
  };
  await walk(value);
  return value;
}

/** A workflow's history as Temporal holds it, its payloads decoded by the client's own codecs. */
export async function fetchDecodedHistory(client: Client, workflowId: string) {
  return decodeHistoryPayloads(await client.workflow.getHandle(workflowId).fetchHistory(), client.options.loadedDataConverter.payloadCodecs);
}
