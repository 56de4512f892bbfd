// A workflow bundle for tests whose dossier workflow fails every workflow task it is given, as a broken deploy
// or a crash-looping worker would: Temporal keeps the workflow and retries the task, and refuses updates meanwhile.
export async function dossierWorkflow(): Promise<never> {
  throw new Error('this test worker fails every workflow task');
}
