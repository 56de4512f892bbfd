// The "Kiểm thử phát lại" screen (testers): upload one or more workflow histories (Temporal JSON), see for each
// whether the current workflow code replays it, or where it parts from it. A plain multipart form.
import express, { type Request, type Response } from 'express';
import type { AppDeps } from '../http/deps.js';
import { actorOf, staffOnly } from '../http/guards.js';
import { renderAgainOnRefusal } from '../http/render-again.js';
import { discard, parseFormUpload, UploadRefused, type UploadedFile } from '../http/upload.js';
import { HISTORY_UPLOAD, MAX_HISTORIES, replayUploaded, TESTER_ONLY } from './service.js';

const REPLAY = '/kiem-thu/phat-lai';

export function replayScreens(deps: AppDeps) {
  const r = express.Router();
  const only = staffOnly('tester', TESTER_ONLY);
  const render = (res: Response, more: Record<string, unknown> = {}, status = 200) =>
    res.status(status).render('replay.njk', { title: 'Kiểm thử phát lại', active: REPLAY, maxFiles: MAX_HISTORIES, ...more });

  r.get(REPLAY, ...only, (_req, res) => render(res));
  r.post(REPLAY, ...only, (req: Request, res: Response, next) => {
    let files: UploadedFile[] = [];
    return renderAgainOnRefusal(res, next, async () => {
      try {
        files = (await parseFormUpload(req, deps.storage, 'histories', HISTORY_UPLOAD.maxBytes, HISTORY_UPLOAD)).files;
        const verdicts = await replayUploaded(actorOf(res), files);
        render(res, { verdicts, allOk: verdicts.every((v) => v.ok) });
      } finally {
        for (const f of files) await discard(f);
      }
    }, (status, error, e) => render(res, { error, field: e instanceof UploadRefused ? 'histories' : e.field }, status), ['csrf']);
  });
  return r;
}
