// Request schemas of appointments: booking (portal and API) and rescheduling (screens and API); the day's window
// and the slot rules are checked after parsing (domain/appointments.ts).
import { multilineText, object, optionalText } from '../http/schemas.js';

export const bookingBody = object({
  agencyCode: optionalText('Cơ quan tiếp nhận', 50),
  documentType: optionalText('Loại giấy tờ', 50),
  date: optionalText('Ngày hẹn', 20),
  slot: optionalText('Giờ hẹn', 10),
});
export const rescheduleBody = object({
  date: optionalText('Ngày hẹn lại', 20),
  slot: optionalText('Giờ hẹn', 10),
  reason: multilineText('Lý do hẹn', 1000),
});
