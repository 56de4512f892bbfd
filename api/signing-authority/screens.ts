// "Quản trị → Người ký, ký thay": an agency's head and collective body, and the planned delegations (add, revoke).
// Admins of the scope; plain forms (post/redirect/get); a refusal shows the page again with its message.
import express, { type Request, type Response } from 'express';
import { DELEGATION_KIND_LABELS, signingTitle } from '../../domain/signing-authority.js';
import { vnIsoDate } from '../../domain/vn-time.js';
import { ADMIN_ONLY, listAgencies } from '../admin/service.js';
import type { AppDeps } from '../http/deps.js';
import { actorOf, flash, staffOnly } from '../http/guards.js';
import { renderAgainOnRefusal } from '../http/render-again.js';
import { addDelegation, authorityOf, revokeDelegation, setAuthority } from './service.js';

const HOME = '/quan-tri/nguoi-ky';
const page = (code: string) => `${HOME}?coQuan=${encodeURIComponent(code)}`;
const str = (v: unknown) => (typeof v === 'string' ? v : '');

export function signingAuthorityScreens(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;
  const only = staffOnly('admin', ADMIN_ONLY);

  async function render(req: Request, res: Response, code: string, more: Record<string, unknown> = {}, status = 200) {
    const actor = actorOf(res);
    const a = await authorityOf(db, actor, code);
    const head = a.signers.find((s) => s.username === a.headUsername) ?? null;
    const authority = { head: head && { username: head.username, title: head.title }, collective: a.collective };
    // How each signer's block reads today: what the attestation prints.
    const examples = a.signers.map((s) => ({ name: s.full_name, lines: signingTitle(authority, { username: s.username, title: s.title }, null).split('\n') }));
    const agencies = (await listAgencies(db, actor)).map((x) => ({ code: x.code, label: `${'— '.repeat(x.depth)}${x.name}` }));
    res.status(status).render('admin-signing-authority.njk', {
      title: 'Người ký, ký thay', section: 'Quản trị', active: HOME, a, agencies, examples, kinds: DELEGATION_KIND_LABELS, today: vnIsoDate(new Date()), form: {}, ...more,
    });
  }

  r.get(HOME, ...only, async (req, res, next) => {
    try { await render(req, res, str(req.query.coQuan) || actorOf(res).agencyCode); } catch (e) { next(e); }
  });
  r.post(HOME, ...only, (req, res, next) => {
    const code = str(req.body?.agencyCode);
    return renderAgainOnRefusal(res, next, async () => {
      await setAuthority(db, actorOf(res), code, { headUsername: str(req.body?.headUsername), collective: str(req.body?.collective) });
      flash(req, 'Đã lưu người ký của cơ quan.');
      res.redirect(303, page(code));
    }, (status, error) => render(req, res, code, { error }, status), ['not_found', 'forbidden']);
  });
  r.post(`${HOME}/ky-thay`, ...only, (req, res, next) => {
    const code = str(req.body?.agencyCode);
    const form = { deputyUsername: str(req.body?.deputyUsername), kind: str(req.body?.kind), fromDay: str(req.body?.fromDay), toDay: str(req.body?.toDay), note: str(req.body?.note) };
    return renderAgainOnRefusal(res, next, async () => {
      await addDelegation(db, actorOf(res), code, form);
      flash(req, 'Đã phân công ký thay.');
      res.redirect(303, page(code));
    }, (status, error, e) => render(req, res, code, { error, field: e.field, form }, status), ['not_found', 'forbidden']);
  });
  r.post(`${HOME}/ky-thay/:id/thu-hoi`, ...only, async (req, res, next) => {
    try {
      const d = await revokeDelegation(db, actorOf(res), /^\d{1,10}$/.test(str(req.params.id)) ? Number(req.params.id) : -1);
      flash(req, `Đã thu hồi phân công ký thay của ${d.deputy_name}.`);
      res.redirect(303, page(d.agency_code));
    } catch (e) { next(e); }
  });
  return r;
}
