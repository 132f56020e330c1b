import { EnvironmentConfig, StackUnit, unitStackName } from '../../stacks/config/load';
import { requiredReferences } from '../../stacks/units/references';

/**
 * Before the offline plan runs a unit's stack: every output the unit requires of another stack
 * (stacks/units/references.ts) must be among that stack's planned outputs. A missing one is an error
 * naming the requiring stack, the referenced stack and the output; the order of planning makes a
 * reference to a stack not planned yet an error too.
 */
export function checkReferencedOutputs(
  config: Pick<EnvironmentConfig, 'environment' | 'regions'>,
  unit: StackUnit,
  outputsByStack: Readonly<Record<string, Record<string, unknown>>>,
): void {
  const stack = unitStackName(config.environment, unit);
  for (const ref of requiredReferences(config, unit)) {
    const referenced = unitStackName(config.environment, ref.unit);
    const outputs = outputsByStack[referenced];
    if (!outputs) {
      throw new Error(
        `stack '${stack}' references stack '${referenced}', which is not planned yet (planned so far: ${Object.keys(outputsByStack).join(', ') || 'none'}); stacks are planned global, then primary, then DR`,
      );
    }
    for (const name of ref.outputs) {
      if (outputs[name] === undefined) {
        const exported = Object.keys(outputs).sort();
        throw new Error(
          `stack '${stack}' requires output '${name}' of stack '${referenced}', which does not export it (exports: ${exported.join(', ') || 'none'})`,
        );
      }
    }
  }
}
