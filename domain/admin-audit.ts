// The audit trail of administration as a typed union: one entity, action and before/after shape per event, and
// their words for people. Later slices (accounts, catalogues, processes) add their members here.
// Sandbox-safe: nothing from Node, no packages.
import type { Agency } from './agency.js';
import type { Role } from './types.js';

/** A staff account as the audit records it: never its password or hash (`passwordReset: true` says one was set). */
export interface AccountRecord {
  username: string; fullName: string; title: string; idNumber: string | null; email: string | null; agencyCode: string;
  active: boolean; roles: { agencyCode: string; role: Role }[]; passwordReset?: true;
}

/** One recorded administrative change. Stored as entity + entity_id + action + before/after (jsonb) in admin_events. */
export type AdminEvent =
  | { entity: 'agency'; entityId: string; action: 'created'; before: null; after: Agency }
  /** Name, portal code, kind or address changed (the parent and the active flag did not). */
  | { entity: 'agency'; entityId: string; action: 'updated'; before: Agency; after: Agency }
  /** The parent changed (other fields may have changed with it). */
  | { entity: 'agency'; entityId: string; action: 'moved'; before: Agency; after: Agency }
  | { entity: 'agency'; entityId: string; action: 'deactivated'; before: Agency; after: Agency }
  | { entity: 'agency'; entityId: string; action: 'reactivated'; before: Agency; after: Agency }
  | { entity: 'user'; entityId: string; action: 'created'; before: null; after: AccountRecord }
  /** Name, title, CMND/CCCD, e-mail, roles or the password (reset) changed. */
  | { entity: 'user'; entityId: string; action: 'updated'; before: AccountRecord; after: AccountRecord }
  | { entity: 'user'; entityId: string; action: 'deactivated'; before: AccountRecord; after: AccountRecord }
  | { entity: 'user'; entityId: string; action: 'reactivated'; before: AccountRecord; after: AccountRecord };

export type AdminEntity = AdminEvent['entity'];
export type AdminAction = AdminEvent['action'];

export const ADMIN_ENTITY_LABELS: Record<AdminEntity, string> = { agency: 'Cơ quan, đơn vị', user: 'Tài khoản người dùng' };

export const ADMIN_ACTION_LABELS: Record<AdminAction, string> = {
  created: 'Thêm mới',
  updated: 'Sửa thông tin',
  moved: 'Chuyển cơ quan cấp trên',
  deactivated: 'Ngừng hoạt động',
  reactivated: 'Hoạt động trở lại',
};

export const ADMIN_ENTITIES = Object.keys(ADMIN_ENTITY_LABELS) as AdminEntity[];

/** The Vietnamese names of an agency's fields, for the before/after of the audit list. */
export const AGENCY_FIELD_LABELS: Record<keyof Agency, string> = {
  code: 'Mã cơ quan', name: 'Tên', parentCode: 'Cơ quan cấp trên', portalCode: 'Mã trên cổng dịch vụ công',
  kind: 'Loại', address: 'Địa chỉ', active: 'Đang hoạt động',
};

/** The Vietnamese names of an account's fields, for the before/after of the audit list. */
export const ACCOUNT_FIELD_LABELS: Record<keyof AccountRecord, string> = {
  username: 'Tên đăng nhập', fullName: 'Họ và tên', title: 'Chức danh', idNumber: 'Số CMND/CCCD', email: 'Thư điện tử',
  agencyCode: 'Đơn vị', active: 'Đang hoạt động', roles: 'Quyền', passwordReset: 'Đặt lại mật khẩu',
};

/** The fields whose value differs between before and after (every field of `after` when created). */
export function changedFields<T extends object>(before: T | null, after: T | null): (keyof T)[] {
  const keys = new Set<keyof T>([...Object.keys(before ?? {}), ...Object.keys(after ?? {})] as (keyof T)[]);
  return [...keys].filter((k) => JSON.stringify(before?.[k] ?? null) !== JSON.stringify(after?.[k] ?? null));
}
