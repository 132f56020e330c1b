import { obj as asObject, str } from '../../policies/props';
import { markdownTable } from '../lib/progress';
import { Violation } from '../policy/evaluate';
import { PlannedResource } from './harness';
import { COMPUTED_OUTPUTS, mockArn } from './mocks';

/** Resource types drawn in the topology picture, with the label prefix they get. */
const MAJOR_TYPES: Record<string, string> = {
  'aws:ec2/vpc:Vpc': 'VPC',
  'aws:kms/key:Key': 'KMS key',
  'aws:kms/replicaKey:ReplicaKey': 'KMS replica key',
  'aws:kinesis/stream:Stream': 'Kinesis',
  'aws:dynamodb/table:Table': 'DynamoDB',
  'aws:sns/topic:Topic': 'SNS',
  'aws:sqs/queue:Queue': 'SQS',
  'aws:eks/cluster:Cluster': 'EKS',
  'aws:route53recoverycontrol/routingControl:RoutingControl': 'ARC routing control',
  'aws:route53/record:Record': 'Route 53',
  'kubernetes:apps/v1:Deployment': 'Deployment',
};

/** An object input, or an empty one (the topology only reads optional fields). */
const obj = (v: unknown): Record<string, unknown> => asObject(v) ?? {};

/** The physical name a resource is known by (its `name` input, `metadata.name`, or the logical name). */
export function physicalName(r: PlannedResource): string {
  return str(r.props.name) ?? str(obj(r.props.metadata).name) ?? r.name;
}

/** The computed outputs the mocks give a resource, so references between resources match offline. */
function plannedOutputs(r: PlannedResource): Record<string, unknown> {
  const region = r.region ?? '';
  const physical = physicalName(r);
  return COMPUTED_OUTPUTS[r.type]?.({ name: r.name, physical, region, inputs: r.props }) ?? {};
}

/** The ARN the mocks give a resource. */
export function plannedArn(r: PlannedResource): string {
  return str(plannedOutputs(r).arn) ?? mockArn(r.type, r.region ?? '', physicalName(r));
}

const label = (s: string) => s.replace(/"/g, "'");
const subgraphId = (s: string) => `g_${s.replace(/[^A-Za-z0-9]/g, '_')}`;

/**
 * A Mermaid flowchart of the estate, derived from the plan only, never drawn by hand: one subgraph
 * per region holding its major resources (each EKS cluster a nested subgraph with its Deployments),
 * the traffic switch (failover record and ARC routing controls), and arrows for replication (global
 * tables, multi-region keys), subscriptions (SNS to SQS), DLQ redrives, and what each autoscaled
 * workload consumes (from its KEDA trigger).
 */
export function topologyMermaid(resources: readonly PlannedResource[]): string {
  const major = resources.filter((r) => MAJOR_TYPES[r.type]);
  const ids = new Map(major.map((r, i) => [r.urn, `n${i}`]));
  const id = (r: PlannedResource) => ids.get(r.urn) as string;
  const byArn = new Map(major.filter((r) => r.type.startsWith('aws:')).map((r) => [plannedArn(r), r]));
  const node = (r: PlannedResource, text = `${MAJOR_TYPES[r.type]}: ${physicalName(r)}`) =>
    `["${label(text)}"]`;
  const lines = ['flowchart LR'];
  const edges: string[] = [];

  // The traffic switch: one node per failover record name, and the routing controls.
  // Only health-checked failover records belong to the switch (not, e.g., certificate validation records).
  const records = major.filter(
    (r) => r.type === 'aws:route53/record:Record' && Array.isArray(r.props.failoverRoutingPolicies),
  );
  const controls = major.filter((r) => r.type === 'aws:route53recoverycontrol/routingControl:RoutingControl');
  const recordNodes = new Map<string, string>();
  if (records.length + controls.length > 0) {
    lines.push(`  subgraph g_traffic["traffic switch (Route 53 ARC)"]`);
    for (const r of records) {
      const name = str(r.props.name) ?? r.name;
      if (!recordNodes.has(name)) {
        recordNodes.set(name, id(r));
        lines.push(`    ${id(r)}${node(r, `Route 53 failover: ${name}`)}`);
      }
    }
    for (const c of controls) lines.push(`    ${id(c)}${node(c)}`);
    lines.push('  end');
  }
  const healthChecks = resources.filter((r) => r.type === 'aws:route53/healthCheck:HealthCheck');
  for (const r of records) {
    const check = healthChecks.find(
      (h) => `hc-${h.name}` === r.props.healthCheckId || h.name === r.props.healthCheckId,
    );
    const control = check ? byArn.get(str(check.props.routingControlArn) ?? '') : undefined;
    const failover =
      str(obj((r.props.failoverRoutingPolicies as unknown[] | undefined)?.[0]).type) ?? 'health-checked';
    const from = recordNodes.get(str(r.props.name) ?? r.name);
    if (from && control) edges.push(`  ${from} -- ${failover} --> ${id(control)}`);
  }

  const tableReplicas = resources.filter((r) => r.type === 'aws:dynamodb/tableReplica:TableReplica');
  const regions = [...new Set(major.map((r) => r.region).filter((g): g is string => g !== null))].sort();
  for (const region of regions) {
    lines.push(`  subgraph ${subgraphId(region)}["${region}"]`);
    const here = major.filter((m) => m.region === region);
    const clusters = here.filter((m) => m.type === 'aws:eks/cluster:Cluster');
    const deployments = here.filter((m) => m.type === 'kubernetes:apps/v1:Deployment');
    for (const c of clusters) {
      lines.push(
        `    subgraph ${subgraphId(`${region}-${physicalName(c)}`)}["EKS: ${label(physicalName(c))}"]`,
      );
      for (const d of deployments) lines.push(`      ${id(d)}${node(d)}`);
      lines.push('    end');
    }
    for (const r of here) {
      if (r.type === 'aws:eks/cluster:Cluster' || (clusters.length > 0 && deployments.includes(r))) continue;
      if (r.type.startsWith('aws:route53') || r.type.startsWith('aws:route53recoverycontrol')) continue;
      lines.push(`    ${id(r)}${node(r)}`);
    }
    for (const t of major.filter((m) => m.type === 'aws:dynamodb/table:Table')) {
      const replicas = Array.isArray(t.props.replicas) ? (t.props.replicas as unknown[]).map(obj) : [];
      // A replica declared as its own TableReplica names its table by the table's planned ARN.
      const separate = tableReplicas.filter(
        (x) => x.region === region && str(x.props.globalTableArn) === plannedArn(t),
      );
      if (replicas.some((x) => x.regionName === region) || separate.length > 0) {
        const replicaId = `${id(t)}_${region.replace(/-/g, '_')}`;
        lines.push(`    ${replicaId}["${label(`DynamoDB replica: ${physicalName(t)}`)}"]`);
        edges.push(`  ${id(t)} -. replicates .-> ${replicaId}`);
      }
    }
    lines.push('  end');
  }

  const queuesByUrl = new Map(
    major.filter((r) => r.type === 'aws:sqs/queue:Queue').map((q) => [str(plannedOutputs(q).url) ?? '', q]),
  );
  for (const r of resources) {
    if (r.type === 'aws:sns/topicSubscription:TopicSubscription') {
      const from = byArn.get(str(r.props.topic) ?? '');
      const to = byArn.get(str(r.props.endpoint) ?? '');
      if (from && to) edges.push(`  ${id(from)} -- subscription --> ${id(to)}`);
    }
    if (r.type === 'aws:kms/replicaKey:ReplicaKey') {
      const from = byArn.get(str(r.props.primaryKeyArn) ?? '');
      if (from) edges.push(`  ${id(from)} -. replicates .-> ${id(r)}`);
    }
    if (r.type === 'aws:sqs/queue:Queue' && typeof r.props.redrivePolicy === 'string') {
      const target = str(obj(JSON.parse(r.props.redrivePolicy)).deadLetterTargetArn);
      const dlq = byArn.get(target ?? '');
      if (dlq) edges.push(`  ${id(r)} -- redrive --> ${id(dlq)}`);
    }
    if (r.type === 'kubernetes:keda.sh/v1alpha1:ScaledObject') {
      const spec = obj(r.props.spec);
      const target = major.find(
        (d) =>
          d.type === 'kubernetes:apps/v1:Deployment' &&
          d.region === r.region &&
          physicalName(d) === str(obj(spec.scaleTargetRef).name),
      );
      for (const trigger of Array.isArray(spec.triggers) ? spec.triggers.map(obj) : []) {
        const meta = obj(trigger.metadata);
        const source =
          trigger.type === 'aws-kinesis-stream' ||
          (trigger.type === 'aws-cloudwatch' && meta.namespace === 'AWS/Kinesis')
            ? major.find(
                (s) =>
                  s.type === 'aws:kinesis/stream:Stream' &&
                  s.region === str(meta.awsRegion) &&
                  physicalName(s) === str(meta.streamName ?? meta.dimensionValue),
              )
            : trigger.type === 'aws-sqs-queue'
              ? queuesByUrl.get(str(meta.queueURL) ?? '')
              : undefined;
        if (source && target) edges.push(`  ${id(source)} -- consumed by --> ${id(target)}`);
      }
    }
  }
  return [...lines, ...[...new Set(edges)].sort()].join('\n');
}

/** `report.md` of one environment: counts by type and region, the policy verdicts, the topology. */
export function renderReport(
  env: string,
  resources: readonly PlannedResource[],
  violations: readonly Violation[],
  stacksSection?: string,
): string {
  const regions = [...new Set(resources.map((r) => r.region ?? 'global'))].sort();
  const counts = new Map<string, Map<string, number>>();
  for (const r of resources) {
    const row = counts.get(r.type) ?? new Map<string, number>();
    row.set(r.region ?? 'global', (row.get(r.region ?? 'global') ?? 0) + 1);
    counts.set(r.type, row);
  }
  const countRows = [...counts.keys()]
    .sort()
    .map((type) => [
      `\`${type}\``,
      ...regions.map((g) => String(counts.get(type)?.get(g) ?? 0)),
      String([...(counts.get(type)?.values() ?? [])].reduce((a, b) => a + b, 0)),
    ]);
  countRows.push([
    '**total**',
    ...regions.map((g) => String(resources.filter((r) => (r.region ?? 'global') === g).length)),
    String(resources.length),
  ]);

  const mandatory = violations.filter((v) => v.enforcementLevel === 'mandatory');
  const advisory = violations.filter((v) => v.enforcementLevel === 'advisory');
  const verdict =
    mandatory.length > 0
      ? `**FAIL**: ${mandatory.length} mandatory violation(s), ${advisory.length} advisory.`
      : `**PASS**: no mandatory violations, ${advisory.length} advisory.`;
  const violationRows = violations.map((v) => [
    v.enforcementLevel,
    `\`${v.policy}\``,
    `\`${v.urn}\``,
    v.message,
  ]);

  return [
    `<!-- Generated by \`npm run plan\`; do not edit. -->`,
    `# Plan: ${env}`,
    '',
    `${resources.length} resources in ${regions.filter((g) => g !== 'global').length} regions. Policy verdict: ${verdict}`,
    '',
    ...(stacksSection ? [stacksSection] : []),
    '## Topology',
    '',
    '```mermaid',
    topologyMermaid(resources),
    '```',
    '',
    '## Policy verdicts',
    '',
    violations.length > 0
      ? markdownTable(['level', 'policy', 'resource', 'message'], violationRows)
      : 'Every policy passed.',
    '',
    '## Resources by type and region',
    '',
    markdownTable(['type', ...regions, 'total'], countRows),
    '',
  ].join('\n');
}
