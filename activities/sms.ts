// SMS gateway behind an interface. Default: a local outbox folder the demo can show (one JSON file per
// message). Production: an HTTP gateway configured by SMS_GATEWAY_URL and SMS_GATEWAY_TOKEN, which receives
//   POST <url>  Authorization: Bearer <token>  Content-Type: application/json
//   {"to": "0942077843", "message": "<text, Vietnamese, UTF-8>", "reference": "<unique id of this message>"}
// and answers 2xx with JSON {"id": "<provider message id>"}; any other answer is a failure (retried).
import fs from 'node:fs/promises';
import path from 'node:path';

export interface SmsGateway {
  send(message: { to: string; text: string; reference: string }): Promise<{ id: string }>;
}

export function createSmsGateway(opts: { url?: string | null; token?: string | null; outboxDir: string }): SmsGateway {
  if (opts.url) {
    const url = opts.url;
    return {
      async send(m) {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
          body: JSON.stringify({ to: m.to, message: m.text, reference: m.reference }),
          signal: AbortSignal.timeout(15_000),
        });
        const body = await res.text();
        if (!res.ok) throw new Error(`SMS gateway answered ${res.status}: ${body.slice(0, 200)}`);
        let id = m.reference;
        try { id = String((JSON.parse(body) as { id?: string }).id ?? m.reference); } catch { /* plain answer */ }
        return { id };
      },
    };
  }
  return {
    async send(m) {
      await fs.mkdir(opts.outboxDir, { recursive: true });
      const safe = m.reference.replace(/[^A-Za-z0-9._-]/g, '_');
      await fs.writeFile(path.join(opts.outboxDir, `${safe}.json`), JSON.stringify({ to: m.to, message: m.text, reference: m.reference, at: new Date().toISOString() }, null, 2));
      return { id: m.reference };
    },
  };
}
