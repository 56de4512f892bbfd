export { dossierWorkflow } from './dossier.js';
export { appointmentWorkflow } from './appointment.js';
