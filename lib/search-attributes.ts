// Registers the dossier workflow's custom search attributes (domain/search-attributes.ts) with the Temporal
// namespace, once per start of a web server or worker: a workflow started or upserting with an attribute the
// server does not know fails. Idempotent, and safe when several processes start at once.
import { isGrpcServiceError, type Connection } from '@temporalio/client';
import protos from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_NAMES } from '../domain/search-attributes.js';

// gRPC status codes (https://grpc.io/docs/guides/status-codes/).
const ALREADY_EXISTS = 6;
const PERMISSION_DENIED = 7;
const KEYWORD = protos.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/** For `temporal server start-dev`: the same attributes as `--search-attribute Name=Keyword` flags. */
const NAMES = Object.values(SEARCH_ATTRIBUTE_NAMES);
export const devServerSearchAttributeArgs = () => NAMES.flatMap((name) => ['--search-attribute', `${name}=Keyword`]);

export async function ensureSearchAttributes(connection: Pick<Connection, 'operatorService'>, namespace: string): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = NAMES.filter((name) => !(name in (customAttributes ?? {})));
  if (!missing.length) return;
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])) });
  } catch (e) {
    if (isGrpcServiceError(e) && e.code === ALREADY_EXISTS) return; // another process registered them first
    if (isGrpcServiceError(e) && e.code === PERMISSION_DENIED) {
      throw new Error(`Temporal refused to register the search attributes ${missing.join(', ')} (no operator permission): register them once with `
        + `\`temporal operator search-attribute create --namespace ${namespace} ${missing.map((name) => `--name ${name} --type Keyword`).join(' ')}\``);
    }
    throw e;
  }
}
