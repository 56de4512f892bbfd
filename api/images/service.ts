// The seal and signature images' use cases, shared by the screens and the JSON API: the whole check of an uploaded
// PNG, who may change which image, finding the current one and saving a new one (content-addressed storage).
import { inflateSync } from 'node:zlib';
import fs from 'node:fs/promises';
import { PDFDocument } from 'pdf-lib-incremental-save';
import type { FileStorage } from '../../activities/storage.js';
import { DomainError } from '../../domain/errors.js';
import { expectedRawSize, hasPngSignature, inspectPng, notPngError, PNG_MAX_BYTES, PNG_MAX_SIDE, PNG_MIN_SIDE, type PngInfo } from '../../domain/png.js';
import type { Actor } from '../../domain/types.js';
import type { Db } from '../../lib/db.js';
import { getImage, upsertImage } from './queries.js';
import type { ImageKind, ImageRecord } from '../../activities/images.js';
import { assertRole } from '../http/guards.js';
import { recordAdminEvent } from '../admin/service.js';
import type { ImageAuditRecord } from '../../domain/admin-audit.js';

export type { ImageKind, ImageRecord } from '../../activities/images.js';
export { getImage } from './queries.js';

/**
 * The streaming upload policy for an image field: PNG signature at the first bytes, 2 MB at most. The first 512
 * bytes are looked at (enough to name an SVG behind an XML prolog); a smaller file is judged whole by validatePng.
 */
export const PNG_UPLOAD = {
  headBytes: 512,
  checkHead: (head: Buffer) => (hasPngSignature(head) ? null : notPngError(head)),
  tooLarge: () => new DomainError('too_large', `Tệp ảnh vượt quá dung lượng cho phép (tối đa ${PNG_MAX_BYTES / 1024 / 1024} MB).`, 'image'),
};

const broken = (detail: string) => new DomainError('bad_file', `Tệp PNG bị hỏng: ${detail}`, 'image');

/**
 * The whole check of an uploaded PNG: structure (domain/png.ts), then the image data really decompresses to
 * exactly what the IHDR promises (with a cap, so a compression bomb cannot blow up), then pdf-lib — the library
 * that draws it into the attestation page — decodes it. So an accepted image can always be drawn when signing.
 */
export async function validatePng(bytes: Buffer): Promise<PngInfo> {
  if (bytes.length > PNG_MAX_BYTES) throw PNG_UPLOAD.tooLarge();
  if (bytes.length === 0) throw new DomainError('validation', 'Tệp ảnh rỗng. Vui lòng chọn tệp ảnh .png.', 'image');
  const info = inspectPng(bytes, { min: PNG_MIN_SIDE, max: PNG_MAX_SIDE });
  const expected = expectedRawSize(info);
  const compressed = Buffer.concat(info.idat.map(([o, l]) => bytes.subarray(o, o + l)));
  let raw: Buffer;
  try {
    raw = inflateSync(compressed, { maxOutputLength: expected + 1 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || /larger than|maxOutputLength/i.test(String((e as Error).message))) {
      throw broken('dữ liệu ảnh nhiều hơn kích thước ghi trong IHDR.');
    }
    throw broken('không giải nén được dữ liệu ảnh (IDAT).');
  }
  if (raw.length !== expected) throw broken(`dữ liệu ảnh không đầy đủ (${raw.length} trên ${expected} byte).`);
  if (info.interlace === 0) {
    const stride = expected / info.height;
    for (let y = 0; y < info.height; y++) if (raw[y * stride] > 4) throw broken('bộ lọc dòng ảnh không hợp lệ.');
  }
  try {
    const doc = await PDFDocument.create();
    await doc.embedPng(bytes);
  } catch {
    throw broken('không đọc được ảnh để chèn vào bản chứng thực.');
  }
  return info;
}

export const SEAL_ROLE_MESSAGE = 'Chỉ người có Quyền đóng dấu bản sao (văn thư) mới được thay đổi hình ảnh con dấu của cơ quan.';

/** Who may change which image: the seal only by a sealer (of their own agency); a signature only by its owner, a signer. */
export function imageOwnerFor(actor: Actor, kind: ImageKind, requestedUser?: string): string {
  if (kind === 'seal') {
    assertRole(actor, 'sealer', SEAL_ROLE_MESSAGE);
    return actor.agencyCode;
  }
  if (requestedUser && requestedUser.trim().toLowerCase() !== actor.username) {
    throw new DomainError('forbidden', 'Không được thay đổi mẫu chữ ký của người dùng khác: mỗi người chỉ tự cập nhật chữ ký của mình.');
  }
  if (!actor.roles.includes('signer')) {
    throw new DomainError('forbidden', 'Chỉ lãnh đạo có Quyền ký bản sao mới có mẫu chữ ký cá nhân.');
  }
  return actor.username;
}

const auditRecordOf = (r: ImageRecord): ImageAuditRecord => ({ kind: r.kind, owner: r.owner, sha256: r.sha256, size: r.size, width: r.width, height: r.height });

/** The refusal of an upload without a file. */
export function noImageFile(kind: ImageKind): DomainError {
  return new DomainError('validation', kind === 'seal' ? 'Vui lòng chọn tệp hình ảnh con dấu (.png).' : 'Vui lòng chọn tệp hình ảnh chữ ký (.png).', 'image');
}

/** The current image of `owner`; `not_found` when there is none. */
export async function requireImage(db: Db, kind: ImageKind, owner: string): Promise<ImageRecord> {
  const rec = await getImage(db, kind, owner);
  if (!rec) throw new DomainError('not_found', kind === 'seal' ? 'Cơ quan chưa có hình ảnh con dấu.' : 'Bạn chưa có hình ảnh chữ ký.');
  return rec;
}

/**
 * Checks an uploaded file (a temporary file from parseMultipart) and, when it is a good PNG, moves it into the
 * storage and records it as the current image of `owner`. On refusal the temporary file is removed and nothing
 * else changes.
 */
export async function saveImage(
  db: Db, storage: FileStorage,
  input: { kind: ImageKind; owner: string; actor: Actor; file: { tmpPath: string; sha256: string; size: number } },
): Promise<ImageRecord> {
  let info: PngInfo;
  try {
    info = await validatePng(await fs.readFile(input.file.tmpPath));
  } catch (e) {
    await fs.rm(input.file.tmpPath, { force: true });
    throw e;
  }
  if (await storage.has(input.file.sha256)) await fs.rm(input.file.tmpPath, { force: true });
  else await storage.adopt(input.file.tmpPath, { sha256: input.file.sha256, size: input.file.size });
  const after: ImageAuditRecord = { kind: input.kind, owner: input.owner, sha256: input.file.sha256, size: input.file.size, width: info.width, height: info.height };
  // The row and its audit event in one transaction; the stored file may stay unreferenced on failure (content-addressed, harmless).
  await db.transaction().execute(async (tx) => {
    const previous = await getImage(tx, input.kind, input.owner, { forUpdate: true });
    await upsertImage(tx, { ...after, uploadedBy: input.actor.username });
    // A seal belongs to its agency; a signature to its leader, read where the leader works.
    await recordAdminEvent(tx, {
      actor: input.actor.username, agencyCode: input.kind === 'seal' ? input.owner : input.actor.agencyCode,
      event: previous
        ? { entity: 'image', entityId: `${input.kind}:${input.owner}`, action: 'replaced', before: auditRecordOf(previous), after }
        : { entity: 'image', entityId: `${input.kind}:${input.owner}`, action: 'created', before: null, after },
    });
  });
  return (await getImage(db, input.kind, input.owner))!;
}
