// "Kiểm thử phát lại" for testers: uploaded workflow histories replayed against the workflow code this server runs,
// in a child process (`scripts/replay.ts --json`, bundling and replaying never block the web server's event loop),
// one at a time, within a time limit. The verdicts are those `npm run replay` prints.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DomainError } from '../../domain/errors.js';
import type { Actor } from '../../domain/types.js';
import type { ReplayVerdict } from '../../lib/replay.js';
import { assertRole } from '../http/guards.js';
import type { UploadPolicy } from '../http/upload.js';

export const TESTER_ONLY = 'Chỉ người có quyền Kiểm thử được phát lại lịch sử workflow.';
export const MAX_HISTORIES = 10;
const MAX_HISTORY_BYTES = 20 * 1024 * 1024;
const REPLAY_TIMEOUT_MS = 120_000;

/** Up to ten JSON files of at most 20 MB each; the first byte of a Temporal JSON history is '{'. */
export const HISTORY_UPLOAD: UploadPolicy & { maxBytes: number } = {
  maxFiles: MAX_HISTORIES,
  maxBytes: MAX_HISTORY_BYTES,
  headBytes: 1,
  checkHead: (head) => (head.toString('latin1').trim() === '{' || /\s/.test(head.toString('latin1')) ? null
    : new DomainError('bad_file', 'Tệp tải lên không phải lịch sử workflow dạng JSON (xuất bằng "Xuất lịch sử (JSON)" hoặc temporal workflow show -o json).', 'histories')),
  tooLarge: () => new DomainError('too_large', `Mỗi tệp lịch sử tối đa ${MAX_HISTORY_BYTES / 1024 / 1024} MB, tối đa ${MAX_HISTORIES} tệp một lần.`, 'histories'),
};

let running: Promise<unknown> = Promise.resolve();

/** Replays the files (paths of uploaded temporary files with the names people gave them), one run at a time. */
export async function replayUploaded(actor: Actor, files: { tmpPath: string; fileName: string }[]): Promise<ReplayVerdict[]> {
  assertRole(actor, 'tester', TESTER_ONLY);
  if (!files.length) throw new DomainError('validation', 'Vui lòng chọn ít nhất một tệp lịch sử workflow (.json).', 'histories');
  // The child reads files named as people named them, in a folder of its own.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replay-upload-'));
  const named = files.map((f, i) => {
    const safe = `${String(i + 1).padStart(2, '0')}-${path.basename(f.fileName).replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 80) || 'history.json'}`;
    fs.copyFileSync(f.tmpPath, path.join(dir, safe));
    return { path: path.join(dir, safe), name: f.fileName };
  });
  const run = running.then(() => new Promise<ReplayVerdict[]>((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', path.resolve('scripts/replay.ts'), '--json', ...named.map((n) => n.path)], {
      timeout: REPLAY_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8',
    }, (error, stdout) => {
      try {
        const verdicts = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ReplayVerdict[];
        resolve(verdicts.map((v, i) => ({ ...v, name: named[i].name })));
      } catch {
        reject(error?.killed
          ? new DomainError('unavailable', 'Phát lại quá thời gian cho phép (2 phút); vui lòng thử với ít tệp hơn.')
          : new DomainError('unavailable', 'Không chạy được phép phát lại; vui lòng thử lại.'));
      }
    });
  }));
  running = run.catch(() => {});
  try {
    return await run;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
