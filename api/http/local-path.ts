// Redirect targets taken from a request (?next=...): only paths of this site.

/**
 * Where to go after logging in: a path of this site under `within`, or null. The value is resolved as a browser
 * would (which reads `/\host` as `//host` and drops tabs and newlines), and only the resolved path is given back.
 */
export function localPath(value: unknown, within = '/'): string | null {
  if (typeof value !== 'string' || !value.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(value)) return null;
  const origin = 'http://this.invalid';
  let url: URL;
  try { url = new URL(value, origin); } catch { return null; }
  if (url.origin !== origin || url.pathname.startsWith('//')) return null;
  const base = within.replace(/\/$/, '');
  if (base && url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return null;
  return url.pathname + url.search + url.hash;
}
