// The versions of an issued e-copy: version 0 as issued (the dossier's sealedPdf; in ecopy_versions once the renewal
// run has read it), then one per archival renewal (activities/archive-renewal.ts). Downloads, deliveries and
// verification read the newest.
import type { FileRef } from '../domain/types.js';
import type { Db } from '../lib/db.js';

export interface EcopyVersion extends FileRef { version: number }

/** The newest version of each of these dossiers' e-copies that was renewed (absent: only the issued one exists). */
export async function latestVersions(db: Db, codes: string[]) {
  if (!codes.length) return new Map<string, { version: number; sha256: string; size: number; tsa_not_after: Date; tsa_algorithm: string }>();
  const rows = await db.selectFrom('ecopy_versions').select(['dossier_code', 'version', 'sha256', 'size', 'tsa_not_after', 'tsa_algorithm'])
    .distinctOn('dossier_code').where('dossier_code', 'in', codes).orderBy('dossier_code').orderBy('version', 'desc').execute();
  return new Map(rows.map((r) => [r.dossier_code, { ...r, size: Number(r.size) }]));
}

/** The e-copy of a dossier as it is stored now: its newest renewal, else `issued` (the dossier's sealedPdf). */
export async function currentEcopy(db: Db, code: string, issued: FileRef): Promise<EcopyVersion> {
  const v = (await latestVersions(db, [code])).get(code);
  return v ? { version: v.version, sha256: v.sha256, size: v.size } : { version: 0, ...issued };
}

/** The newest version of the e-copy `sha256` is a version of (itself when it is no e-copy version at all). */
export async function newestVersionOf(db: Db, code: string, sha256: string): Promise<FileRef | null> {
  const known = await db.selectFrom('ecopy_versions').select('version').where('dossier_code', '=', code)
    .where((eb) => eb.or([eb('sha256', '=', sha256), eb('previous_sha256', '=', sha256)])).executeTakeFirst();
  if (!known) return null;
  const v = (await latestVersions(db, [code])).get(code)!;
  return { sha256: v.sha256, size: v.size };
}

