// JSON API of accounts, mounted inside /api/v1 after the bearer-token check (res.locals.actor is the acting user):
// /admin/users (the accounts of the actor's scope, create), /admin/users/{username} (read, edit, roles,
// deactivate, reset the password), and POST /auth/password (the user's own change, the one route open to a user
// who must change the password; every older token and session of the user ends, the answer carries a new token). Role and scope are checked by the service: 403 without the admin role, 404 for a
// user or agency outside the scope.
import express from 'express';
import { issueToken } from '../auth/service.js';
import type { AppDeps } from '../http/deps.js';
import { actorOf } from '../http/guards.js';
import { parse } from '../http/schemas.js';
import { passwordChange, userBody, userListQuery, userParams, userPatch } from './schemas.js';
import { changeOwnPassword, createUser, getUser, listUsers, updateUser } from './service.js';

export function accountJson(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;

  r.get('/admin/users', async (req, res, next) => {
    try { res.json(await listUsers(db, actorOf(res), { agencyCode: parse(userListQuery, req.query).agencyCode || undefined })); } catch (e) { next(e); }
  });
  r.post('/admin/users', async (req, res, next) => {
    try {
      const b = parse(userBody, req.body ?? {});
      res.status(201).json(await createUser(db, actorOf(res), { ...b, agencyCode: b.agencyCode || undefined }));
    } catch (e) { next(e); }
  });
  r.get('/admin/users/:username', async (req, res, next) => {
    try { res.json(await getUser(db, actorOf(res), parse(userParams, req.params).username)); } catch (e) { next(e); }
  });
  r.patch('/admin/users/:username', async (req, res, next) => {
    try {
      const { username } = parse(userParams, req.params);
      res.json(await updateUser(db, actorOf(res), username, parse(userPatch, req.body ?? {})));
    } catch (e) { next(e); }
  });

  r.post('/auth/password', async (req, res, next) => {
    try {
      const { currentPassword, newPassword } = parse(passwordChange, req.body ?? {});
      const actor = actorOf(res);
      await changeOwnPassword(db, actor.username, currentPassword, newPassword);
      // Every token made with the old password has ended, this one too: the answer carries its successor.
      res.json({ token: await issueToken(db, deps.config.sessionSecret, actor.username, undefined, actor.agencyCode), expiresIn: 12 * 3600 });
    } catch (e) { next(e); }
  });
  return r;
}
