// Benchmark of signing and sealing in one action (api/batches/, workflows/batch.ts) over the HTTP API, against the
// stack `npm start` runs (BASE_URL, default http://localhost:3000; demo users). Creates N one-page dossiers (not
// timed), then times one batch signature of all of them and one batch seal, from the request to the last result,
// and checks every number: each signed once, the seals numbered continuously in the chosen order.
// Run: npm run bench:batch   (BENCH_DOSSIERS, default 100)
import { makePdf } from '../lib/testing/harness.js';
import { benchClient } from './bench-client.js';

const BASE = (process.env.BASE_URL ?? 'http://localhost:3000').replace(/\/$/, '');
const N = Number(process.env.BENCH_DOSSIERS ?? 100);

const { token, api } = benchClient();

const [clerk, leader, sealer] = [await token('canbo'), await token('lanhdao'), await token('vanthu')];
const pdf = await makePdf(1);
const codes: string[] = [];
for (let i = 0; i < N; i += 10) {
  codes.push(...await Promise.all(Array.from({ length: Math.min(10, N - i) }, async () => {
    const f = new FormData();
    for (const [k, v] of Object.entries({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' })) f.append(k, v);
    f.append('scan', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'scan.pdf');
    return (await api(clerk, 'POST', '/dossiers', f)).code as string;
  })));
}
console.log(`created ${codes.length} one-page dossiers (not timed)`);

async function timed(tok: string, body: unknown): Promise<{ seconds: number; batch: any }> {
  const t0 = performance.now();
  const started = await api(tok, 'POST', '/batches', body, { 'idempotency-key': crypto.randomUUID() });
  for (;;) {
    const b = await api(tok, 'GET', `/batches/${started.id}`);
    if (b.progress.finished) return { seconds: (performance.now() - t0) / 1000, batch: b };
    await new Promise((r) => setTimeout(r, 200));
  }
}

const signed = await timed(leader, { kind: 'sign', codes });
if (signed.batch.progress.done !== N) throw new Error(`signed ${signed.batch.progress.done} of ${N}: ${JSON.stringify(signed.batch.items.filter((i: any) => i.status !== 'done').slice(0, 3))}`);
const books = await api(sealer, 'GET', '/register-books');
const book = books.find((b: any) => !(b.closedAt ?? b.closed_at));
const sealed = await timed(sealer, { kind: 'seal', codes, registerBookId: book.id });
const numbers = sealed.batch.items.map((i: any) => Number.parseInt(i.certificationNumber, 10));
const continuous = sealed.batch.progress.done === N && numbers.every((n: number, i: number) => i === 0 || n === numbers[i - 1] + 1);
if (!continuous) throw new Error(`seals: ${sealed.batch.progress.done} of ${N}, numbers ${numbers.slice(0, 5)}…`);
for (const code of codes.slice(0, 5)) {
  const d = await api(clerk, 'GET', `/dossiers/${encodeURIComponent(code)}`);
  if (d.history.filter((h: any) => h.action === 'sign').length !== 1) throw new Error(`${code} signed ${d.history.filter((h: any) => h.action === 'sign').length} times`);
}
const f = (x: number) => x.toFixed(1);
console.log(`batch: ${N} one-page dossiers signed in one action in ${f(signed.seconds)} s (${f(N / signed.seconds)}/s); sealed in one action in ${f(sealed.seconds)} s (${f(N / sealed.seconds)}/s); numbers ${numbers[0]}–${numbers[N - 1]} continuous`);
