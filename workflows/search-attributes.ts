// The custom search attributes of a dossier's workflow, so that the Temporal Web UI (and `temporal workflow list
// --query`) finds dossiers by code, agency and status, e.g. `AgencyCode="H01" AND DossierStatus="awaiting_seal"`.
// The server must know them first: lib/search-attributes.ts registers them (and the dev server is started with
// them). Sandbox-safe. They hold codes only, never applicant data: search attributes are not encrypted.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const DOSSIER_CODE = defineSearchAttributeKey('DossierCode', SearchAttributeType.KEYWORD);
export const AGENCY_CODE = defineSearchAttributeKey('AgencyCode', SearchAttributeType.KEYWORD);
export const DOSSIER_STATUS = defineSearchAttributeKey('DossierStatus', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTE_KEYS = [DOSSIER_CODE, AGENCY_CODE, DOSSIER_STATUS];

/** The patch that brought them: workflows started before it neither carry nor upsert them. */
export const SEARCH_ATTRIBUTES_PATCH = 'search-attributes';
