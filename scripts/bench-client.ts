// The HTTP API as the benchmarks call it (bench:lifecycle, bench:large, bench:batch, bench:uploads): a demo user's
// bearer token, and a call that sends JSON or a form, a fresh Idempotency-Key (unless the caller gives one), and
// sends a 503 again after its Retry-After with the same key, as a client honouring it would (for up to 3 minutes;
// counted in `retried503`). Several base URLs (BASE_URLS, else BASE_URL) are taken in turn.

export function benchClient(env: NodeJS.ProcessEnv = process.env) {
  const bases = (env.BASE_URLS || env.BASE_URL || 'http://localhost:3000').split(',').map((u) => u.trim().replace(/\/$/, '')).filter(Boolean);
  let turn = 0;
  const base = () => bases[turn++ % bases.length];
  const client = {
    bases,
    retried503: 0,
    async token(username: string): Promise<string> {
      const r = await fetch(`${base()}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'demo' }) });
      if (!r.ok) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
      return (await r.json()).token;
    },
    async api(tok: string, method: string, p: string, body?: unknown, headers: Record<string, string> = {}) {
      return (await client.call(tok, method, p, body, headers)).body;
    },
    /** As `api`, with the answer's headers and the time from the request to the whole answer (the last attempt's). */
    async call(tok: string, method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ body: any; headers: Headers; ms: number }> {
      const key = crypto.randomUUID();
      const giveUp = Date.now() + 180_000;
      for (;;) {
        const start = performance.now();
        const r = await fetch(`${base()}/api/v1${p}`, {
          method,
          headers: { authorization: `Bearer ${tok}`, 'idempotency-key': key, ...(body instanceof FormData ? {} : body ? { 'content-type': 'application/json' } : {}), ...headers },
          body: body instanceof FormData ? body : body ? JSON.stringify(body) : undefined,
        });
        const text = await r.text();
        const ms = performance.now() - start;
        if (r.status === 503 && Date.now() < giveUp) {
          client.retried503++;
          await new Promise((res) => setTimeout(res, 1000 * Number(r.headers.get('retry-after') ?? 1)));
          continue;
        }
        if (r.status >= 400) throw new Error(`${method} ${p}: ${r.status} ${text}`);
        return { body: JSON.parse(text), headers: r.headers, ms };
      }
    },
  };
  return client;
}
