import { requiredReferences } from '../../stacks/units/references';
import { checkReferencedOutputs } from '../../tools/plan/reference-check';

const config = {
  environment: 'prod',
  regions: { primary: { region: 'us-west-2' }, dr: { region: 'us-east-1' } },
} as Parameters<typeof checkReferencedOutputs>[0];

describe('cross-stack references in the offline plan', () => {
  test('the global stack references nothing; the primary the global ARC outputs; DR also the primary key', () => {
    expect(requiredReferences(config, 'global')).toEqual([]);
    expect(requiredReferences(config, 'us-west-2')).toEqual([
      { unit: 'global', outputs: ['traffic', 'canaryNetwork'] },
    ]);
    expect(requiredReferences(config, 'us-east-1')).toEqual([
      { unit: 'global', outputs: ['traffic', 'canaryNetwork'] },
      { unit: 'us-west-2', outputs: ['keyArn'] },
    ]);
  });

  test('a missing output fails naming the requiring stack, the referenced stack and the output', () => {
    const outputs = {
      'prod-global': { traffic: {}, canaryNetwork: {} },
      'prod-us-west-2': { runbookRegion: {}, runbook: {} },
    };
    expect(() => checkReferencedOutputs(config, 'us-east-1', outputs)).toThrow(
      "stack 'prod-us-east-1' requires output 'keyArn' of stack 'prod-us-west-2', which does not export it (exports: runbook, runbookRegion)",
    );
    expect(() => checkReferencedOutputs(config, 'us-west-2', { 'prod-global': {} })).toThrow(
      "stack 'prod-us-west-2' requires output 'traffic' of stack 'prod-global', which does not export it (exports: none)",
    );
  });

  test('a reference to a stack not planned yet fails naming both stacks', () => {
    expect(() =>
      checkReferencedOutputs(config, 'us-east-1', { 'prod-global': { traffic: {}, canaryNetwork: {} } }),
    ).toThrow(
      "stack 'prod-us-east-1' references stack 'prod-us-west-2', which is not planned yet (planned so far: prod-global); stacks are planned global, then primary, then DR",
    );
  });
});
