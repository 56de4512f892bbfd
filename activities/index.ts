// All activities, built from their dependencies (the workflow imports only the type of this factory).
import { appointmentActivities } from './appointments.js';
import type { ActivityDeps } from './deps.js';
import { deliveryActivities } from './delivery.js';
import { readModelActivities } from './read-model.js';
import { registerActivities } from './register.js';
import { signingActivities } from './signing.js';

export function createActivities(deps: ActivityDeps) {
  return {
    ...readModelActivities(deps),
    ...signingActivities(deps),
    ...registerActivities(deps),
    ...deliveryActivities(deps),
    ...appointmentActivities(deps),
  };
}
