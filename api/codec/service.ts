// The codec endpoint's use case (issue 11 point 5): payloads as the Temporal Web UI and CLI send them (the Codec
// Server protocol: proto3 JSON, bytes in base64) decoded with this installation's keys, for supervisors and
// testers only: they read workflow histories; nobody else needs the personal data in them.
import type { Payload, PayloadCodec } from '@temporalio/common';
import { DomainError } from '../../domain/errors.js';
import type { Actor, Role } from '../../domain/types.js';
import { z } from 'zod';

export const CODEC_ROLES: readonly Role[] = ['supervisor', 'tester'];
export const CODEC_FORBIDDEN = 'Chỉ người có quyền Giám sát hoặc Kiểm thử được giải mã dữ liệu workflow.';
/** At most this many payloads per call (a history page of the UI sends far fewer). */
const MAX_PAYLOADS = 1000;

const base64 = z.string().max(4 * 1024 * 1024).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'không phải base64');
const wirePayload = z.object({ metadata: z.record(z.string().max(200), base64).optional(), data: base64.optional() }).passthrough();
export const codecBody = z.object({ payloads: z.array(wirePayload).max(MAX_PAYLOADS) });
export type WirePayload = z.infer<typeof wirePayload>;

const fromWire = (p: WirePayload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});
const toWire = (p: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/** The payloads decoded, in order; one that does not open is a 400 naming why, never a 500. */
export async function decodePayloads(actor: Actor | null, payloads: WirePayload[], codecs: readonly PayloadCodec[]) {
  if (!actor) throw new DomainError('unauthenticated', 'Cần đăng nhập (phiên làm việc hoặc Bearer token) để giải mã dữ liệu workflow.');
  if (!actor.roles.some((r) => CODEC_ROLES.includes(r))) throw new DomainError('forbidden', CODEC_FORBIDDEN);
  let out: Payload[] = payloads.map(fromWire);
  try {
    for (const c of [...codecs].reverse()) out = await c.decode(out);
  } catch (e) {
    throw new DomainError('validation', `Không giải mã được dữ liệu: ${(e as Error).message}`);
  }
  return { payloads: out.map(toWire) };
}
