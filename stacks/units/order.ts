import { EnvironmentConfig, StackUnit, unitStackName } from '../config/load';

/**
 * The order in which an environment's stacks deploy (docs/ARCHITECTURE.md, "Order and waves").
 * Pure functions of the config, so the workflows, the plan and the tests share one definition.
 */

/** A fresh environment: global (roles, ARC), then the primary (key, table homes), then DR (replica key and tables). */
export function freshOrder(config: Pick<EnvironmentConfig, 'regions'>): StackUnit[] {
  return ['global', config.regions.primary.region, config.regions.dr.region];
}

/** One step of an update's rollout. */
export type RolloutStep =
  | { readonly kind: 'deploy'; readonly unit: StackUnit; readonly stack: string; readonly serving: boolean }
  | { readonly kind: 'gate'; readonly region: string; readonly stack: string };

/**
 * An update: global first, then the standby region, then the health gate on the standby, then the
 * serving region (the config's `dr.activeRegion`, so after a failover the order flips by itself), then
 * the gate on the serving region. A bad change then reaches the standby first and stops there.
 */
export function rolloutOrder(
  config: Pick<EnvironmentConfig, 'environment' | 'regions' | 'activeRegion'>,
): RolloutStep[] {
  const serving = config.activeRegion;
  const standby = [config.regions.primary.region, config.regions.dr.region].find((r) => r !== serving)!;
  const stack = (u: StackUnit) => unitStackName(config.environment, u);
  return [
    { kind: 'deploy', unit: 'global', stack: stack('global'), serving: false },
    { kind: 'deploy', unit: standby, stack: stack(standby), serving: false },
    { kind: 'gate', region: standby, stack: stack(standby) },
    { kind: 'deploy', unit: serving, stack: stack(serving), serving: true },
    { kind: 'gate', region: serving, stack: stack(serving) },
  ];
}
