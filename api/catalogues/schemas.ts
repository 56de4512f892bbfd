// What the catalogue routes accept (screens and API alike): a document type to add or edit, an agency's slot list,
// an agency's day, a national public holiday, a year. Rules that need the database (codes in use, bookings on a
// slot, scope and the system administrator) are checked and explained by api/catalogues/service.ts.
import { z } from 'zod';
import { vnYear } from '../../domain/vn-time.js';
import { intInRange, object, optionalText, text, vnDate } from '../http/schemas.js';

export const DOCUMENT_TYPE_CODE_MAX = 30;
export const SLOT_CAPACITY_MAX = 500;
/** More start times than this in a day is a typing mistake, not a schedule (one every half hour, round the clock). */
export const SLOTS_MAX = 48;

const CODE_MESSAGE = `Mã loại giấy tờ chỉ gồm chữ cái không dấu, chữ số, dấu gạch dưới (_) và gạch ngang (-), tối đa ${DOCUMENT_TYPE_CODE_MAX} ký tự.`;
const documentTypeCode = text('Mã loại giấy tờ', DOCUMENT_TYPE_CODE_MAX).transform((v, ctx) => {
  if (/^[A-Za-z0-9_-]+$/.test(v)) return v;
  ctx.addIssue({ code: 'custom', message: CODE_MESSAGE });
  return z.NEVER;
});
const typeName = text('Tên loại giấy tờ', 200);
const flag = (label: string, key: string) => z.union([z.boolean(), z.enum(['true', 'false'])], { error: `Trường "${label}" (${key}) phải là true hoặc false.` })
  .transform((v) => v === true || v === 'true');

export const documentTypeBody = object({ code: documentTypeCode, name: typeName });
export const documentTypePatch = object({
  name: typeName.optional(),
  active: flag('Đang sử dụng', 'active').optional(),
  sort: intInRange('Thứ tự', 0, 10_000).optional(),
});
export const documentTypeParams = object({ code: text('Mã loại giấy tờ', 100) });

const startTime = text('Giờ bắt đầu', 5, 'Vui lòng nhập giờ bắt đầu của khung giờ (HH:MM).').transform((v, ctx) => {
  const t = /^\d:\d\d$/.test(v) ? `0${v}` : v; // 8:00 as typed is 08:00
  if (/^([01]\d|2[0-3]):[0-5]\d$/.test(t)) return t;
  ctx.addIssue({ code: 'custom', message: `Giờ bắt đầu “${v}” không hợp lệ: nhập theo dạng HH:MM, ví dụ 08:00.` });
  return z.NEVER;
});
const capacity = intInRange('Số người mỗi khung giờ', 1, SLOT_CAPACITY_MAX);
export const slotsBody = z.array(object({ startTime, capacity }), { error: 'Danh sách khung giờ phải là một mảng [{startTime, capacity}].' })
  .max(SLOTS_MAX, { error: `Tối đa ${SLOTS_MAX} khung giờ mỗi ngày.` });

const day = vnDate('Ngày').transform((v, ctx) => {
  if (v) return v;
  ctx.addIssue({ code: 'custom', message: 'Vui lòng nhập ngày (dd/mm/yyyy).' });
  return z.NEVER;
});
export const agencyDayBody = object({ day, working: flag('Ngày làm việc', 'working'), note: optionalText('Ghi chú', 200) });
export const publicHolidayBody = object({ day, name: text('Tên ngày lễ', 200), working: flag('Ngày làm việc', 'working').optional().transform((v) => v ?? false) });
export const agencyParams = object({ code: text('Mã cơ quan', 100) });
export const dayParams = object({ day });

export const yearQuery = object({ year: intInRange('Năm', 2000, 2100, undefined).optional() })
  .transform((q) => ({ year: q.year ?? vnYear(new Date()) }));
