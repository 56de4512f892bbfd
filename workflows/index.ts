export { dossierWorkflow } from './dossier.js';
export { appointmentWorkflow } from './appointment.js';
export { archiveRenewalWorkflow } from './archive-renewal.js';
export { batchWorkflow } from './batch.js';
export { webhookDeliveryWorkflow } from './webhook.js';
