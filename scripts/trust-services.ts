// Process entry of the demo trust services (the test CA's OCSP responder, CRL and TSA) on TRUST_SERVICES_URL;
// scripts/stack.ts starts it in demo mode. Production uses a licensed provider's services instead.
import path from 'node:path';
import { startTrustServices } from '../activities/pdf/trust-services.js';
import { loadConfig } from '../lib/config.js';

async function main() {
  const config = loadConfig();
  if (config.mode === 'production' && process.env.ALLOW_TEST_PKI !== '1') {
    throw new Error('Refusing to start in production mode: these are the trust services of the generated test PKI (set ALLOW_TEST_PKI=1 to accept them).');
  }
  if (!config.trustServicesUrl) throw new Error('TRUST_SERVICES_URL is not set: it names the address the test CA\'s certificates point at');
  const url = new URL(config.trustServicesUrl);
  const services = await startTrustServices({
    pkiDir: path.join(config.dataDir, 'pki'),
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    url: config.trustServicesUrl,
  });
  console.log(`trust services: OCSP ${services.url}/ocsp, CRL ${services.url}/crl, TSA ${services.tsaUrl}`);
  const stop = () => void services.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
