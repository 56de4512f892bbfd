// Staff login and logout screens: GET/POST /dang-nhap, POST /dang-xuat.
import express from 'express';
import { DomainError, HTTP_STATUS } from '../../domain/errors.js';
import type { AppDeps } from '../http/deps.js';
import { localPath } from '../http/local-path.js';
import { endSession, startSession } from '../http/sessions.js';
import { verifyStaffLogin } from './service.js';

export function authScreens(deps: AppDeps) {
  const r = express.Router();
  r.get('/dang-nhap', (req, res) => res.render('login.njk', { title: 'Đăng nhập' }));
  r.post('/dang-nhap', async (req, res, next) => {
    try {
      const a = await verifyStaffLogin(deps.db, deps.throttle, req.ip ?? '', req.body?.username, req.body?.password);
      // A fresh session on login (no fixation); the CSRF token is renewed too.
      await startSession(req, { uid: a.username });
      const nextUrl = localPath(req.query.next) ?? '/';
      res.redirect(303, nextUrl);
    } catch (e) {
      if (e instanceof DomainError) {
        return res.status(HTTP_STATUS[e.code]).render('login.njk', { title: 'Đăng nhập', error: e.message, username: String(req.body?.username ?? '') });
      }
      next(e);
    }
  });
  r.post('/dang-xuat', async (req, res) => { await endSession(req, res); res.redirect(303, '/dang-nhap'); });
  return r;
}
