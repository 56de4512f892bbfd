// The latest published template of a kind (domain/templates.ts), read where it is used: by the signing activities at
// signing time (never by workflow code) and, re-exported by api/templates/queries.ts, by the web app.
import { FIRST_VERSIONS, parseTemplate, type TemplateBody, type TemplateKind } from '../domain/templates.js';
import type { Db } from '../lib/db.js';

export interface PublishedTemplate<K extends TemplateKind = TemplateKind> { kind: K; version: number; body: TemplateBody<K> }

export async function latestTemplate<K extends TemplateKind>(db: Db, kind: K): Promise<PublishedTemplate<K>> {
  const r = await db.selectFrom('templates').select(['version', 'body']).where('kind', '=', kind)
    .orderBy('version', 'desc').limit(1).executeTakeFirst();
  // The migration seeds version 1; without a row the product's own first version applies.
  if (!r) return { kind, version: 1, body: FIRST_VERSIONS[kind] };
  return { kind, version: r.version, body: parseTemplate(kind, r.body) };
}
