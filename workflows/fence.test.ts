// The Temporal sandbox fence: workflow code and what it imports may not reach Node, pg, express or
// activity values. Follows every relative import from workflows/ and checks each file's imports.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ALLOWED_PACKAGES = ['@temporalio/workflow', '@temporalio/common'];
const importRe = /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]/gm;

function imports(file: string) {
  const src = fs.readFileSync(file, 'utf8');
  return [...src.matchAll(importRe)].map((m) => ({ typeOnly: Boolean(m[2]), spec: m[3] }));
}

describe('sandbox fence', () => {
  it('workflows/ imports only sandbox-safe code', () => {
    const root = path.resolve('workflows');
    const queue = fs.readdirSync(root).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => path.join(root, f));
    const seen = new Set<string>();
    const problems: string[] = [];
    while (queue.length) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const { typeOnly, spec } of imports(file)) {
        if (typeOnly) continue; // erased at build time
        if (spec.startsWith('.')) {
          const target = path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'));
          const rel = path.relative(process.cwd(), target);
          if (!rel.startsWith('workflows/') && !rel.startsWith('domain/')) problems.push(`${path.relative(process.cwd(), file)} imports ${spec}`);
          queue.push(target);
        } else if (!ALLOWED_PACKAGES.includes(spec)) {
          problems.push(`${path.relative(process.cwd(), file)} imports package ${spec}`);
        }
      }
    }
    expect(seen.size).toBeGreaterThan(3);
    expect(problems).toEqual([]);
  });
});
