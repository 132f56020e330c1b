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
  'kubernetes:apps/v1:Deployment': 'Deployment',
};

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The physical name a resource is known by (its `name` input, `metadata.name`, or the logical name). */
export function physicalName(r: PlannedResource): string {
  const meta = r.props.metadata as { name?: unknown } | undefined;
  return str(r.props.name) ?? str(meta?.name) ?? r.name;
}

/** The ARN the mocks give a resource, so references between resources can be matched offline. */
export function plannedArn(r: PlannedResource): string {
  const region = r.region ?? '';
  const physical = physicalName(r);
  const computed = COMPUTED_OUTPUTS[r.type]?.({ name: r.name, physical, region, inputs: r.props });
  return str(computed?.arn) ?? mockArn(r.type, region, physical);
}

const nodeId = (r: PlannedResource) => `n${r.urn.replace(/[^A-Za-z0-9]/g, '_').slice(-60)}`;
const label = (s: string) => s.replace(/"/g, "'");

/**
 * A Mermaid flowchart of the estate: one subgraph per region holding its major resources, with
 * arrows for replication (global tables, multi-region keys), subscriptions (SNS to SQS), DLQ
 * redrives, and stream consumption. Derived from the plan only, never drawn by hand.
 */
export function topologyMermaid(resources: readonly PlannedResource[]): string {
  const major = resources.filter((r) => MAJOR_TYPES[r.type]);
  const byArn = new Map(major.filter((r) => r.type.startsWith('aws:')).map((r) => [plannedArn(r), r]));
  const regions = [...new Set(major.map((r) => r.region ?? 'global'))].sort();
  const lines = ['flowchart LR'];
  const edges: string[] = [];

  for (const region of regions) {
    lines.push(`  subgraph ${region.replace(/-/g, '_')}["${region}"]`);
    for (const r of major.filter((m) => (m.region ?? 'global') === region)) {
      lines.push(`    ${nodeId(r)}["${label(`${MAJOR_TYPES[r.type]}: ${physicalName(r)}`)}"]`);
    }
    for (const r of major.filter((m) => m.type === 'aws:dynamodb/table:Table')) {
      const replicas = Array.isArray(r.props.replicas)
        ? (r.props.replicas as { regionName?: unknown }[])
        : [];
      if (replicas.some((x) => x.regionName === region)) {
        const id = `${nodeId(r)}_${region.replace(/-/g, '_')}`;
        lines.push(`    ${id}["${label(`DynamoDB replica: ${physicalName(r)}`)}"]`);
        edges.push(`  ${nodeId(r)} -. replicates .-> ${id}`);
      }
    }
    lines.push('  end');
  }

  for (const r of resources) {
    if (r.type === 'aws:sns/topicSubscription:TopicSubscription') {
      const from = byArn.get(str(r.props.topic) ?? '');
      const to = byArn.get(str(r.props.endpoint) ?? '');
      if (from && to) edges.push(`  ${nodeId(from)} -- subscription --> ${nodeId(to)}`);
    }
    if (r.type === 'aws:kms/replicaKey:ReplicaKey') {
      const from = byArn.get(str(r.props.primaryKeyArn) ?? '');
      if (from) edges.push(`  ${nodeId(from)} -. replicates .-> ${nodeId(r)}`);
    }
    if (r.type === 'aws:sqs/queue:Queue' && typeof r.props.redrivePolicy === 'string') {
      const target = (JSON.parse(r.props.redrivePolicy) as { deadLetterTargetArn?: string })
        .deadLetterTargetArn;
      const dlq = byArn.get(target ?? '');
      if (dlq) edges.push(`  ${nodeId(r)} -- redrive --> ${nodeId(dlq)}`);
    }
    if (r.type === 'aws:kinesis/streamConsumer:StreamConsumer') {
      const stream = byArn.get(str(r.props.streamArn) ?? '');
      const cluster = major.find((m) => m.type === 'aws:eks/cluster:Cluster' && m.region === r.region);
      if (stream && cluster) edges.push(`  ${nodeId(stream)} -- fan-out consumer --> ${nodeId(cluster)}`);
    }
  }
  return [...lines, ...[...new Set(edges)].sort()].join('\n');
}

/** `report.md` of one environment: counts by type and region, the policy verdicts, the topology. */
export function renderReport(
  env: string,
  resources: readonly PlannedResource[],
  violations: readonly Violation[],
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
