import { runbookOutputsSchema, runbookParameterName } from '../../stacks/outputs';
import { parameterTier } from '../../stacks/runbook-publication';
import { EnvironmentPlan } from '../../tools/plan/harness';
import { ofType, planOf } from '../helpers/plan';

describe('parameterTier', () => {
  test.each([
    [4096, 'Standard'],
    [4097, 'Advanced'],
    [8192, 'Advanced'],
  ])('%i bytes need the %s tier', (bytes, tier) => {
    expect(parameterTier('x'.repeat(bytes))).toBe(tier);
  });
  test('more than 8 KB fails naming the output and the limit', () => {
    expect(() => parameterTier('x'.repeat(8193))).toThrow(
      "'runbook' output is 8193 bytes; expected at most 8192 (the SSM Advanced tier limit)",
    );
  });
});

describe('the runbook outputs are published to SSM in each region (prod)', () => {
  let plan: EnvironmentPlan;
  beforeAll(async () => {
    plan = await planOf('prod');
  });
  const parameters = () => ofType(plan, 'aws:ssm/parameter:Parameter');

  test('one parameter per region, named /risk-platform/prod/runbook-outputs', () => {
    expect(
      parameters()
        .map((p) => [p.region, p.props.name])
        .sort(),
    ).toEqual([
      ['us-east-1', runbookParameterName('prod')],
      ['us-west-2', runbookParameterName('prod')],
    ]);
  });

  test('the value is exactly the runbook stack output, as a String of the tier its size needs', () => {
    for (const p of parameters()) {
      expect(p.props.type).toBe('String');
      const value = p.props.insecureValue as string;
      expect(runbookOutputsSchema.parse(JSON.parse(value))).toEqual(plan.outputs.runbook);
      expect(p.props.tier).toBe(parameterTier(value));
    }
  });

  test('tagged with the environment tags', () => {
    for (const p of parameters()) {
      expect(p.props.tags).toMatchObject({ Name: runbookParameterName('prod') });
    }
  });
});
