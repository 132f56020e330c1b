import * as pulumi from '@pulumi/pulumi';
import { ConfigError, EnvironmentConfig, parseEnvironmentConfig, PROJECT } from './config/load';
import { resolveProgramConfig } from './config/units';
import { buildGlobalStack } from './units/global';
import { buildRegionStack } from './units/region';

/**
 * Reads and validates the stack config from the Pulumi runtime: the only place config is read. Pulumi
 * hands the program its stack's own file; the environment's shared file is merged in
 * (stacks/config/units.ts).
 */
export function loadConfig(): EnvironmentConfig {
  const stack = pulumi.getStack();
  // isConfigSecret is exported at run time but missing from the typings.
  const isConfigSecret = (key: string) =>
    (pulumi.runtime as unknown as { isConfigSecret(k: string): boolean }).isConfigSecret(key);
  const { values, isSecret } = resolveProgramConfig(stack, pulumi.runtime.allConfig(), isConfigSecret);
  return parseEnvironmentConfig(values, { stack, isSecret });
}

/**
 * Builds the stack's unit of the environment: the global stack, or one region's. A config without a
 * unit is the environment's shared settings, which no stack deploys on its own.
 */
export function buildUnit(config: EnvironmentConfig) {
  if (config.unit === undefined) {
    throw new ConfigError(config.stack, [
      {
        key: `${PROJECT}:unit`,
        received: 'nothing',
        expected: `global, ${config.regions.primary.region} or ${config.regions.dr.region}: deploy the stacks ${config.environment}-global, ${config.environment}-${config.regions.primary.region} and ${config.environment}-${config.regions.dr.region}`,
      },
    ]);
  }
  if (config.unit === 'global') return buildGlobalStack(config);
  const site = config.sites.find((s) => s.region === config.unit)!;
  return buildRegionStack(config, site);
}

/** The whole program: parse config first (nothing registered if it is invalid), then build. */
export function program() {
  return buildUnit(loadConfig());
}
