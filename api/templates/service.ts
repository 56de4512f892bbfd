// The use cases of the templates (issue 10 §5), shared by the screens and the JSON API: the attestation text and the
// register book's Excel layout, versioned. A decree changes them for the whole country, so they are system-wide:
// every administrator reads them, only a system administrator (the admin of a root agency) publishes a version.
// Versions never change: publishing makes version N+1, recorded in the administration's audit in the same
// transaction. The signing activities read the latest attestation version at signing time (activities/templates.ts)
// and each signed file records it; the register export and the attestation previews use the latest too.
import { DomainError } from '../../domain/errors.js';
import {
  parseTemplate, templateAuditRecord, type AttestationTemplate, type RegisterLayoutTemplate, type TemplateBody, type TemplateKind,
} from '../../domain/templates.js';
import type { Actor } from '../../domain/types.js';
import { attestationPreviewOffThread } from '../../activities/pdf/pool.js';
import type { Db } from '../../lib/db.js';
import { agencyNameOf } from '../auth/service.js';
import { isSystemAdmin, recordedChange, scopeOf } from '../admin/service.js';
import * as q from './queries.js';

export const SYSTEM_ADMIN_ONLY = 'Chỉ quản trị viên hệ thống (quản trị cơ quan cấp cao nhất) được ban hành mẫu mới: mẫu áp dụng cho cả nước.';

export interface TemplateVersion<K extends TemplateKind = TemplateKind> {
  kind: K; version: number; body: TemplateBody<K>; publishedBy: string | null; publishedByName: string | null; publishedAt: string;
}
export interface TemplateOverview<K extends TemplateKind = TemplateKind> {
  kind: K; latest: TemplateVersion<K>;
  versions: Omit<TemplateVersion<K>, 'kind' | 'body'>[];
  /** May the actor publish a new version (a system administrator)? */
  canPublish: boolean;
}

const viewOf = <K extends TemplateKind>(kind: K, r: q.TemplateRow): TemplateVersion<K> => ({
  kind, version: r.version, body: parseTemplate(kind, r.body), publishedBy: r.published_by, publishedByName: r.published_by_name,
  publishedAt: new Date(r.published_at).toISOString(),
});

/** The latest version, without an actor: what signing, the previews and the register export use. */
export const latestTemplate = q.latestTemplate;

/** The latest version and the list of all (newest first); any administrator. */
export async function templateOverview<K extends TemplateKind>(db: Db, actor: Actor, kind: K): Promise<TemplateOverview<K>> {
  scopeOf(actor);
  const rows = await q.listVersions(db, kind);
  if (!rows.length) throw new DomainError('not_found', 'Chưa có mẫu nào.');
  return {
    kind, latest: viewOf(kind, rows[0]),
    versions: rows.map((r) => { const { kind: _k, body: _b, ...v } = viewOf(kind, r); return v; }),
    canPublish: await isSystemAdmin(db, actor),
  };
}

/** One version; any administrator (404 for a version that was never published). */
export async function templateVersion<K extends TemplateKind>(db: Db, actor: Actor, kind: K, version: number): Promise<TemplateVersion<K>> {
  scopeOf(actor);
  const r = await q.findVersion(db, kind, version);
  if (!r) throw new DomainError('not_found', `Không có phiên bản ${version} của mẫu này.`);
  return viewOf(kind, r);
}

/**
 * Publishes a draft as the next version (system administrators only). The draft is checked by the domain (known
 * placeholders, lengths, the law's sentence kept, known register fields); a draft identical to the latest version is
 * refused (it would only make a version that changes nothing).
 */
export async function publishTemplate<K extends TemplateKind>(db: Db, actor: Actor, kind: K, draft: unknown): Promise<{ version: number }> {
  if (!(await isSystemAdmin(db, actor))) throw new DomainError('forbidden', SYSTEM_ADMIN_ONLY);
  const body = parseTemplate(kind, draft);
  return recordedChange(db, actor, async (trx) => {
    await q.lockKind(trx, kind);
    const latest = await q.latestTemplate(trx, kind);
    if (JSON.stringify(latest.body) === JSON.stringify(body)) {
      throw new DomainError('conflict', `Mẫu này giống hệt phiên bản ${latest.version} đang áp dụng: không có gì để ban hành.`);
    }
    const version = latest.version + 1;
    await q.insertVersion(trx, kind, version, body, actor.username);
    return {
      value: { version }, agencyCode: actor.agencyCode,
      event: { entity: 'template', entityId: kind, action: 'published', before: templateAuditRecord(kind, latest.version, latest.body), after: templateAuditRecord(kind, version, body) },
    };
  });
}

/** An example dossier for the previews of a draft: the actor's agency and name, today. */
export const PREVIEW_EXAMPLE = { documentTypeName: 'Giấy khai sinh', dossierCode: 'G22.29-021226-010001', copies: 2 };

/**
 * The attestation page a draft would print (PNG, drawn off the event loop by the PDF pool's pdftoppm), with an
 * example dossier; nothing is published. Any administrator.
 */
export async function previewAttestation(db: Db, actor: Actor, draft: unknown): Promise<Buffer> {
  scopeOf(actor);
  const template: AttestationTemplate = parseTemplate('attestation', draft);
  return attestationPreviewOffThread({
    agencyName: await agencyNameOf(db, actor.agencyCode), ...PREVIEW_EXAMPLE, date: new Date().toISOString(),
    signerName: actor.fullName, signerTitle: actor.title ?? '', template,
  });
}

export type { AttestationTemplate, RegisterLayoutTemplate };
