import * as pulumi from '@pulumi/pulumi';
import { EnvironmentConfig, StackUnit, unitStackName } from '../config/load';

/**
 * Cross-stack values (docs/ARCHITECTURE.md, "One stack per region"). Names and ARNs that derive from
 * config are derived (static stability: a stack deploys with its own region and the state backend
 * only). Only what cannot be derived is read from another stack with a `StackReference`:
 * - the primary key's ARN (a random key ID), which the DR region's replica key needs;
 * - the global stack's ARC outputs (cluster endpoints, routing controls, health checks), which each
 *   region publishes in its runbook parameter;
 * - the primary region's `runbookRegion`, which the DR region adds to its runbook parameter.
 * A reference is read from the state backend, never from either region: the backend must not live in
 * the environment's regions (see docs/ARCHITECTURE.md).
 */

/** The fully qualified name of a unit's stack: `<organization>/<project>/<env>-<unit>`. */
export function unitStackReferenceName(
  config: Pick<EnvironmentConfig, 'environment' | 'project'>,
  unit: StackUnit,
): string {
  return `${pulumi.getOrganization()}/${config.project}/${unitStackName(config.environment, unit)}`;
}

/** A reference to another unit's stack of the same environment (one per unit and program run). */
export function unitStackReference(
  config: Pick<EnvironmentConfig, 'environment' | 'project'>,
  unit: StackUnit,
): pulumi.StackReference {
  return new pulumi.StackReference(`${unitStackName(config.environment, unit)}-ref`, {
    name: unitStackReferenceName(config, unit),
  });
}

/** The output of the global stack that each regional stack requires: the ARC switch's identifiers. */
export const GLOBAL_TRAFFIC_OUTPUT = 'traffic';
/** The output of the global stack that each regional stack peers with: the canary's VPC (issue 13). */
export const GLOBAL_CANARY_NETWORK_OUTPUT = 'canaryNetwork';
/** The output of the primary stack that the DR stack requires: the multi-region primary key's ARN. */
export const PRIMARY_KEY_OUTPUT = 'keyArn';

/**
 * The outputs a unit's stack requires of the stacks it references (`requireOutput`; an optional
 * `getOutput` such as the primary's `runbookRegion` is not listed). The offline plan checks them before
 * it runs the unit, so a missing one fails naming both stacks and the output, where `pulumi up` would
 * fail at the reference.
 */
export function requiredReferences(
  config: Pick<EnvironmentConfig, 'regions'>,
  unit: StackUnit,
): { readonly unit: StackUnit; readonly outputs: readonly string[] }[] {
  if (unit === 'global') return [];
  const references: { unit: StackUnit; outputs: string[] }[] = [
    { unit: 'global', outputs: [GLOBAL_TRAFFIC_OUTPUT, GLOBAL_CANARY_NETWORK_OUTPUT] },
  ];
  if (unit === config.regions.dr.region) {
    references.push({ unit: config.regions.primary.region, outputs: [PRIMARY_KEY_OUTPUT] });
  }
  return references;
}
