// A dossier taken through its whole life over the JSON API, as staff would: created by canbo, signed by lanhdao,
// sealed in the first register book and delivered by vanthu, then closed by its workflow once the re-delivery
// window (3 s in the harness) passes, so that its Temporal history is complete and no longer changes.
import { expect } from 'vitest';
import { workflowIdFor } from '../../workflows/messages.js';
import { makePdf, type Harness } from './harness.js';
import { multipart, type apiClient } from './http.js';

type Call = ReturnType<typeof apiClient>['call'];

export async function dossierThroughLife(h: Harness, call: Call, fields: Record<string, string>): Promise<string> {
  const form = multipart({ ...fields, documentType: fields.documentType ?? 'GKS' }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf');
  const created = await call('canbo', 'POST', '/dossiers', { form });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const code = created.body.code as string;
  const books = await call('vanthu', 'GET', '/register-books');
  const bookId = books.body.items?.[0]?.id ?? books.body[0]?.id;
  for (const [user, action, json] of [['lanhdao', 'sign', undefined], ['vanthu', 'seal', { registerBookId: bookId }], ['vanthu', 'deliver', undefined]] as const) {
    const r = await call(user, 'POST', `/dossiers/${encodeURIComponent(code)}/${action}`, json ? { json } : {});
    expect(r.status, `${action}: ${JSON.stringify(r.body)}`).toBe(200);
  }
  await h.client.workflow.getHandle(workflowIdFor(code)).result();
  return code;
}
