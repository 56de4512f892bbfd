// The worker's side of the seal and signature images: the one read of the `images` table (PK kind + owner) and
// the bytes the PDF steps draw. Uploading, checking and who may change which image: api/images/service.ts.
import type { Db } from '../lib/db.js';
import type { FileStorage } from './storage.js';

export type ImageKind = 'seal' | 'signature';

export interface ImageRecord {
  kind: ImageKind;
  owner: string;
  sha256: string;
  size: number;
  width: number;
  height: number;
  uploadedBy: string;
  uploadedAt: string;
}

/**
 * The current image of `owner` (an agency code for the seal, a username for a signature), or null. The only SQL
 * reading `images`: here, because the signing activity reads it and activities never import api/; the screens
 * reach it through api/images/queries.ts. `forUpdate`: its row locked (a replacement reads what it replaces).
 */
export async function getImage(db: Db, kind: ImageKind, owner: string, opts: { forUpdate?: boolean } = {}): Promise<ImageRecord | null> {
  const query = db.selectFrom('images').selectAll().where('kind', '=', kind).where('owner', '=', owner);
  const r = await (opts.forUpdate ? query.forUpdate() : query).executeTakeFirst();
  if (!r) return null;
  return {
    kind: r.kind, owner: r.owner, sha256: r.sha256, size: Number(r.size), width: r.width, height: r.height,
    uploadedBy: r.uploaded_by, uploadedAt: new Date(r.uploaded_at).toISOString(),
  };
}

/** The bytes of the current image, for the PDF steps; undefined when none was uploaded (or its file is gone). */
export async function imageBytes(db: Db, storage: FileStorage, kind: ImageKind, owner: string): Promise<Buffer | undefined> {
  const rec = await getImage(db, kind, owner);
  if (!rec) return undefined;
  if (!(await storage.has(rec.sha256))) {
    console.warn(`images: the file ${rec.sha256} of the ${kind} image of ${owner} is missing; drawing without it`);
    return undefined;
  }
  return storage.get(rec.sha256);
}
