// JSON API of who signs for an agency (admins of its scope): GET|PUT /admin/agencies/{code}/signing-authority,
// POST /admin/agencies/{code}/delegations, POST /admin/delegations/{id}/revoke.
import express from 'express';
import type { AppDeps } from '../http/deps.js';
import { actorOf } from '../http/guards.js';
import { addDelegation, authorityOf, revokeDelegation, setAuthority } from './service.js';

const id = (raw: unknown) => (typeof raw === 'string' && /^\d{1,10}$/.test(raw) ? Number(raw) : -1);
type Authority = Awaited<ReturnType<typeof authorityOf>>;
type Delegation = Authority['delegations'][number];
const delegationJson = (d: Delegation) => ({
  id: d.id, agencyCode: d.agency_code, deputyUsername: d.deputy_username, deputyName: d.deputy_name, kind: d.kind, fromDay: d.from_day, toDay: d.to_day,
  note: d.note, createdBy: d.created_by, createdAt: d.created_at, revokedAt: d.revoked_at, revokedBy: d.revoked_by,
});
const authorityJson = (a: Authority) => ({
  agencyCode: a.agency.code, headUsername: a.headUsername, collective: a.collective,
  signers: a.signers.map((s) => ({ username: s.username, fullName: s.full_name, title: s.title })), delegations: a.delegations.map(delegationJson),
});

export function signingAuthorityJson(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;
  r.get('/admin/agencies/:code/signing-authority', async (req, res, next) => {
    try { res.json(authorityJson(await authorityOf(db, actorOf(res), String(req.params.code)))); } catch (e) { next(e); }
  });
  r.put('/admin/agencies/:code/signing-authority', async (req, res, next) => {
    try { res.json(authorityJson(await setAuthority(db, actorOf(res), String(req.params.code), { headUsername: req.body?.headUsername, collective: req.body?.collective }))); } catch (e) { next(e); }
  });
  r.post('/admin/agencies/:code/delegations', async (req, res, next) => {
    try {
      const b = req.body ?? {};
      res.status(201).json(delegationJson(await addDelegation(db, actorOf(res), String(req.params.code), { deputyUsername: b.deputyUsername, kind: b.kind, fromDay: b.fromDay, toDay: b.toDay, note: b.note })));
    } catch (e) { next(e); }
  });
  r.post('/admin/delegations/:id/revoke', async (req, res, next) => {
    try { res.json(delegationJson(await revokeDelegation(db, actorOf(res), id(req.params.id)))); } catch (e) { next(e); }
  });
  return r;
}
