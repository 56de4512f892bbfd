// Plain-HTTP helpers for the tests that talk to the web app on its port: the JSON API /api/v1 with a bearer token
// per demo user, and the screens through a tiny cookie-keeping client (login through the staff or citizen form with
// the page's _csrf field, then GET and POST like a browser without JavaScript).
import { expect } from 'vitest';

/** A message a Vietnamese user can read: it carries Vietnamese letters. */
export const VIETNAMESE = /[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]/i;

/** An answer of /api/v1: `body` is the parsed JSON when the answer is JSON, else the text. */
export interface Reply { status: number; body: any; headers: Headers; bytes: Buffer }

/**
 * A refusal as SPEC §5a promises it: the status, JSON {error, message} and a message in Vietnamese; `also` is the
 * field the refusal names (a string) or a pattern its message matches (a RegExp).
 */
export function expectRefusal(r: Reply, status: number, error: string, also?: string | RegExp) {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/application\/json/);
  expect(r.body.error).toBe(error);
  expect(typeof r.body.message).toBe('string');
  expect(r.body.message).toMatch(VIETNAMESE);
  if (typeof also === 'string') expect(r.body.field).toBe(also);
  else if (also) expect(r.body.message).toMatch(also);
}

export interface CallOptions {
  json?: unknown;
  form?: FormData;
  headers?: Record<string, string>;
  /** The Authorization header as given (a bad or forged token), instead of the user's token. */
  bearer?: string;
}

/**
 * The JSON API of the app at `baseUrl()` (read when called: the harness starts in beforeAll). `call(user, …)` sends
 * the user's bearer token, fetched once per user with the demo password; `call(null, …)` sends none.
 */
export function apiClient(baseUrl: () => string) {
  const tokens = new Map<string, string>();

  function requestToken(username: string, password: string): Promise<Reply> {
    return call(null, 'POST', '/auth/token', { json: { username, password } });
  }

  async function tokenFor(username: string): Promise<string> {
    if (!tokens.has(username)) {
      const r = await requestToken(username, 'demo');
      expect(r.status, `login of ${username}`).toBe(200);
      tokens.set(username, r.body.token);
    }
    return tokens.get(username)!;
  }

  async function call(user: string | null, method: string, p: string, opts: CallOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.bearer !== undefined) headers.authorization = opts.bearer;
    else if (user) headers.authorization = `Bearer ${await tokenFor(user)}`;
    let body: BodyInit | undefined;
    if (opts.json !== undefined) { headers['content-type'] = 'application/json'; body = JSON.stringify(opts.json); }
    if (opts.form) body = opts.form;
    const res = await fetch(`${baseUrl()}/api/v1${p}`, { method, headers, body });
    const bytes = Buffer.from(await res.arrayBuffer());
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, headers: res.headers, bytes, body: type.includes('json') ? JSON.parse(bytes.toString('utf8')) : bytes.toString('utf8') };
  }

  return { call, tokenFor, requestToken };
}

/** A multipart form: the fields in order, then the file (when given) under `field`. */
export function multipart(fields: Record<string, string>, field: string, bytes: Buffer | null, fileName: string, type: string): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  if (bytes) f.append(field, new Blob([new Uint8Array(bytes)], { type }), fileName);
  return f;
}

/** The value of the page's _csrf hidden field (and a failed check when there is none). */
export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  expect(m, 'the page carries a _csrf hidden field').not.toBeNull();
  return m![1];
}

/** A cookie jar and plain requests to the screens, as a browser without JavaScript makes them (no redirects followed). */
export class WebClient {
  private cookies = new Map<string, string>();
  /** `headers` go with every request (e.g. x-forwarded-for, to come from an address of one's own). */
  constructor(private readonly baseUrl: string, private readonly headers: Record<string, string> = {}) {}

  /** Another client holding a copy of this one's cookies as they are now (a cookie saved by someone). */
  copy(): WebClient {
    const c = new WebClient(this.baseUrl, this.headers);
    for (const [k, v] of this.cookies) c.cookies.set(k, v);
    return c;
  }

  /** The value of one cookie, if held. */
  cookie(name: string): string | undefined { return this.cookies.get(name); }

  private keep(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0];
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(name); else this.cookies.set(name, value);
    }
  }

  /** The Cookie header this client sends (for a request made by hand: another origin's fetch, say). */
  cookieHeader(): string { return this.requestHeaders().cookie; }

  private requestHeaders(more: Record<string, string> = {}): Record<string, string> {
    return { ...this.headers, cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...more };
  }

  async get(p: string) {
    const res = await fetch(`${this.baseUrl}${p}`, { headers: this.requestHeaders(), redirect: 'manual' });
    this.keep(res);
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, html: bytes.toString('utf8'), bytes, location: res.headers.get('location'), type: res.headers.get('content-type') ?? '', headers: res.headers };
  }

  /** Posts form fields (urlencoded), or a body as given (multipart FormData, URLSearchParams). */
  async post(p: string, body: Record<string, string> | FormData | URLSearchParams, headers: Record<string, string> = {}) {
    const plain = !(body instanceof FormData) && !(body instanceof URLSearchParams);
    const res = await fetch(`${this.baseUrl}${p}`, {
      method: 'POST', redirect: 'manual', body: plain ? new URLSearchParams(body) : body,
      headers: this.requestHeaders(plain ? { 'content-type': 'application/x-www-form-urlencoded', ...headers } : headers),
    });
    this.keep(res);
    return { status: res.status, html: await res.text(), location: res.headers.get('location') };
  }
}

/** Logs in through the form at `page` (GET for the cookie and _csrf, then POST), as a person would (password "demo", as seeded). */
async function loginAt(baseUrl: string, page: string, username: string) {
  const b = new WebClient(baseUrl);
  const form = await b.get(page);
  expect(form.status).toBe(200);
  const res = await b.post(page, { _csrf: csrfOf(form.html), username, password: 'demo' });
  expect(res.status, res.html.slice(0, 300)).toBe(303);
  return { b, res };
}

/** A staff member logged in through the form at /dang-nhap. */
export async function loginStaff(baseUrl: string, username: string): Promise<WebClient> {
  return (await loginAt(baseUrl, '/dang-nhap', username)).b;
}

/** A citizen logged in through the portal's form at /cong-dan/dang-nhap, and sent to the portal's home. */
export async function loginCitizen(baseUrl: string, username: string): Promise<WebClient> {
  const { b, res } = await loginAt(baseUrl, '/cong-dan/dang-nhap', username);
  expect(res.location).toBe('/cong-dan');
  return b;
}
