import * as pulumi from '@pulumi/pulumi';
import { EnvironmentConfig, parseEnvironmentConfig } from './config/load';
import { RegionalPlatform } from './region';

/** Reads and validates the stack config from the Pulumi runtime: the only place config is read. */
export function loadConfig(): EnvironmentConfig {
  return parseEnvironmentConfig(pulumi.runtime.allConfig(), {
    stack: pulumi.getStack(),
    // isConfigSecret is exported at run time but missing from the typings.
    isSecret: (key) => (pulumi.runtime as unknown as { isConfigSecret(k: string): boolean }).isConfigSecret(key),
  });
}

/** Builds one environment: the same regional component per region, then the cross-region pieces. */
export function buildEstate(config: EnvironmentConfig) {
  const regions = config.sites.map((site) => new RegionalPlatform(site.region, { site, config }));
  return {
    environment: config.environment,
    regions: Object.fromEntries(regions.map((r) => [r.site.region, { role: r.site.role, vpcId: r.network.vpcId }])),
  };
}

/** The whole program: parse config first (nothing registered if it is invalid), then build. */
export function program() {
  return buildEstate(loadConfig());
}
