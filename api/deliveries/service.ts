// The deliveries' use cases, shared by the screens and the JSON API (and the dossier's progress screen, which
// lists every e-mail attempt): the agency's e-mail deliveries, a dossier's attempts, an e-mailed download link.
import { DomainError } from '../../domain/errors.js';
import type { Db } from '../../lib/db.js';
import { paging, parse } from '../http/schemas.js';
import { downloadLink, emailDeliveries, newestVersionOf, type DeliveryStatus } from './queries.js';

export { attemptsOf } from './queries.js';

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'sent', 'failed'];
export const isDeliveryStatus = (s: string | undefined): s is DeliveryStatus => (DELIVERY_STATUSES as readonly string[]).includes(s ?? '');

export interface DeliveryFilter { status?: string; code?: string; q?: string; page?: unknown; pageSize?: unknown }

/** The agency's e-mail deliveries (an unknown status filters nothing), one page of them. */
export async function listDeliveries(db: Db, agencyCode: string, f: DeliveryFilter) {
  const { page, pageSize } = parse(paging, { page: f.page, pageSize: f.pageSize });
  const { total, items } = await emailDeliveries(db, agencyCode, {
    status: isDeliveryStatus(f.status) ? f.status : undefined, code: f.code?.trim() || undefined, q: f.q?.trim() || undefined, page, pageSize,
  });
  return { total, page, pageSize, items };
}

/** The link of an e-mailed download (an e-copy too large to attach); `not_found` when unknown or expired. */
export async function openDownloadLink(db: Db, token: string) {
  const link = await downloadLink(db, token);
  if (!link || new Date(link.expires_at) < new Date()) throw new DomainError('not_found', 'Liên kết tải bản sao điện tử không tồn tại hoặc đã hết hạn.');
  // Renewed since it was sent (archival renewal): the newest version, of which the one sent is a prefix.
  const newest = await newestVersionOf(db, link.dossier_code, link.file_sha256);
  return newest ? { ...link, file_sha256: newest.sha256 } : link;
}
