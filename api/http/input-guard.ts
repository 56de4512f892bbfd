// The safety net under the schemas (api/schemas.ts): whatever a route does with its input, no NUL or other C0/C1
// control in the path, the query or a parsed body (urlencoded or JSON; multipart fields: api/upload.ts) reaches a
// handler, so none can reach PostgreSQL ("invalid byte sequence") from a route nobody wrote a schema for.
// Tab, CR and LF are allowed in bodies (a textarea); the path and the query refuse them too.
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../../domain/errors.js';
import { hasControlCharacter } from '../../domain/text.js';

export const controlRefusal = (field: string) => new DomainError('validation', `Trường "${field}" chứa ký tự không hợp lệ.`, field);

/** The first key path (a.b[0]) whose key or string value carries a control character, or null. */
function firstControl(root: unknown, allowWhitespace: boolean): string | null {
  const stack: [unknown, string][] = [[root, '']];
  while (stack.length) {
    const [value, at] = stack.pop()!;
    if (typeof value === 'string') {
      if (hasControlCharacter(value, allowWhitespace)) return at || 'body';
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push([v, `${at}[${i}]`]));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const key = at ? `${at}.${k}` : k;
        if (hasControlCharacter(k, allowWhitespace)) return key;
        stack.push([v, key]);
      }
    }
  }
  return null;
}

function pathHasControl(p: string): boolean {
  return p.split('/').some((segment) => {
    try { return hasControlCharacter(decodeURIComponent(segment), false); } catch { return false; } // malformed: the router's 400
  });
}

/** Mounted before the routes (path and query) and again after each body parser (the parsed body). */
export function refuseControlCharacters(req: Request, _res: Response, next: NextFunction) {
  if (pathHasControl(req.path)) return next(new DomainError('validation', 'Địa chỉ yêu cầu chứa ký tự không hợp lệ.'));
  const inQuery = firstControl(req.query, false);
  if (inQuery) return next(controlRefusal(inQuery));
  const inBody = req.body === undefined ? null : firstControl(req.body, true);
  if (inBody) return next(controlRefusal(inBody));
  next();
}
