// The dossier workflow's search attributes as typed keys (names: domain/search-attributes.ts). Sandbox-safe.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTE_NAMES as NAMES } from '../domain/search-attributes.js';

export const DOSSIER_CODE = defineSearchAttributeKey(NAMES.dossierCode, SearchAttributeType.KEYWORD);
export const AGENCY_CODE = defineSearchAttributeKey(NAMES.agencyCode, SearchAttributeType.KEYWORD);
export const DOSSIER_STATUS = defineSearchAttributeKey(NAMES.dossierStatus, SearchAttributeType.KEYWORD);

/** The patch that brought them: workflows started before it neither carry nor upsert them. */
export const SEARCH_ATTRIBUTES_PATCH = 'search-attributes';
