import { runbookOutputsSchema, runbookParameterName } from '../../stacks/outputs';
import { InvalidArgumentError } from '../../stacks/errors';
import { checkParameterSize } from '../../stacks/runbook-publication';
import { EnvironmentPlan } from '../../tools/plan/harness';
import { ofType, planOf } from '../helpers/plan';

describe('checkParameterSize', () => {
  test('accepts a value of exactly 8 KB and returns it unchanged', () => {
    const value = 'x'.repeat(8192);
    expect(checkParameterSize(value)).toBe(value);
  });
  test('more than 8 KB fails with an InvalidArgumentError naming the output and the limit', () => {
    expect(() => checkParameterSize('x'.repeat(8193))).toThrow(InvalidArgumentError);
    expect(() => checkParameterSize('x'.repeat(8193))).toThrow(
      "'runbook' output is 8193 bytes; expected at most 8192 (the SSM Advanced tier limit)",
    );
  });
  test('counts UTF-8 bytes, not characters', () => {
    expect(() => checkParameterSize('é'.repeat(4097))).toThrow("'runbook' output is 8194 bytes");
  });
});

/** Headroom under the 8 KB Advanced limit: a plan over it fails review, long before `up` would. */
const RUNBOOK_VALUE_BUDGET_BYTES = 7 * 1024;

describe.each(['dev', 'staging', 'prod'])('the published runbook outputs of %s', (env) => {
  let plan: EnvironmentPlan;
  beforeAll(async () => {
    plan = await planOf(env);
  });

  test('stay under 7 KB in every region (headroom under the 8 KB limit)', () => {
    const parameters = ofType(plan, 'aws:ssm/parameter:Parameter');
    expect(parameters).toHaveLength(2);
    for (const p of parameters) {
      expect(Buffer.byteLength(p.props.insecureValue as string, 'utf8')).toBeLessThan(
        RUNBOOK_VALUE_BUDGET_BYTES,
      );
    }
  });

  test('are on the Advanced tier whatever their size', () => {
    for (const p of ofType(plan, 'aws:ssm/parameter:Parameter')) expect(p.props.tier).toBe('Advanced');
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

  test("each region's value is exactly its own stack's runbook output, as an Advanced String", () => {
    for (const p of parameters()) {
      expect(p.props.type).toBe('String');
      const value = p.props.insecureValue as string;
      const stack = plan.stacks.find((s) => p.urn.startsWith(`urn:pulumi:${s.stack}::`))!;
      expect(stack.stack).toBe(`prod-${p.region}`);
      expect(runbookOutputsSchema.parse(JSON.parse(value))).toEqual(stack.outputs.runbook);
      expect(p.props.tier).toBe('Advanced');
    }
  });

  test('the DR region deploys after the primary and publishes both regions; the primary publishes itself', () => {
    const regionsOf = (region: string) => {
      const p = parameters().find((x) => x.region === region)!;
      return Object.keys(runbookOutputsSchema.parse(JSON.parse(p.props.insecureValue as string)).regions);
    };
    expect(regionsOf('us-east-1')).toEqual(['us-west-2', 'us-east-1']);
    expect(regionsOf('us-west-2')).toEqual(['us-west-2']);
    // Together (as the runbook reads them) they are the environment's runbook outputs.
    expect(Object.keys(runbookOutputsSchema.parse(plan.outputs.runbook).regions)).toEqual([
      'us-west-2',
      'us-east-1',
    ]);
  });

  test('tagged with the environment tags', () => {
    for (const p of parameters()) {
      expect(p.props.tags).toMatchObject({ Name: runbookParameterName('prod') });
    }
  });
});
