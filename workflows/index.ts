export { dossierWorkflow } from './dossier.js';
