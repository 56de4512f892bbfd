// What the administration routes accept (screens and API alike): an agency to create (POST), an edit (PATCH: a
// field left out keeps its value), an agency code in the path, and the audit list's filters. The rules that need
// the database (scope, cycles, codes in use, open dossiers) are checked and explained by api/admin/service.ts.
import { z } from 'zod';
import { ADMIN_ENTITIES } from '../../domain/admin-audit.js';
import { AGENCY_CODE_MAX, AGENCY_CODE_MESSAGE, AGENCY_KINDS, isAgencyCode, PORTAL_CODE_MAX } from '../../domain/agency.js';
import { object, oneOf, optionalText, pagingShape, text } from '../http/schemas.js';

const KIND_MESSAGE = `Loại cơ quan (kind) phải là một trong: ${AGENCY_KINDS.join(', ')}.`;
const ACTIVE_MESSAGE = 'Trường "Đang hoạt động" (active) phải là true hoặc false.';

const agencyCode = text('Mã cơ quan', AGENCY_CODE_MAX).transform((v, ctx) => {
  if (isAgencyCode(v)) return v;
  ctx.addIssue({ code: 'custom', message: AGENCY_CODE_MESSAGE });
  return z.NEVER;
});
const name = text('Tên cơ quan, đơn vị', 200);
const parentCode = text('Cơ quan cấp trên', AGENCY_CODE_MAX, 'Vui lòng chọn cơ quan cấp trên.');
// Its form (it opens every dossier code) is checked by the service when set or changed.
const portalCode = text('Mã trên cổng dịch vụ công', PORTAL_CODE_MAX);
const kind = oneOf('Loại cơ quan', AGENCY_KINDS, KIND_MESSAGE);
const address = optionalText('Địa chỉ', 300);

export const agencyBody = object({ code: agencyCode, name, parentCode, portalCode, kind, address });

/** A JSON null parent is kept (and refused by the service: roots are made at installation only). */
const parentPatch = z.unknown().optional().transform((v, ctx) => {
  if (v === undefined) return undefined;
  if (v === null) return null;
  const r = parentCode.safeParse(v);
  if (r.success) return r.data;
  ctx.addIssue({ code: 'custom', message: r.error.issues[0].message });
  return z.NEVER;
});

export const agencyPatch = object({
  code: optionalText('Mã cơ quan', AGENCY_CODE_MAX).optional(),
  name: name.optional(),
  parentCode: parentPatch,
  portalCode: portalCode.optional(),
  kind: kind.optional(),
  address: address.optional(),
  active: z.union([z.boolean(), z.enum(['true', 'false'])], { error: ACTIVE_MESSAGE }).optional()
    .transform((v) => (v === undefined ? undefined : v === true || v === 'true')),
});

export const agencyParams = object({ code: text('Mã cơ quan', 100) });

/** GET /admin/audit and "Nhật ký quản trị": by entity, by the entity's id (an agency code), paged. */
export const auditQuery = object({
  entity: oneOf('Đối tượng', ADMIN_ENTITIES, `Đối tượng (entity) phải là một trong: ${ADMIN_ENTITIES.join(', ')}.`),
  entityId: optionalText('Mã đối tượng', 100),
  ...pagingShape,
});
