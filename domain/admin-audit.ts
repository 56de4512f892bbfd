// The audit trail of administration as a typed union: one entity, action and before/after shape per event, and
// their words for people. Later slices (accounts, catalogues, processes) add their members here.
// Sandbox-safe: nothing from Node, no packages.
import type { Agency } from './agency.js';
import type { ProcessDefinition } from './process.js';

/** One recorded administrative change. Stored as entity + entity_id + action + before/after (jsonb) in admin_events. */
export type AdminEvent =
  | { entity: 'agency'; entityId: string; action: 'created'; before: null; after: Agency }
  /** Name, portal code, kind or address changed (the parent and the active flag did not). */
  | { entity: 'agency'; entityId: string; action: 'updated'; before: Agency; after: Agency }
  /** The parent changed (other fields may have changed with it). */
  | { entity: 'agency'; entityId: string; action: 'moved'; before: Agency; after: Agency }
  | { entity: 'agency'; entityId: string; action: 'deactivated'; before: Agency; after: Agency }
  | { entity: 'agency'; entityId: string; action: 'reactivated'; before: Agency; after: Agency }
  /** A new version of an agency's process (before: the version it replaces, null when it replaces the built-in one). */
  | { entity: 'process'; entityId: string; action: 'published'; before: (ProcessDefinition & { agencyCode: string }) | null; after: ProcessDefinition & { agencyCode: string } };

export type AdminEntity = AdminEvent['entity'];
export type AdminAction = AdminEvent['action'];

export const ADMIN_ENTITY_LABELS: Record<AdminEntity, string> = { agency: 'Cơ quan, đơn vị', process: 'Quy trình' };

export const ADMIN_ACTION_LABELS: Record<AdminAction, string> = {
  created: 'Thêm mới',
  updated: 'Sửa thông tin',
  moved: 'Chuyển cơ quan cấp trên',
  deactivated: 'Ngừng hoạt động',
  reactivated: 'Hoạt động trở lại',
  published: 'Ban hành phiên bản mới',
};

/** The Vietnamese names of a process definition's fields, for the before/after of the audit list. */
export const PROCESS_FIELD_LABELS: Record<keyof ProcessDefinition | 'agencyCode', string> = {
  agencyCode: 'Cơ quan', version: 'Phiên bản', steps: 'Các bước', separationOfDuties: 'Tách người thực hiện các bước', autoDeliver: 'Tự động chuyển sau khi đóng dấu',
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
