import { HEARTBEAT_ITEM_ATTRIBUTES } from '../naming';
import { InvalidArgumentError } from '../errors';
import { documentOf as document, PolicyDocument, PolicyStatement } from './policy-core';

export interface HeartbeatRegion {
  readonly region: string;
  /** The control table's replica in this region. */
  readonly controlTableArn: string;
  /** The platform key in this region (the replica's encryption key). */
  readonly keyArn: string;
  /** The region's EKS cluster: the Pod Identity session tag `eks-cluster-arn` of the writer there. */
  readonly clusterArn: string;
}

/** The key of a region's heartbeat item (tools/dr/control/keys.ts `keys.heartbeat`). */
export const heartbeatPartitionKey = (region: string) => `heartbeat#${region}`;

/** `us-west-2` -> `UsWest2` (IAM Sids are alphanumeric). */
const sidPart = (region: string) =>
  region.replace(/(^|-)([a-z0-9])/g, (_m, _dash: string, c: string) => c.toUpperCase());

/**
 * The replication heartbeat writer's policy: nothing but writing its own region's heartbeat item into
 * its own region's replica of the control table, and reading the other region's heartbeat there.
 * - One `WriteHeartbeat<Region>` statement per region: `dynamodb:UpdateItem` (an update, so a restarted
 *   writer keeps the inbound evidence it recorded) on that region's replica only, when the caller's
 *   Pod Identity session comes from that region's cluster (`aws:PrincipalTag/eks-cluster-arn`), the
 *   item's partition key is `heartbeat#<that region>` (`ForAllValues:StringEquals` on
 *   `dynamodb:LeadingKeys`) and its attributes are among {@link HEARTBEAT_ITEM_ATTRIBUTES}
 *   (`dynamodb:Attributes`), with both keys required present (`Null` false: a `ForAllValues` test of
 *   an absent key would pass) and no old item returned. The role is shared by both clusters, so without
 *   the session tag a writer in one region could forge the other region's heartbeat in its own replica
 *   and mask a dead source during a failover preflight.
 * - One `ReadPeerHeartbeat<Region>` statement per region (when there is another region):
 *   `dynamodb:GetItem` on that region's replica only, from that region's cluster, of the OTHER
 *   regions' heartbeat items only (`dynamodb:LeadingKeys`, required present): the writer records the
 *   inbound replication lag it observes. It can read nothing else, not even its own item.
 * - `UseControlTableKey`: the replica is encrypted with the platform key, which DynamoDB uses on the
 *   caller's behalf, so the caller needs `kms:Decrypt`/`kms:GenerateDataKey` through DynamoDB, for the
 *   control table only (encryption context `aws:dynamodb:tableName`).
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 * @see https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html
 */
export function replicationHeartbeatPolicy(p: {
  readonly controlTableName: string;
  readonly regions: readonly HeartbeatRegion[];
  /**
   * Every region of the environment, whose heartbeats a writer reads as peers. A regional stack
   * grants only its own region (`regions`) but its writer still reads the other region's heartbeat.
   * @default - the regions of `regions`
   */
  readonly peerRegions?: readonly string[];
}): PolicyDocument {
  if (p.regions.length === 0) throw new InvalidArgumentError(`'regions' ([]) must name at least one region`);
  const put = p.regions.map((r): PolicyStatement => ({
    Sid: `WriteHeartbeat${sidPart(r.region)}`,
    Effect: 'Allow',
    Action: ['dynamodb:UpdateItem'],
    Resource: [r.controlTableArn],
    Condition: {
      'ForAllValues:StringEquals': {
        'dynamodb:LeadingKeys': [heartbeatPartitionKey(r.region)],
        'dynamodb:Attributes': [...HEARTBEAT_ITEM_ATTRIBUTES],
      },
      Null: { 'dynamodb:LeadingKeys': 'false', 'dynamodb:Attributes': 'false' },
      StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
      StringEquals: { 'aws:PrincipalTag/eks-cluster-arn': r.clusterArn },
    },
  }));
  const read = p.regions.flatMap((r): PolicyStatement[] => {
    const peers = (p.peerRegions ?? p.regions.map((o) => o.region))
      .filter((o) => o !== r.region)
      .map((o) => heartbeatPartitionKey(o));
    if (peers.length === 0) return [];
    return [
      {
        Sid: `ReadPeerHeartbeat${sidPart(r.region)}`,
        Effect: 'Allow',
        Action: ['dynamodb:GetItem'],
        Resource: [r.controlTableArn],
        Condition: {
          'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': peers },
          Null: { 'dynamodb:LeadingKeys': 'false' },
          StringEquals: { 'aws:PrincipalTag/eks-cluster-arn': r.clusterArn },
        },
      },
    ];
  });
  return document([
    ...put,
    ...read,
    {
      Sid: 'UseControlTableKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: p.regions.map((r) => r.keyArn),
      Condition: {
        StringEquals: {
          'kms:ViaService': p.regions.map((r) => `dynamodb.${r.region}.amazonaws.com`),
          'kms:EncryptionContext:aws:dynamodb:tableName': p.controlTableName,
        },
      },
    },
  ]);
}
