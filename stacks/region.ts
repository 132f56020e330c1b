import * as pulumi from '@pulumi/pulumi';
import { EnvironmentConfig, RegionSite } from './config/load';
import { clusterName } from './naming';
import { Network } from './network/network';

export interface RegionalPlatformArgs {
  /** The region and its role (primary or DR); the same component serves both. */
  readonly site: RegionSite;
  /** The environment's validated config; the component hands plain parts of it to its children. */
  readonly config: EnvironmentConfig;
}

/**
 * Everything one region of an environment runs. Instantiated once per region from the same code:
 * the region is data. Cross-region pieces (global tables' replicas, ARC) are wired by the estate.
 */
export class RegionalPlatform extends pulumi.ComponentResource {
  readonly site: RegionSite;
  readonly network: Network;

  constructor(name: string, args: RegionalPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:platform:Region', name, {}, opts);
    const { site, config } = args;
    this.site = site;
    this.network = new Network(
      `${site.region}`,
      {
        region: site.region,
        vpcCidr: site.vpcCidr,
        availabilityZones: site.availabilityZones,
        natGateways: config.network.natGateways,
        clusterName: clusterName(config.environment, site.region),
        tags: config.tags,
      },
      { parent: this },
    );
    this.registerOutputs({ vpcId: this.network.vpcId });
  }
}
