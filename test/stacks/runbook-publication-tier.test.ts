import * as pulumi from '@pulumi/pulumi';
import { RunbookOutputs } from '../../stacks/outputs';
import { RunbookPublication } from '../../stacks/runbook-publication';
import { PlanMocks } from '../../tools/plan/mocks';

/*
 * Its own file: it builds the component directly under Pulumi mocks (process-wide runtime state), so it
 * must not share a module registry with a test that plans an environment.
 */
test('RunbookPublication pins the Advanced tier even for a value under the 4 KB Standard limit (no tier flip on shrink)', async () => {
  await pulumi.runtime.setMocks(new PlanMocks('us-west-2'), 'risk-platform', 'test', false);
  const tiers: unknown[] = [];
  const publication = new RunbookPublication(
    'runbook-outputs',
    {
      environment: 'test',
      regions: ['us-west-2', 'us-east-1'],
      // A small stand-in for the outputs: the tier must not depend on the size.
      outputs: { environment: 'test' } as unknown as RunbookOutputs,
      tags: { environment: 'test' },
    },
    {
      transformations: [
        (args) => {
          if (args.type === 'aws:ssm/parameter:Parameter') tiers.push(args.props.tier);
          return undefined;
        },
      ],
    },
  );
  await Promise.all(
    Object.values(publication.parameters).map((p) => new Promise((resolve) => p.arn.apply(resolve))),
  );
  expect(tiers).toEqual(['Advanced', 'Advanced']);
});
