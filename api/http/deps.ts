// What every router is given: configuration, the database, Temporal, file storage and the feature services.
import type { Client } from '@temporalio/client';
import type { FileStorage } from '../../activities/storage.js';
import type { Config } from '../../lib/config.js';
import type { Db } from '../../lib/db.js';
import type { AppointmentService } from '../appointments/service.js';
import type { LoginThrottle } from '../auth/service.js';
import type { CertificateService } from '../certificates/service.js';
import type { DossierService } from '../dossiers/service.js';
import type { VerificationService } from '../verification/service.js';

export interface AppDeps {
  config: Config;
  db: Db;
  temporal: Client;
  storage: FileStorage;
  dossiers: DossierService;
  appointments: AppointmentService;
  throttle: LoginThrottle;
  /** Public verification, with its per-address limits shared by the screens and the JSON API. */
  verification: VerificationService;
  /** Uploaded certificates (personal, seal): the checks, the wrapped keys, which is in use. */
  certificates: CertificateService;
}
