// The batch request, as JSON ({kind, codes: [...], registerBookId}) or as the queue's form (code repeated per ticked row).
import { z } from 'zod';
import { BATCH_MAX } from '../../domain/batch.js';
import { object, oneOf } from '../http/schemas.js';

const KIND_MESSAGE = 'Thao tác hàng loạt phải là ký số (sign) hoặc đóng dấu (seal).';
const CODE = /^[A-Za-z0-9.\-]{1,40}$/;

export const batchBody = object({
  kind: oneOf('Thao tác', ['sign', 'seal'] as const, KIND_MESSAGE).transform((v, ctx) => {
    if (v) return v;
    ctx.addIssue({ code: 'custom', message: KIND_MESSAGE });
    return z.NEVER;
  }),
  codes: z.unknown().optional().transform((v, ctx) => {
    const list = v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v];
    if (list.length > BATCH_MAX || list.some((c) => typeof c !== 'string' || !CODE.test(c))) {
      ctx.addIssue({ code: 'custom', message: `Danh sách hồ sơ không hợp lệ: tối đa ${BATCH_MAX} mã chứng thực.` });
      return z.NEVER;
    }
    return list as string[];
  }),
  registerBookId: z.unknown().optional().transform((v, ctx) => {
    if (v === undefined || v === null || v === '') return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < 1 || n > 2_147_483_647) { ctx.addIssue({ code: 'custom', message: 'Sổ chứng thực không hợp lệ.' }); return z.NEVER; }
    return n;
  }),
});
