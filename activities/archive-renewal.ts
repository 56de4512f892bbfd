// Archival renewal of issued e-copies (PAdES B-LTA, ETSI EN 319 142-1 §5.5): which are due (their last document
// timestamp's TSA certificate expires within the margin, or its algorithm is weak), and one renewal step: fresh
// validation data, a new document timestamp and its chain's data, appended to the current version and stored as
// the next one in ecopy_versions, with its audit event, in one transaction. The e-copy's newest version
// (activities/ecopy-versions.ts) is what downloads, deliveries and the public verification read.
import { randomUUID, X509Certificate } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { sql } from 'kysely';
import { algorithmLabel, parseAlgorithmLabel, renewalDue, type RenewalReason, type TimestampFacts } from '../domain/archive-renewal.js';
import { auditNote, type AuditEvent } from '../domain/audit.js';
import type { FileRef } from '../domain/types.js';
import type { ActivityDeps } from './deps.js';
import { currentEcopy, latestVersions } from './ecopy-versions.js';
import { beat } from './heartbeat.js';
import { arrayBufferOf } from './pdf/der.js';
import { archiveTimestamp } from './pdf/dss.js';
import { activityTimestamper, askingRevocation } from './signing.js';
import { ROOM_BYTES } from './pdf/append.js';

const DIGESTS: Record<string, string> = {
  '1.2.840.113549.2.5': 'md5', '1.3.14.3.2.26': 'sha1', '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512',
};
const CURVE_BITS: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };

export interface LastTimestamp extends TimestampFacts {
  /** ISO instant of the token's genTime. */
  at: string;
  tsaName: string;
}

/** The /Contents of the last document timestamp in `pdf` (read from its text: a whole parse of a 30 MiB scan is
 *  not needed to find one dictionary), or null when it has none. */
function lastDocTimestampToken(pdf: Buffer): Buffer | null {
  const text = pdf.toString('latin1');
  const at = text.lastIndexOf('/DocTimeStamp');
  if (at < 0) return null;
  const start = text.lastIndexOf(' obj', at);
  const end = text.indexOf('endobj', at);
  const m = /\/Contents\s*<([0-9A-Fa-f\s]+)>/.exec(text.slice(start < 0 ? 0 : start, end < 0 ? text.length : end));
  return m ? Buffer.from(m[1].replace(/\s/g, ''), 'hex') : null;
}

/** What the renewal needs to know of an e-copy's last document timestamp (null: it has none). */
export function lastTimestampOf(pdf: Buffer): LastTimestamp | null {
  const token = lastDocTimestampToken(pdf);
  if (!token) return null;
  const r = asn1js.fromBER(arrayBufferOf(token)); // zero padding after the DER: fromBER stops at its end
  if (r.offset === -1) return null;
  const sd = new pkijs.SignedData({ schema: new pkijs.ContentInfo({ schema: r.result }).content });
  const si = sd.signerInfos[0];
  const tst = pkijs.TSTInfo.fromBER(arrayBufferOf(sd.encapContentInfo.eContent!.valueBlock.valueHexView));
  const sid = si.sid instanceof pkijs.IssuerAndSerialNumber ? Buffer.from(si.sid.serialNumber.valueBlock.valueHexView).toString('hex').replace(/^(00)+/, '') : null;
  const certs = (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
    .map((c) => new X509Certificate(Buffer.from(c.toSchema().toBER(false))));
  const tsa = certs.find((c) => sid && c.serialNumber.toLowerCase().replace(/^(00)+/, '') === sid) ?? certs[0];
  const key = tsa?.publicKey;
  const keyType = key?.asymmetricKeyType ?? 'unknown';
  const details = key?.asymmetricKeyDetails;
  return {
    at: tst.genTime.toISOString(),
    // No certificate in the token: treat it as expired, so the renewal adds one that can be validated.
    tsaNotAfter: tsa ? new Date(tsa.validTo).toISOString() : tst.genTime.toISOString(),
    tsaName: tsa ? /CN=([^\n]+)/.exec(tsa.subject)?.[1] ?? tsa.subject : '',
    digestAlgorithm: DIGESTS[si.digestAlgorithm.algorithmId] ?? si.digestAlgorithm.algorithmId,
    keyType: keyType === 'rsa-pss' ? 'rsa' : keyType,
    keyBits: details?.modulusLength ?? (details?.namedCurve ? CURVE_BITS[details.namedCurve] ?? null : null),
  };
}

/** An ecopy_versions row: the file, the version it was made from ('' for version 0) and its last timestamp. */
const versionRow = (code: string, version: number, file: FileRef, previous: string, t: LastTimestamp) => ({
  dossier_code: code, version, sha256: file.sha256, size: file.size, previous_sha256: previous,
  timestamped_at: t.at, tsa_name: t.tsaName, tsa_not_after: t.tsaNotAfter, tsa_algorithm: algorithmLabel(t),
});

export interface DueEcopy { code: string; sha256: string; reason: RenewalReason }

export interface ArchiveRenewalOptions {
  /** Renew when the last timestamp's TSA certificate expires within this many days (ARCHIVE_RENEWAL_MARGIN_DAYS). */
  marginDays: number;
}

export function archiveRenewalActivities(deps: ActivityDeps) {
  const timestamper = activityTimestamper(deps.signing.timestamper);
  const marginDays = deps.archiveRenewal?.marginDays ?? 365;

  return {
    /** One page of issued e-copies, by dossier code after `after`, and those due for renewal among them. */
    async listDueEcopies(input: { after: string | null; limit: number; at: string }): Promise<{ due: DueEcopy[]; next: string | null }> {
      const rows = await deps.db.selectFrom('dossiers').select(['code', sql<FileRef>`snapshot->'sealedPdf'`.as('sealed')])
        .where('status', '=', 'completed').where(sql<string>`snapshot->'sealedPdf'->>'sha256'`, 'is not', null)
        .$if(input.after !== null, (q) => q.where('code', '>', input.after!))
        .orderBy('code').limit(input.limit).execute();
      const versions = await latestVersions(deps.db, rows.map((r) => r.code));
      const now = new Date(input.at);
      const due: DueEcopy[] = [];
      for (const r of rows) {
        const v = versions.get(r.code);
        let facts: TimestampFacts | null;
        if (v) facts = { tsaNotAfter: v.tsa_not_after.toISOString(), ...parseAlgorithmLabel(v.tsa_algorithm) };
        else {
          // Read once: its facts are kept as version 0, so the next runs decide from the table alone.
          const last = lastTimestampOf(await deps.storage.get(r.sealed.sha256));
          beat(r.code);
          if (last) await deps.db.insertInto('ecopy_versions').values(versionRow(r.code, 0, r.sealed, '', last)).onConflict((oc) => oc.doNothing()).execute();
          facts = last;
        }
        const reason = renewalDue(facts, now, marginDays);
        if (reason) due.push({ code: r.code, sha256: v?.sha256 ?? r.sealed.sha256, reason });
      }
      return { due, next: rows.length < input.limit ? null : rows[rows.length - 1].code };
    },

    /**
     * Renews the e-copy version `sha256` of dossier `code` once: a retried or repeated call finds the version made
     * from it (unique previous_sha256) and returns it; a version that is no longer the newest is left alone. A TSA
     * or OCSP responder that is down fails the attempt before anything is written (retried by Temporal).
     */
    async renewEcopy(input: DueEcopy): Promise<{ renewed: boolean; version: number | null; sha256: string | null }> {
      const made = await deps.db.selectFrom('ecopy_versions').select(['version', 'sha256'])
        .where('dossier_code', '=', input.code).where('previous_sha256', '=', input.sha256).executeTakeFirst();
      if (made) return { renewed: false, version: made.version, sha256: made.sha256 };
      const dossier = await deps.db.selectFrom('dossiers').select(sql<FileRef | null>`snapshot->'sealedPdf'`.as('sealed'))
        .where('code', '=', input.code).executeTakeFirst();
      if (!dossier?.sealed) throw ApplicationFailure.nonRetryable(`Hồ sơ ${input.code} không có bản sao điện tử đã cấp.`, 'wrong_state');
      const current = await currentEcopy(deps.db, input.code, dossier.sealed);
      if (current.sha256 !== input.sha256) return { renewed: false, version: null, sha256: null };
      if (!timestamper) throw ApplicationFailure.nonRetryable('Chưa cấu hình dịch vụ cấp dấu thời gian (TSA_URL): không gia hạn được.', 'no_tsa');

      const pdf = await deps.storage.get(current.sha256, { room: ROOM_BYTES }); // its updates are appended in place
      beat('archive timestamp');
      const renewed = await askingRevocation(() => archiveTimestamp(pdf, timestamper));
      const facts = lastTimestampOf(renewed)!;
      beat('storing');
      const ref = await deps.storage.put(renewed, { after: current }); // its new DSS and timestamp only
      const version = current.version + 1;
      const event: AuditEvent = {
        type: 'archive_renewed',
        payload: { version, sha256: ref.sha256, size: ref.size, timestampedAt: facts.at, tsa: facts.tsaName, reason: input.reason },
      };
      const inserted = await deps.db.transaction().execute(async (tx) => {
        const row = await tx.insertInto('ecopy_versions').values(versionRow(input.code, version, ref, current.sha256, facts))
          .onConflict((oc) => oc.doNothing()).returning('version').executeTakeFirst();
        if (!row) return false; // another attempt won: its version stands, this file is an orphan of the store
        const { seq } = await tx.selectFrom('dossier_events').select(sql<number>`coalesce(max(seq), 0) + 1`.as('seq'))
          .where('dossier_code', '=', input.code).executeTakeFirstOrThrow();
        await tx.insertInto('dossier_events').values({
          event_id: randomUUID(), dossier_code: input.code, seq, action: 'renewArchive', actor: 'system', actor_name: 'Hệ thống',
          status: 'completed', note: auditNote(event) ?? null, at: new Date().toISOString(), type: event.type, payload: JSON.stringify(event.payload),
        }).execute();
        return true;
      });
      if (!inserted) {
        const won = await deps.db.selectFrom('ecopy_versions').select(['version', 'sha256'])
          .where('dossier_code', '=', input.code).where('previous_sha256', '=', input.sha256).executeTakeFirstOrThrow();
        return { renewed: false, version: won.version, sha256: won.sha256 };
      }
      return { renewed: true, version, sha256: ref.sha256 };
    },
  };
}
