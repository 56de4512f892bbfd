// The audit trail of administration as a typed union: one entity, action and before/after shape per event, and
// their words for people. Later slices (accounts, catalogues, processes) add their members here.
// Sandbox-safe: nothing from Node, no packages.
import type { Agency } from './agency.js';
import type { TemplateKind } from './templates.js';

/** One recorded administrative change. Stored as entity + entity_id + action + before/after (jsonb) in admin_events. */
export type AdminEvent =
  | { entity: 'agency'; entityId: string; action: 'created'; before: null; after: Agency }
  /** Name, portal code, kind or address changed (the parent and the active flag did not). */
  | { entity: 'agency'; entityId: string; action: 'updated'; before: Agency; after: Agency }
  /** The parent changed (other fields may have changed with it). */
  | { entity: 'agency'; entityId: string; action: 'moved'; before: Agency; after: Agency }
  | { entity: 'agency'; entityId: string; action: 'deactivated'; before: Agency; after: Agency }
  | { entity: 'agency'; entityId: string; action: 'reactivated'; before: Agency; after: Agency }
  /** A new version of a template (entityId: its kind); before: the version it replaces (domain/templates.ts templateAuditRecord). */
  | { entity: 'template'; entityId: TemplateKind; action: 'published'; before: Record<string, string | number> | null; after: Record<string, string | number> };

export type AdminEntity = AdminEvent['entity'];
export type AdminAction = AdminEvent['action'];

export const ADMIN_ENTITY_LABELS: Record<AdminEntity, string> = { agency: 'Cơ quan, đơn vị', template: 'Mẫu lời chứng, mẫu sổ' };

export const ADMIN_ACTION_LABELS: Record<AdminAction, string> = {
  created: 'Thêm mới',
  updated: 'Sửa thông tin',
  moved: 'Chuyển cơ quan cấp trên',
  deactivated: 'Ngừng hoạt động',
  reactivated: 'Hoạt động trở lại',
  published: 'Ban hành phiên bản mới',
};

export const ADMIN_ENTITIES = Object.keys(ADMIN_ENTITY_LABELS) as AdminEntity[];

/** The Vietnamese names of an agency's fields, for the before/after of the audit list. */
export const AGENCY_FIELD_LABELS: Record<keyof Agency, string> = {
  code: 'Mã cơ quan', name: 'Tên', parentCode: 'Cơ quan cấp trên', portalCode: 'Mã trên cổng dịch vụ công',
  kind: 'Loại', address: 'Địa chỉ', active: 'Đang hoạt động',
};

/** The fields whose value differs between before and after (every field of `after` when created). */
export function changedFields<T extends object>(before: T | null, after: T | null): (keyof T)[] {
  const keys = new Set<keyof T>([...Object.keys(before ?? {}), ...Object.keys(after ?? {})] as (keyof T)[]);
  return [...keys].filter((k) => JSON.stringify(before?.[k] ?? null) !== JSON.stringify(after?.[k] ?? null));
}
