// The rooms of the code and what each may import (docs/ARCHITECTURE.md). Reads every source file's imports
// (static, re-exports and dynamic import()) and checks them against the rules; the sandbox fence of
// workflows/ has its own, stricter check (workflows/fence.test.ts). Tests and test support are not checked:
// a test may reach whatever it needs to set up its world.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = process.cwd();
const SKIP_DIRS = new Set(['node_modules', '.data', '.git', 'docs', 'views']);
const importRe = /^\s*(?:import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

interface Import { from: string; to: string; typeOnly: boolean; ours: boolean }

function sourceFiles(dir = ROOT): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return SKIP_DIRS.has(e.name) ? [] : sourceFiles(path.join(dir, e.name));
    return /\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.test.ts') ? [path.join(dir, e.name)] : [];
  });
}

function importsOf(file: string): Import[] {
  const src = fs.readFileSync(file, 'utf8');
  const from = path.relative(ROOT, file);
  return [...src.matchAll(importRe)].flatMap((m): Import[] => {
    const spec = m[2] ?? m[3];
    if (!spec.startsWith('.')) return [{ from, to: spec, typeOnly: Boolean(m[1]), ours: false }];
    const to = path.relative(ROOT, path.resolve(path.dirname(file), spec)).replace(/\.js$/, '.ts');
    return [{ from, to, typeOnly: Boolean(m[1]), ours: true }];
  });
}

const room = (p: string) => p.split('/')[0];
/** api/<feature>/... → feature; api/http/... → 'http'; api/app.ts etc. → null (composition). */
const apiPart = (p: string) => (p.startsWith('api/') && p.split('/').length > 2 ? p.split('/')[1] : null);

/** Files at the top of api/: the composition of the web app only. */
const API_TOP = new Set(['api/app.ts', 'api/openapi.ts', 'api/shell.ts', 'api/json.ts']);

const all = sourceFiles().flatMap(importsOf);
const ours = all.filter((i) => i.ours);

function broken(rule: (i: Import) => boolean) {
  return ours.filter(rule).map((i) => `${i.from} imports ${i.to}${i.typeOnly ? ' (type)' : ''}`);
}

describe('import rules (docs/ARCHITECTURE.md)', () => {
  it('sees the code: many files and imports', () => {
    expect(new Set(all.map((i) => i.from)).size).toBeGreaterThan(60);
    expect(ours.length).toBeGreaterThan(200);
  });

  it('domain/ imports nothing of ours outside domain/, and no Node API', () => {
    expect(broken((i) => room(i.from) === 'domain' && room(i.to) !== 'domain')).toEqual([]);
    expect(all.filter((i) => room(i.from) === 'domain' && i.to.startsWith('node:')).map((i) => `${i.from} imports ${i.to}`)).toEqual([]);
  });

  it('migrations/ are frozen: they import nothing of ours but each other', () => {
    expect(broken((i) => room(i.from) === 'migrations' && room(i.to) !== 'migrations')).toEqual([]);
  });

  it('activities/ never import api/, the composition roots or scripts/', () => {
    expect(broken((i) => room(i.from) === 'activities' && ['api', 'server.ts', 'worker.ts', 'scripts'].includes(room(i.to)))).toEqual([]);
  });

  it('lib/ (outside its test support) imports no room above it', () => {
    expect(broken((i) => room(i.from) === 'lib' && !i.from.startsWith('lib/testing/') && ['api', 'activities', 'workflows', 'server.ts', 'worker.ts', 'scripts'].includes(room(i.to)))).toEqual([]);
  });

  it('nobody but the test support imports the composition roots server.ts and worker.ts', () => {
    expect(broken((i) => (i.to === 'server.ts' || i.to === 'worker.ts') && !i.from.startsWith('lib/testing/'))).toEqual([]);
  });

  it('the top of api/ holds only the composition of the web app; everything else sits in api/http/ or a feature folder', () => {
    const top = sourceFiles(path.join(ROOT, 'api')).map((f) => path.relative(ROOT, f)).filter((f) => f.split('/').length === 2);
    expect(top.filter((f) => !API_TOP.has(f))).toEqual([]);
  });

  it('api/http/ (shared by every router) imports no feature, except the service types that AppDeps names', () => {
    expect(broken((i) => apiPart(i.from) === 'http' && room(i.to) === 'api' && apiPart(i.to) !== 'http'
      && !(i.from === 'api/http/deps.ts' && i.typeOnly && i.to.endsWith('/service.ts')))).toEqual([]);
  });

  it('a feature imports another feature only through its service.ts', () => {
    expect(broken((i) => {
      const a = apiPart(i.from); const b = apiPart(i.to);
      return a !== null && a !== 'http' && b !== null && b !== 'http' && a !== b && !i.to.endsWith('/service.ts');
    })).toEqual([]);
  });

  it('only the composition (api/app.ts and its neighbours) mounts the features: no feature imports the top of api/', () => {
    expect(broken((i) => apiPart(i.from) !== null && room(i.to) === 'api' && apiPart(i.to) === null && !i.typeOnly)).toEqual([]);
  });
});
