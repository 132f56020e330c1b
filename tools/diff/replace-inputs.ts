/**
 * Inputs whose change makes the provider replace the resource instead of updating it in place, per
 * type, for the stateful and serving types of this estate. pulumi-aws 7.48.0 bridges the Terraform
 * AWS provider v6: an attribute marked `ForceNew: true` in the upstream schema is a replace in
 * Pulumi. Each entry cites the upstream file holding that schema
 * (github.com/hashicorp/terraform-provider-aws, `internal/service/<service>/<file>.go`); the EKS
 * cluster and the DynamoDB table replica entries were read line by line at the source.
 *
 * Paths are Pulumi input names (camelCase), dot-separated; a change at or below a path forces the
 * replacement (`encryptionConfig.provider.keyArn` also matches `encryptionConfig`).
 */
export interface ReplaceRule {
  readonly paths: readonly string[];
  /** Where the `ForceNew` attributes are declared. */
  readonly source: string;
}

const TF = 'hashicorp/terraform-provider-aws internal/service';

export const REPLACE_INPUTS: Readonly<Record<string, ReplaceRule>> = {
  'aws:dynamodb/table:Table': {
    // name, hash_key, range_key, local_secondary_index (and its name/range_key/projection) are ForceNew.
    paths: ['name', 'hashKey', 'rangeKey', 'localSecondaryIndexes'],
    source: `${TF}/dynamodb/table.go`,
  },
  'aws:dynamodb/tableReplica:TableReplica': {
    // global_table_arn, kms_key_arn, table_class_override: ForceNew (read at the source).
    paths: ['globalTableArn', 'kmsKeyArn', 'tableClassOverride'],
    source: `${TF}/dynamodb/table_replica.go`,
  },
  'aws:kinesis/stream:Stream': { paths: ['name'], source: `${TF}/kinesis/stream.go` },
  'aws:kinesis/streamConsumer:StreamConsumer': {
    paths: ['name', 'streamArn'],
    source: `${TF}/kinesis/stream_consumer.go`,
  },
  'aws:sqs/queue:Queue': { paths: ['name', 'namePrefix', 'fifoQueue'], source: `${TF}/sqs/queue.go` },
  'aws:sns/topic:Topic': { paths: ['name', 'namePrefix', 'fifoTopic'], source: `${TF}/sns/topic.go` },
  'aws:kms/key:Key': {
    paths: ['multiRegion', 'customerMasterKeySpec', 'keyUsage', 'customKeyStoreId', 'xksKeyId'],
    source: `${TF}/kms/key.go`,
  },
  'aws:kms/replicaKey:ReplicaKey': { paths: ['primaryKeyArn'], source: `${TF}/kms/replica_key.go` },
  'aws:eks/cluster:Cluster': {
    // Read at the source: name, role_arn, bootstrap_self_managed_addons,
    // access_config.bootstrap_cluster_creator_admin_permissions, kubernetes_network_config.ip_family and
    // .service_ipv4_cidr, outpost_config.*, remote_network_config are ForceNew; vpc_config is updatable.
    paths: [
      'name',
      'roleArn',
      'bootstrapSelfManagedAddons',
      'accessConfig.bootstrapClusterCreatorAdminPermissions',
      'kubernetesNetworkConfig.ipFamily',
      'kubernetesNetworkConfig.serviceIpv4Cidr',
      'outpostConfig',
      'remoteNetworkConfig',
    ],
    source: `${TF}/eks/cluster.go`,
  },
  'aws:eks/nodeGroup:NodeGroup': {
    paths: [
      'clusterName',
      'nodeGroupName',
      'nodeGroupNamePrefix',
      'nodeRoleArn',
      'subnetIds',
      'instanceTypes',
      'capacityType',
      'amiType',
      'diskSize',
      'remoteAccess',
      // launch_template.id and .name are ForceNew, .version is not (read at the source): a new
      // template replaces the group, a new version of the same template rolls it in place.
      'launchTemplate.id',
      'launchTemplate.name',
    ],
    source: `${TF}/eks/node_group.go`,
  },
  'aws:ec2/subnet:Subnet': {
    // Read at the source: vpc_id, cidr_block, availability_zone, availability_zone_id, ipv6_native,
    // outpost_arn, ipv4/ipv6 IPAM pool and netmask length are ForceNew. availability_zone and
    // availability_zone_id are Optional+Computed: a subnet that moves from `availabilityZone` to the
    // `availabilityZoneId` it already sits in keeps its state value, so the provider plans no change;
    // this offline diff cannot know an account's name-to-ID mapping and reports the replace.
    paths: [
      'vpcId',
      'cidrBlock',
      'availabilityZone',
      'availabilityZoneId',
      'ipv6Native',
      'outpostArn',
      'ipv4IpamPoolId',
      'ipv4NetmaskLength',
      'ipv6IpamPoolId',
      'ipv6NetmaskLength',
    ],
    source: `${TF}/ec2/vpc_subnet.go`,
  },
  'aws:route53recoverycontrol/cluster:Cluster': {
    paths: ['name'],
    source: `${TF}/route53recoverycontrolconfig/cluster.go`,
  },
  'aws:route53recoverycontrol/controlPanel:ControlPanel': {
    paths: ['clusterArn'],
    source: `${TF}/route53recoverycontrolconfig/control_panel.go`,
  },
  'aws:route53recoverycontrol/routingControl:RoutingControl': {
    paths: ['clusterArn', 'controlPanelArn'],
    source: `${TF}/route53recoverycontrolconfig/routing_control.go`,
  },
  'aws:route53recoverycontrol/safetyRule:SafetyRule': {
    paths: ['controlPanelArn', 'assertedControls', 'gatingControls', 'targetControls', 'ruleConfig'],
    source: `${TF}/route53recoverycontrolconfig/safety_rule.go`,
  },
  'aws:route53/record:Record': { paths: ['zoneId', 'name'], source: `${TF}/route53/record.go` },
  'aws:route53/healthCheck:HealthCheck': {
    paths: ['type', 'referenceName', 'routingControlArn', 'requestInterval', 'measureLatency'],
    source: `${TF}/route53/health_check.go`,
  },
  'aws:ssm/parameter:Parameter': { paths: ['name', 'dataType'], source: `${TF}/ssm/parameter.go` },
  'aws:appautoscaling/target:Target': {
    paths: ['resourceId', 'scalableDimension', 'serviceNamespace'],
    source: `${TF}/appautoscaling/target.go`,
  },
  'aws:appautoscaling/policy:Policy': {
    paths: ['name', 'resourceId', 'scalableDimension', 'serviceNamespace'],
    source: `${TF}/appautoscaling/policy.go`,
  },
  'aws:ec2/natGateway:NatGateway': {
    paths: ['allocationId', 'subnetId', 'connectivityType'],
    source: `${TF}/ec2/vpc_nat_gateway.go`,
  },
  'aws:ec2/vpcEndpoint:VpcEndpoint': {
    paths: ['vpcId', 'serviceName', 'vpcEndpointType'],
    source: `${TF}/ec2/vpc_endpoint.go`,
  },
};

/**
 * `region` of a pulumi-aws v7 regional resource: moving a resource to another region replaces it
 * (Terraform AWS provider v6, website/docs/guides/enhanced-region-support.html.markdown).
 */
export const REGION_RULE: ReplaceRule = {
  paths: ['region'],
  source: 'hashicorp/terraform-provider-aws website/docs/guides/enhanced-region-support.html.markdown',
};

/**
 * Kubernetes objects are identified by name and namespace: pulumi-kubernetes replaces an object
 * whose `metadata.name` or `metadata.namespace` changes, and a Deployment's `spec.selector` is
 * immutable (Kubernetes API: apps/v1 DeploymentSpec.selector), which the provider also replaces.
 */
export const KUBERNETES_RULE: ReplaceRule = {
  paths: ['metadata.name', 'metadata.namespace', 'spec.selector'],
  source: 'pulumi/pulumi-kubernetes provider/pkg/provider/provider.go (Diff: forceNewProperties)',
};

/** Every replace rule that applies to a type. */
export function replaceRulesFor(type: string): ReplaceRule[] {
  const rules: ReplaceRule[] = [];
  const own = REPLACE_INPUTS[type];
  if (own) rules.push(own);
  if (type.startsWith('aws:')) rules.push(REGION_RULE);
  if (type.startsWith('kubernetes:')) rules.push(KUBERNETES_RULE);
  return rules;
}

/** True when a changed input path is, or lies inside, a replace-forcing input of the type. */
export function forcesReplace(type: string, changedPath: string): boolean {
  return replaceRulesFor(type).some((rule) =>
    rule.paths.some(
      (p) =>
        changedPath === p ||
        changedPath.startsWith(`${p}.`) ||
        changedPath.startsWith(`${p}[`) ||
        p.startsWith(`${changedPath}.`),
    ),
  );
}

/** Types that hold data: deleting or replacing one loses it (issue 11). */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'aws:dynamodb/table:Table',
  'aws:dynamodb/tableReplica:TableReplica',
  'aws:kinesis/stream:Stream',
  'aws:sqs/queue:Queue',
  'aws:kms/key:Key',
  'aws:kms/replicaKey:ReplicaKey',
]);

/** Types that serve traffic or control it: replacing one is disruptive (an advisory finding). */
export const SERVING_TYPES: ReadonlySet<string> = new Set([
  'aws:eks/cluster:Cluster',
  'aws:eks/nodeGroup:NodeGroup',
  'aws:sns/topic:Topic',
  'aws:route53/record:Record',
  'aws:route53/healthCheck:HealthCheck',
  'aws:route53recoverycontrol/cluster:Cluster',
  'aws:route53recoverycontrol/controlPanel:ControlPanel',
  'aws:route53recoverycontrol/routingControl:RoutingControl',
  'aws:route53recoverycontrol/safetyRule:SafetyRule',
  'aws:ssm/parameter:Parameter',
]);
