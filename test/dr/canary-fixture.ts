import { CanaryOutputs } from '../../stacks/outputs';
import { fixtureOutputs } from './helpers';

/** The staging fixture's `canary` section (test/stacks/observability/canary-runbook.test.ts holds it equal to the stacks'). */
export function canaryRunbookOutputForTest(): CanaryOutputs {
  const c = fixtureOutputs().canary;
  if (!c) throw new Error('the staging fixture has no canary section');
  return c;
}
