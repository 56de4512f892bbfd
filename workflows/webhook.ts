// One webhook delivery (activities/webhooks.ts): attempts with backoff until the receiver answers 2xx, then done;
// when every attempt failed, the delivery is marked failed for a person to send again. At least once: the receiver
// may get an event twice (a 2xx lost on the way), and drops the repeat by its event id.
// Sandbox fence: @temporalio/workflow and local files only.
import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';

type Activities = ReturnType<typeof createActivities>;

const { markWebhookFailed } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds', heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export async function webhookDeliveryWorkflow(input: { deliveryId: number; attempts: number; initialInterval: string }): Promise<'sent' | 'failed'> {
  const { sendWebhook } = proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds', heartbeatTimeout: '20 seconds',
    retry: { initialInterval: input.initialInterval as `${number} ${string}`, backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: input.attempts },
  });
  try {
    await sendWebhook({ deliveryId: input.deliveryId });
    return 'sent';
  } catch {
    await markWebhookFailed({ deliveryId: input.deliveryId });
    return 'failed';
  }
}
