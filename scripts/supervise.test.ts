// The supervisor of `npm start` (scripts/stack.ts): a process that dies is started again after a backoff, with a
// log line, and stop() ends everything without starting anything again.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../lib/testing/time.js';
import { restartDelay, Supervisor, type RestartPolicy, type Service } from './supervise.js';

const POLICY: RestartPolicy = { firstDelayMs: 1000, maxDelayMs: 30_000, stableAfterMs: 60_000 };

describe('restartDelay', () => {
  it('waits a moment before the first restart, twice as long each time a process dies at once, up to the maximum', () => {
    const delays: number[] = [];
    let d: number | null = null;
    for (let i = 0; i < 8; i++) { d = restartDelay(d, 200, POLICY); delays.push(d); }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('is back to the first delay after a run that lasted', () => {
    expect(restartDelay(30_000, 60_000, POLICY)).toBe(1000);
    expect(restartDelay(30_000, 59_000, POLICY)).toBe(30_000);
  });
});

describe('Supervisor', () => {
  const dirs: string[] = [];
  let supervisor: Supervisor | null = null;
  afterEach(async () => {
    await supervisor?.stop();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  /** A node process that exits with code 3 on its first `failures` runs, and then stays up; each run leaves a line. */
  function flaky(name: string, failures: number) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctdt-supervise-'));
    dirs.push(dir);
    const runs = path.join(dir, 'runs');
    const script = `const fs = require('fs'); fs.appendFileSync(${JSON.stringify(runs)}, process.pid + '\\n');
      if (fs.readFileSync(${JSON.stringify(runs)}, 'utf8').trim().split('\\n').length <= ${failures}) process.exit(3);
      setInterval(() => {}, 1000);`;
    const children: ChildProcess[] = [];
    const service: Service = {
      name,
      start: () => new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
        children.push(child);
        child.once('spawn', () => resolve(child));
        child.once('error', reject);
      }),
    };
    return { service, children, runs: () => (fs.existsSync(runs) ? fs.readFileSync(runs, 'utf8').trim().split('\n').length : 0) };
  }

  const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

  it('starts a process that died again, with a log line, and the others keep running', async () => {
    const lines: string[] = [];
    supervisor = new Supervisor({ firstDelayMs: 50, maxDelayMs: 200, stableAfterMs: 60_000 }, (l) => lines.push(l));
    const web = flaky('web', 2);
    const steady = flaky('worker', 0);
    await supervisor.add(steady.service);
    await supervisor.add(web.service);

    await eventually(() => web.runs(), (n) => n === 3, 'web running a third time', 10_000);
    expect(web.children).toHaveLength(3);
    expect(alive(web.children[2])).toBe(true);
    expect(lines.filter((l) => l.startsWith('web exited (code 3); starting it again in'))).toHaveLength(2);
    expect(lines).toContain('web started again');
    // The one that did not die was left alone.
    expect(steady.children).toHaveLength(1);
    expect(alive(steady.children[0])).toBe(true);
  });

  it('tries again a start that fails (as PostgreSQL does while a killed server\'s backends linger)', async () => {
    const lines: string[] = [];
    supervisor = new Supervisor({ firstDelayMs: 50, maxDelayMs: 200, stableAfterMs: 60_000 }, (l) => lines.push(l));
    const db = flaky('postgres', 0);
    let failures = 0;
    await supervisor.add({
      name: 'postgres',
      start: async () => {
        if (failures > 0) { failures--; throw new Error('shared memory still in use'); }
        return db.service.start();
      },
    });
    await eventually(() => db.runs(), (n) => n === 1, 'postgres running');
    failures = 2;
    db.children[0].kill('SIGKILL');

    await eventually(() => db.runs(), (n) => n === 2, 'postgres running again', 10_000);
    expect(db.children).toHaveLength(2);
    expect(alive(db.children[1])).toBe(true);
    expect(lines[0]).toMatch(/^postgres exited \(SIGKILL\); starting it again in/);
    expect(lines.filter((l) => l.startsWith('postgres did not start (shared memory still in use); trying again in'))).toHaveLength(2);
  });

  it('stop() ends every process and starts nothing again', async () => {
    supervisor = new Supervisor({ firstDelayMs: 50, maxDelayMs: 50, stableAfterMs: 60_000 }, () => {});
    const steady = flaky('worker', 0);
    const dying = flaky('web', 1000);
    await supervisor.add(steady.service);
    await supervisor.add(dying.service);
    await eventually(() => dying.children.length, (n) => n >= 3, 'web restarted a few times', 10_000);

    await supervisor.stop();
    const all = () => [...steady.children, ...dying.children];
    expect(all().every((c) => !alive(c))).toBe(true);
    const count = all().length;
    await new Promise((r) => setTimeout(r, 300)); // several restart delays
    expect(all()).toHaveLength(count);
  });
});
