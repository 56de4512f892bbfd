// "Ký số / đóng dấu các hồ sơ đã chọn" from the queues (Bản sao chờ ký, Bản sao chờ đóng dấu: a checkbox per row),
// then the batch's page: a progress bar and each dossier's result, refreshed by htmx every second until it is done
// (without JavaScript, by the page's own refresh).
import express from 'express';
import { BATCH_KIND_LABELS, batchProgress } from '../../domain/batch.js';
import { DomainError } from '../../domain/errors.js';
import type { AppDeps } from '../http/deps.js';
import { actorOf, flash, needLogin } from '../http/guards.js';
import { parse } from '../http/schemas.js';
import { batchBody } from './schemas.js';
import { BatchService } from './service.js';

const QUEUES = { sign: '/ho-so/cho-ky', seal: '/ho-so/cho-dong-dau' } as const;

export function batchScreens(deps: AppDeps) {
  const r = express.Router();
  const batches = new BatchService(deps.db, deps.temporal, deps.config.taskQueue);

  r.post('/ho-so/hang-loat', needLogin, async (req, res, next) => {
    const kind = req.body?.kind === 'seal' ? 'seal' : 'sign';
    try {
      const b = parse(batchBody, { ...req.body, codes: req.body?.code });
      const state = await batches.start(actorOf(res), b, String(req.body?._key ?? ''));
      res.redirect(303, `/ho-so/hang-loat/${state.id}`);
    } catch (e) {
      // A refusal goes back to the queue, which says why; nothing was started.
      if (e instanceof DomainError && e.code !== 'unavailable') { flash(req, e.message); return res.redirect(303, QUEUES[kind]); }
      next(e);
    }
  });

  r.get('/ho-so/hang-loat/:id', needLogin, async (req, res, next) => {
    try {
      const batch = await batches.get(actorOf(res), String(req.params.id));
      const progress = batchProgress(batch);
      res.set('Vary', 'HX-Request');
      res.render('batch.njk', {
        title: BATCH_KIND_LABELS[batch.kind], active: QUEUES[batch.kind], batch, progress, queue: QUEUES[batch.kind],
        percent: progress.total ? Math.round(((progress.done + progress.failed) / progress.total) * 100) : 100,
      });
    } catch (e) { next(e); }
  });
  return r;
}
