import { PolicyResource, StackValidationPolicy } from '@pulumi/policy';
import { autoscalersOf, k8sObjects } from './autoscaling-capacity';
import { arr, at, label, obj, physicalName, Props, regionOf, str } from './props';

/** Datadog monitors, as the plan registers them. */
export const MONITOR_TYPE = 'datadog:index/monitor:Monitor';

/** AWS resource types that hold state or serve traffic, with what a monitor must name. */
export const MONITORED_AWS_TYPES: Readonly<Record<string, string>> = {
  'aws:dynamodb/table:Table': 'DynamoDB table',
  'aws:dynamodb/tableReplica:TableReplica': 'DynamoDB table replica',
  'aws:kinesis/stream:Stream': 'Kinesis stream',
  'aws:sqs/queue:Queue': 'SQS queue',
  'aws:eks/cluster:Cluster': 'EKS cluster',
};

/** A Datadog handle in a monitor's message (`@pagerduty-x`, `@slack-y`, `@team@example.com`). */
const HANDLE_RE = /(^|\s)@[\w.-]+/;

/** A monitor as the rule reads it: the regions it watches and the tag values it names. */
interface MonitorView {
  readonly r: PolicyResource;
  readonly regions: ReadonlySet<string>;
  /** Every `key:value` of its query's scopes and of its tags. */
  readonly values: ReadonlySet<string>;
  readonly services: ReadonlySet<string>;
}

/** The `key:value` pairs of a query's `{...}` scopes. */
export function scopePairs(query: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const m of query.matchAll(/\{([^}]*)\}/g)) {
    for (const part of m[1].split(',')) {
      const i = part.indexOf(':');
      if (i > 0) pairs.push([part.slice(0, i).trim().replace(/^!/, ''), part.slice(i + 1).trim()]);
    }
  }
  return pairs;
}

/**
 * The regions a monitor watches: its `region:` tags and query scopes, and the region suffix of a
 * `kube_cluster_name` it scopes (clusters are `<env>-risk-<region>`). A `receivingregion` is not its
 * region: the metric is read in the sending one.
 */
export function monitorView(r: PolicyResource, knownRegions: readonly string[]): MonitorView {
  const props = r.props as Props;
  const query = str(props.query) ?? '';
  const tags = arr(props.tags).filter((t): t is string => typeof t === 'string');
  const pairs = [
    ...scopePairs(query),
    ...tags.map((t): [string, string] => [t.split(':')[0], t.split(':').slice(1).join(':')]),
  ];
  const regions = new Set<string>();
  for (const [k, v] of pairs) {
    if (k === 'region') regions.add(v);
    if (k === 'kube_cluster_name') for (const kr of knownRegions) if (v.endsWith(`-${kr}`)) regions.add(kr);
  }
  return {
    r,
    regions,
    values: new Set(pairs.map(([, v]) => v)),
    services: new Set(pairs.filter(([k]) => k === 'service').map(([, v]) => v)),
  };
}

/** The physical name a monitor must name: a replica's is its global table's. */
function monitoredName(r: PolicyResource): string {
  if (r.type === 'aws:dynamodb/tableReplica:TableReplica') {
    const arn = str((r.props as Props).globalTableArn);
    if (arn) return arn.split(':table/').pop() as string;
  }
  return physicalName(r);
}

/**
 * The Deployments that serve traffic: those a Service selects or an autoscaler scales (a fixed-size
 * helper such as the replication heartbeat serves no one; its liveness is the heartbeat's own age).
 */
function servingDeployments(resources: readonly PolicyResource[]) {
  const objects = k8sObjects(resources);
  const scaled = new Set(autoscalersOf(objects).map((a) => `${a.o.region}|${a.o.namespace}/${a.target}`));
  const services = objects.filter((o) => o.kind === 'Service');
  return objects.filter((o) => {
    if (o.kind !== 'Deployment') return false;
    if (scaled.has(`${o.region}|${o.namespace}/${o.name}`)) return true;
    const labels = obj(at(o.props, 'spec.template.metadata.labels')) ?? {};
    return services.some((s) => {
      const selector = obj(at(s.props, 'spec.selector'));
      return (
        s.region === o.region &&
        s.namespace === o.namespace &&
        selector !== undefined &&
        Object.keys(selector).length > 0 &&
        Object.entries(selector).every(([k, v]) => labels[k] === v)
      );
    });
  });
}

interface CoverageConfig {
  /** The environment's regions, to read a cluster name's region. @default ['us-west-2', 'us-east-1'] */
  readonly regions?: readonly string[];
}

/** Every stateful or serving resource has a monitor in its own region, and every monitor notifies someone. */
export const monitoringCoverage: StackValidationPolicy = {
  name: 'monitoring-coverage',
  description:
    'Every stateful or serving resource (table, replica, stream, queue, cluster, Deployment serving traffic) must have at least one Datadog monitor in its own region that names it, and every monitor must notify someone (an @-handle in its message).',
  enforcementLevel: 'mandatory',
  configSchema: { properties: { regions: { type: 'array', items: { type: 'string' } } } },
  validateStack: (args, report) => {
    const config = args.getConfig<CoverageConfig>() ?? {};
    const monitors = args.resources.filter((r) => r.type === MONITOR_TYPE);
    const seen = [...new Set(args.resources.map((r) => regionOf(r)).filter((x): x is string => !!x))];
    const known = [...new Set([...(config.regions ?? ['us-west-2', 'us-east-1']), ...seen])];
    const views = monitors.map((m) => monitorView(m, known));

    for (const m of monitors) {
      const message = str((m.props as Props).message) ?? '';
      if (!HANDLE_RE.test(message)) {
        report(
          `${label(m.type, m.name)} must notify someone: its message names no @-handle; append the environment's observability.notify handles.`,
          m.urn,
        );
      }
    }

    const inRegion = (region: string) => views.filter((v) => v.regions.has(region));
    for (const r of args.resources.filter((x) => MONITORED_AWS_TYPES[x.type] !== undefined)) {
      const region = regionOf(r);
      const name = monitoredName(r);
      if (!region || inRegion(region).some((v) => v.values.has(name))) continue;
      report(
        `${MONITORED_AWS_TYPES[r.type]} '${r.name}' ('${name}') in ${region} must have at least one monitor in its own region: ` +
          `a Datadog monitor tagged or scoped region:${region} whose query or tags name '${name}'.`,
        r.urn,
      );
    }

    for (const d of servingDeployments(args.resources)) {
      const covered = inRegion(d.region).some((v) => v.services.has(d.name) || v.values.has(d.name));
      if (covered) continue;
      report(
        `Deployment '${d.namespace}/${d.name}' serves traffic in ${d.region} and must have at least one monitor in its own region: ` +
          `a Datadog monitor tagged or scoped region:${d.region} (or its cluster) with service:${d.name}.`,
        d.r.urn,
      );
    }
  },
};
