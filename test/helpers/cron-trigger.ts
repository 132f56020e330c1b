/**
 * The KEDA cron trigger prod's `weekly-release` launch window puts on a ScaledObject (on sale Tuesdays
 * 10:00 Pacific, pre-scaled 09:30-12:00; environments/Pulumi.prod.yaml), as it appears in the plan.
 * One fixture for the plan test, the policy test and the simulator's plan reader.
 */
export function weeklyReleaseCronTrigger(
  desiredReplicas: string,
  metadata: Readonly<Record<string, string>> = {},
): { type: string; name: string; metadata: Record<string, string> } {
  return {
    type: 'cron',
    name: 'prescale-weekly-release',
    metadata: {
      timezone: 'America/Los_Angeles',
      start: '30 9 * * TUE',
      end: '0 12 * * TUE',
      desiredReplicas,
      ...metadata,
    },
  };
}
