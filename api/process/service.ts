// The use cases of process definitions ("Cấu hình quy trình"): the process an agency's new dossiers start under
// (its latest published version, else the built-in one), its versions, and publishing a new version. Versions are
// immutable: publishing makes version N+1 and changes only dossiers created afterwards (each dossier pins its
// version in its workflow input). Reading and publishing need the admin role and the agency in the actor's scope
// (404 outside it); every publication is recorded in the admin audit in the same transaction.
import { checkProcess, DEFAULT_PROCESS, sameProcess, type ProcessDefinition } from '../../domain/process.js';
import { DomainError } from '../../domain/errors.js';
import type { Actor } from '../../domain/types.js';
import type { Db } from '../../lib/db.js';
import { getAgency, listAgencies, recordedChange } from '../admin/service.js';
import * as q from './queries.js';

export type AgencyProcess = ProcessDefinition & { agencyCode: string };

export interface ProcessVersionView extends AgencyProcess {
  publishedBy: string | null;
  publishedByName: string | null;
  publishedAt: string | null;
}

const definitionOf = (agencyCode: string, version: number, d: unknown): AgencyProcess => {
  const body = d as Omit<ProcessDefinition, 'version'>;
  // jsonb keeps keys in its own order: each step is rebuilt in the order the API writes it.
  const steps = body.steps.map((s) => ({ step: s.step, role: s.role, ...(s.label ? { label: s.label } : {}) }));
  return { agencyCode, version, steps, separationOfDuties: body.separationOfDuties, autoDeliver: body.autoDeliver };
};

/** The process a new dossier of the agency starts under (no actor: the dossier's creation and the menus ask). */
export async function currentProcess(db: Db, agencyCode: string): Promise<AgencyProcess> {
  const row = await q.latestDefinition(db, agencyCode);
  return row ? definitionOf(agencyCode, row.version, row.definition) : { ...structuredClone(DEFAULT_PROCESS), agencyCode };
}

/** The agency's current process with its history of versions (newest first). */
export async function getProcess(db: Db, actor: Actor, agencyCode: string): Promise<AgencyProcess & { versions: ProcessVersionView[] }> {
  const agency = await getAgency(db, actor, agencyCode);
  const versions = (await q.definitionVersions(db, agency.code)).map((r): ProcessVersionView => ({
    ...definitionOf(agency.code, r.version, r.definition),
    publishedBy: r.published_by, publishedByName: r.published_by_name, publishedAt: new Date(r.published_at).toISOString(),
  }));
  const current = versions[0] ?? { ...structuredClone(DEFAULT_PROCESS), agencyCode: agency.code };
  const { agencyCode: code, version, steps, separationOfDuties, autoDeliver } = current;
  return { agencyCode: code, version, steps, separationOfDuties, autoDeliver, versions };
}

/** One published version (the dossier page names it; a supervisor reads what an old dossier ran under). */
export async function getProcessVersion(db: Db, actor: Actor, agencyCode: string, version: number): Promise<AgencyProcess> {
  const agency = await getAgency(db, actor, agencyCode);
  if (version === 0) return { ...structuredClone(DEFAULT_PROCESS), agencyCode: agency.code };
  const row = await q.definitionAt(db, agency.code, version);
  if (!row) throw new DomainError('not_found', `Quy trình của “${agency.name}” không có phiên bản ${version}.`);
  return definitionOf(agency.code, row.version, row.definition);
}

/** Publishes a new version of the agency's process: checked, numbered N+1, recorded. The same as the latest: 409. */
export async function publishProcess(db: Db, actor: Actor, agencyCode: string, body: unknown): Promise<AgencyProcess> {
  const agency = await getAgency(db, actor, agencyCode);
  if (!agency.active) throw new DomainError('wrong_state', `“${agency.name}” đã ngừng hoạt động: không ban hành quy trình mới được.`);
  const definition = checkProcess(body);
  return recordedChange(db, actor, async (trx) => {
    await q.lockAgencyProcess(trx, agency.code);
    const latest = await q.latestDefinition(trx, agency.code);
    const before = latest ? definitionOf(agency.code, latest.version, latest.definition) : null;
    if (sameProcess(definition, before ?? DEFAULT_PROCESS)) {
      throw new DomainError('conflict', `Quy trình gửi lên giống hệt phiên bản đang áp dụng (${before ? `phiên bản ${before.version}` : 'quy trình mặc định'}): không ban hành phiên bản mới.`);
    }
    const version = (latest?.version ?? 0) + 1;
    await q.insertDefinition(trx, agency.code, version, definition, actor.username);
    const after: AgencyProcess = { agencyCode: agency.code, version, ...definition };
    return { value: after, agencyCode: agency.code, event: { entity: 'process', entityId: agency.code, action: 'published', before, after } };
  });
}

/** The scope's agencies with the version their new dossiers start under (0: the built-in process). */
export async function processOverview(db: Db, actor: Actor) {
  const agencies = await listAgencies(db, actor);
  const versions = await q.latestVersions(db, agencies.map((a) => a.code));
  return agencies.map((a) => ({ ...a, processVersion: versions.get(a.code) ?? 0 }));
}
