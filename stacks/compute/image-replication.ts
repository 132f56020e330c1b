import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { InvalidArgumentError } from '../errors';
import { PRIVATE_REPOSITORY_PREFIX } from './images';

export interface ImageReplicationArgs {
  /** The region the images are pushed to (the primary region): the replication rule lives in its registry. */
  readonly sourceRegion: string;
  /** The regions to replicate to (the DR region). */
  readonly destinationRegions: readonly string[];
  /** The account of the private registry (config `workloads.registryAccountId`). */
  readonly registryAccountId: string;
  /** The account the stack deploys to (the caller identity); it must be the registry's account. */
  readonly callerAccountId: pulumi.Input<string>;
  /**
   * The repository prefix to replicate.
   * @default - {@link PRIVATE_REPOSITORY_PREFIX} (`risk/`)
   */
  readonly repositoryPrefix?: string;
}

/** Fails (at preview: the caller identity is known then) when the registry is not the deploying account's. */
export function checkRegistryAccount(registryAccountId: string, callerAccountId: string): string {
  if (registryAccountId !== callerAccountId) {
    throw new InvalidArgumentError(
      `'workloads.registryAccountId' (${registryAccountId}) must be the account this stack deploys to (${callerAccountId}): ` +
        "the program configures that account's ECR replication, so images pushed elsewhere would never reach the DR region",
    );
  }
  return registryAccountId;
}

/**
 * ECR cross-region replication of the platform's private images (`risk/...`) from the primary
 * region's registry to the DR region's, so the DR cluster pulls (and scales up) without the primary
 * region. A replication configuration is per registry (account and region): one resource, in the
 * source region, with one rule whose destination is the DR region of the same account.
 *
 * Note: ECR replicates only images pushed after the rule exists, and creates a missing repository in
 * the destination on first replication. Images pushed before must be pushed again (same digest) before
 * the DR workloads reference them. Environments sharing an account and region share this registry
 * setting: their rules are identical, and it is retained on delete so destroying one stack does not
 * stop replication for the others.
 * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication.html
 * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry-settings-examples.html
 */
export class ImageReplication extends pulumi.ComponentResource {
  readonly configuration: aws.ecr.ReplicationConfiguration;

  constructor(name: string, args: ImageReplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:compute:ImageReplication', name, {}, opts);
    if (args.destinationRegions.length === 0 || args.destinationRegions.includes(args.sourceRegion)) {
      throw new InvalidArgumentError(
        `'destinationRegions' (${JSON.stringify(args.destinationRegions)}) must name at least one region other than the source region (${args.sourceRegion})`,
      );
    }
    const registryId = pulumi
      .output(args.callerAccountId)
      .apply((caller) => checkRegistryAccount(args.registryAccountId, caller));
    this.configuration = new aws.ecr.ReplicationConfiguration(
      `${name}-${args.sourceRegion}`,
      {
        region: args.sourceRegion,
        replicationConfiguration: {
          rules: [
            {
              destinations: args.destinationRegions.map((region) => ({ region, registryId })),
              repositoryFilters: [
                { filter: args.repositoryPrefix ?? PRIVATE_REPOSITORY_PREFIX, filterType: 'PREFIX_MATCH' },
              ],
            },
          ],
        },
      },
      { parent: this, retainOnDelete: true },
    );
    this.registerOutputs({ registryId: this.configuration.registryId });
  }
}
