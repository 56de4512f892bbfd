// An independent Cloud Signature Consortium API server for tests: certomancer-csc-dummy (PyPI) serving the
// certificates of a running certomancer (lib/testing/certomancer.ts: same config, same keys, same URLs, so its
// certificates are the Animator's and their OCSP/CRL answer), behind a gate of ours that asks for a bearer token
// (the dummy authenticates nothing; the gate's /oauth2/token gives it for OAuth2 client credentials) and can play
// the service being down.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { CERTOMANCER_CONFIG, freePort, type Certomancer } from './certomancer.js';
import { padesVenv } from './pades.js';

export interface CscDummy {
  /** The API base our client is given (the dummy speaks CSC v1 paths, /csc/v1). */
  url: string;
  /** The bearer token the gate wants. */
  token: string;
  /** OAuth2 client credentials the gate's token endpoint (tokenUrl) exchanges for that token. */
  oauth2: { tokenUrl: string; clientId: string; clientSecret: string };
  /** The credential of certomancer's leader certificate ("Tran Van Anh"). */
  leaderCredential: string;
  /** While true, the gate cuts every connection (the service down). */
  down: boolean;
  /** Requests cut while down. */
  refused: number;
  stop(): Promise<void>;
}

const CLIENT = { id: 'ctdt-test', secret: 'ctdt-test-secret' };

export async function startCscDummy(trust: Certomancer, opts: { token?: string } = {}): Promise<CscDummy> {
  const port = await freePort();
  // Beside the keys (certomancer resolves key paths under the config's folder only).
  const config = path.join(trust.keyRoot, `csc-dummy-${port}.yml`);
  fs.writeFileSync(config, fs.readFileSync(CERTOMANCER_CONFIG, 'utf8').replace(/^external-url-prefix: .*$/m, `external-url-prefix: "${trust.url}"`));
  const child: ChildProcess = spawn(path.join(padesVenv(), 'bin/certomancer-csc'), [config, String(port), '2'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const upstream = `http://localhost:${port}`;

  const state = { down: false, refused: 0 };
  const token = opts.token ?? 'csc-test-token';
  const gate = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (state.down) { state.refused++; return void req.socket.destroy(); }
    if (req.url === '/oauth2/token') {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const ok = form.get('grant_type') === 'client_credentials' && req.headers.authorization === `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`;
      return void res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' })
        .end(JSON.stringify(ok ? { access_token: token, token_type: 'Bearer', expires_in: 3600 } : { error: 'invalid_client' }));
    }
    if (req.headers.authorization !== `Bearer ${token}`) {
      return void res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'invalid_token', error_description: 'The access token is not valid' }));
    }
    const up = await fetch(upstream + req.url, { method: req.method, headers: { 'Content-Type': 'application/json' }, body: req.method === 'POST' ? new Uint8Array(Buffer.concat(chunks)) : undefined })
      .catch(() => null);
    if (!up) return void res.writeHead(502).end();
    res.writeHead(up.status, { 'Content-Type': up.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await up.arrayBuffer()));
  });
  await new Promise<void>((r) => gate.listen(0, '127.0.0.1', r));
  const gateUrl = `http://127.0.0.1:${(gate.address() as { port: number }).port}`;

  const stop = async () => {
    await new Promise((r) => gate.close(r));
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    fs.rmSync(config, { force: true });
  };
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`certomancer-csc exited (${child.exitCode}): ${stderr}`);
    }
    const res = await fetch(`${upstream}/info`).catch(() => null);
    if (res?.ok) break;
    if (Date.now() > until) {
      await stop();
      throw new Error(`certomancer-csc did not answer on ${upstream} within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: `${gateUrl}/csc/v1`, token, leaderCredential: 'trust/leader',
    oauth2: { tokenUrl: `${gateUrl}/oauth2/token`, clientId: CLIENT.id, clientSecret: CLIENT.secret },
    get down() { return state.down; }, set down(v: boolean) { state.down = v; },
    get refused() { return state.refused; }, set refused(v: number) { state.refused = v; },
    stop,
  };
}
