// npm run profile:summary -- <PROFILE_DIR> [<dossiers>]: where the worker's and the web server's CPU went, from the
// V8 CPU profiles `PROFILE_DIR=<dir> npm start` writes when the stack stops (scripts/stack.ts), e.g. around one
// `npm run bench:lifecycle`. Each sample is put in one kind of work by the frames on its stack (the first rule that
// matches, in the order below), summed over each process's threads; with <dossiers>, also per dossier. Start-up
// (loading modules, bundling the workflows) is its own line, so that per-dossier figures can leave it out. V8 samples
// a thread whether or not it has a core, so on a busy machine the seconds are wall time spent running or waiting to
// run; the shares between kinds are what to read.
import fs from 'node:fs';
import path from 'node:path';

type Frame = { functionName: string; url: string };
type Node = { id: number; callFrame: Frame; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

const KINDS: [string, (urls: string, names: string, top: Frame) => boolean][] = [
  // A thread waiting: for events, or a worker pool's thread for its next task.
  ['idle', (_u, _n, top) => top.functionName === '(idle)' || top.functionName === 'atomicsWaitLoop'],
  ['start-up (modules, workflow bundle)', (u) => /node:internal\/modules|\/webpack\/|\/tsx\/|swc|source-map-loader/.test(u)],
  ['garbage collection', (_u, _n, top) => top.functionName === '(garbage collector)'],
  ['workflow code (sandbox)', (u, n) => /workflow-bundle|evalmachine/.test(u) || /runInContext/.test(n)],
  ['ASN.1 and CMS (asn1js, pkijs, @peculiar)', (u) => /asn1js|pkijs|@peculiar|pvtsutils|activities\/pdf\/der\.ts/.test(u)],
  ['PDF parse and write (pdf-lib, pako, fontkit)', (u) => /pdf-lib|pako|fontkit/.test(u)],
  ['RSA, hashes (node:crypto, node-forge)', (u) => /node:internal\/crypto|node-forge/.test(u)],
  ['OCSP, CRL, TSA requests', (u) => /undici|revocation\.ts|tsa\.ts/.test(u)],
  ['payload encryption', (u) => /payload-codec/.test(u)],
  ['Temporal SDK (protobuf, core bridge)', (u) => /@temporalio|protobufjs|rxjs/.test(u)],
  ['PostgreSQL client (kysely, pg)', (u) => /kysely|\/pg\/|pg-protocol|pg-pool/.test(u)],
  ['HTTP server (express, busboy, nunjucks)', (u) => /express|router|busboy|nunjucks|body-parser|helmet|session/.test(u)],
  ['files and sockets', (_u, n) => /write|read|open|close|fstat|Socket/.test(n)],
  ['other', () => true],
];

function kindsOf(p: Profile): Map<string, number> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const kindOfNode = new Map<number, string>();
  const out = new Map<string, number>();
  p.samples.forEach((id, i) => {
    let kind = kindOfNode.get(id);
    if (!kind) {
      const frames: Frame[] = [];
      for (let x: number | undefined = id; x !== undefined && byId.has(x); x = parent.get(x)) frames.push(byId.get(x)!.callFrame);
      const urls = frames.map((f) => f.url).join(' ');
      const names = frames.map((f) => f.functionName).join(' ');
      kind = KINDS.find(([, test]) => test(urls, names, frames[0]))![0];
      kindOfNode.set(id, kind);
    }
    out.set(kind, (out.get(kind) ?? 0) + (p.timeDeltas[i] ?? 0) / 1e6);
  });
  return out;
}

const dir = process.argv[2];
const dossiers = process.argv[3] ? Number(process.argv[3]) : null;
if (!dir || !fs.existsSync(dir)) throw new Error('usage: npm run profile:summary -- <PROFILE_DIR> [<dossiers>]');
for (const proc of fs.readdirSync(dir).filter((d) => fs.statSync(path.join(dir, d)).isDirectory()).sort()) {
  const files = fs.readdirSync(path.join(dir, proc)).filter((f) => f.endsWith('.cpuprofile'));
  if (!files.length) continue;
  const total = new Map<string, number>();
  for (const f of files) {
    for (const [k, s] of kindsOf(JSON.parse(fs.readFileSync(path.join(dir, proc, f), 'utf8')))) total.set(k, (total.get(k) ?? 0) + s);
  }
  const busy = [...total].filter(([k]) => k !== 'idle' && !k.startsWith('start-up')).reduce((n, [, s]) => n + s, 0);
  const startup = [...total].find(([k]) => k.startsWith('start-up'))?.[1] ?? 0;
  console.log(`${proc}: ${busy.toFixed(1)} s of JavaScript CPU after start-up (${startup.toFixed(1)} s start-up), ${files.length} thread(s)${dossiers ? `, ${(1000 * busy / dossiers).toFixed(0)} ms per dossier` : ''}`);
  for (const [k, s] of [...total].filter(([k]) => k !== 'idle' && !k.startsWith('start-up')).sort((a, b) => b[1] - a[1])) {
    console.log(`  ${k.padEnd(46)} ${s.toFixed(2).padStart(7)} s ${(100 * s / busy).toFixed(0).padStart(3)} %${dossiers ? `  ${(1000 * s / dossiers).toFixed(1).padStart(6)} ms/dossier` : ''}`);
  }
}
