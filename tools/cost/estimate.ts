import { scaledObjectLines, scheduledActionLines } from './launch-windows';
import { envOf, PlanRecord, projectOf, stackOf } from '../diff/load';
import { PriceTable } from './prices';

/** One priced item of one resource (DESIGN.md §3.6). */
export interface CostLine {
  readonly urn: string;
  readonly type: string;
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly monthly: number;
}

/** A resource the table has no price for: listed, never counted as zero. */
export interface Unpriced {
  readonly urn: string;
  readonly type: string;
  readonly reason: string;
}

export interface EnvironmentCost {
  readonly env: string;
  readonly monthly: number;
  readonly lines: CostLine[];
  readonly stacks: { readonly stack: string; readonly monthly: number }[];
  readonly unpriced: Unpriced[];
  /** Usage-based resources not estimated, by reason, with their count. */
  readonly notEstimated: { readonly type: string; readonly count: number; readonly reason: string }[];
}

export interface CostReport {
  readonly currency: 'USD';
  readonly priceDate: string;
  readonly environments: EnvironmentCost[];
  readonly assumptions: string[];
}

type Pricer = (
  r: PlanRecord,
  item: string,
  key: string,
  quantity: number,
  hourly: boolean,
) => CostLine | Unpriced;

/** Environments in promotion order; others follow alphabetically. */
const ENV_ORDER = ['dev', 'staging', 'prod'];

/** Rounds to cents, so sums are exact and stable. */
export const cents = (x: number): number => Math.round(x * 100) / 100;

function tableName(arn: unknown): string | undefined {
  return typeof arn === 'string' ? /:table\/([^/]+)$/.exec(arn)?.[1] : undefined;
}

/** The autoscaling minimum of a table's dimension in a region, if an autoscaling target exists. */
function floor(all: readonly PlanRecord[], table: string, region: string | null, dim: 'Read' | 'Write') {
  const t = all.find(
    (r) =>
      r.type === 'aws:appautoscaling/target:Target' &&
      r.region === region &&
      r.props.resourceId === `table/${table}` &&
      r.props.scalableDimension === `dynamodb:table:${dim}CapacityUnits`,
  );
  return typeof t?.props.minCapacity === 'number' ? t.props.minCapacity : undefined;
}

/** The lines of one resource, or why it has none. */
function linesOf(r: PlanRecord, all: readonly PlanRecord[], price: Pricer): (CostLine | Unpriced)[] | string {
  const p = r.props;
  const num = (v: unknown, d = 0) => (typeof v === 'number' ? v : d);
  switch (r.type) {
    case 'aws:eks/cluster:Cluster':
      return [price(r, 'EKS control plane', 'eks.cluster-hour', 1, true)];
    case 'aws:eks/nodeGroup:NodeGroup': {
      const nodes = num((p.scalingConfig as Record<string, unknown> | undefined)?.desiredSize);
      const type = Array.isArray(p.instanceTypes) ? String(p.instanceTypes[0]) : 't3.medium';
      return [
        price(r, `nodes: ${nodes} x ${type}`, `ec2.instance-hour.${type}`, nodes, true),
        price(
          r,
          `node root volumes: ${nodes} x ${num(p.diskSize, 20)} GiB gp3`,
          'ebs.gp3-gb-month',
          nodes * num(p.diskSize, 20),
          false,
        ),
      ];
    }
    case 'aws:ec2/natGateway:NatGateway':
      return [price(r, 'NAT gateway', 'vpc.nat-gateway-hour', 1, true)];
    case 'aws:ec2/eip:Eip':
      return [price(r, 'public IPv4 address', 'vpc.public-ipv4-hour', 1, true)];
    case 'aws:ec2/vpcEndpoint:VpcEndpoint': {
      if (p.vpcEndpointType !== 'Interface') return 'gateway endpoints are free';
      const azs = Array.isArray(p.subnetIds) ? p.subnetIds.length : 1;
      return [
        price(
          r,
          `interface endpoint ${String(p.serviceName)} x ${azs} AZ`,
          'privatelink.interface-endpoint-az-hour',
          azs,
          true,
        ),
      ];
    }
    case 'aws:kinesis/stream:Stream': {
      const mode = (p.streamModeDetails as Record<string, unknown> | undefined)?.streamMode;
      if (mode === 'ON_DEMAND')
        return [price(r, 'on-demand stream', 'kinesis.on-demand-stream-hour', 1, true)];
      const shards = num(p.shardCount);
      const out = [price(r, `${shards} shards`, 'kinesis.shard-hour', shards, true)];
      if (num(p.retentionPeriod, 24) > 24) {
        out.push(
          price(
            r,
            `extended retention ${num(p.retentionPeriod)} h x ${shards} shards`,
            'kinesis.extended-retention-shard-hour',
            shards,
            true,
          ),
        );
      }
      return out;
    }
    case 'aws:kinesis/streamConsumer:StreamConsumer': {
      const name = typeof p.streamArn === 'string' ? p.streamArn.split('/').pop() : undefined;
      const stream = all.find(
        (s) => s.type === 'aws:kinesis/stream:Stream' && s.region === r.region && s.props.name === name,
      );
      if (!stream)
        return [{ urn: r.urn, type: r.type, reason: `its stream ${String(p.streamArn)} is not in the plan` }];
      const mode = (stream.props.streamModeDetails as Record<string, unknown> | undefined)?.streamMode;
      if (mode === 'ON_DEMAND') return 'enhanced fan-out on an on-demand stream is priced per GB retrieved';
      const shards = num(stream.props.shardCount);
      return [
        price(r, `enhanced fan-out x ${shards} shards`, 'kinesis.efo-consumer-shard-hour', shards, true),
      ];
    }
    case 'aws:dynamodb/table:Table': {
      if (p.billingMode === 'PAY_PER_REQUEST') return 'usage:aws:dynamodb/table:Table#PAY_PER_REQUEST';
      const name = String(p.name);
      const replicated = all.some(
        (x) =>
          x.type === 'aws:dynamodb/tableReplica:TableReplica' && tableName(x.props.globalTableArn) === name,
      );
      const reads = floor(all, name, r.region, 'Read') ?? num(p.readCapacity);
      const writes = floor(all, name, r.region, 'Write') ?? num(p.writeCapacity);
      return [
        price(r, `${name} reads: ${reads} RCU`, 'dynamodb.rcu-hour', reads, true),
        replicated
          ? price(r, `${name} replicated writes: ${writes} rWCU`, 'dynamodb.rwcu-hour', writes, true)
          : price(r, `${name} writes: ${writes} WCU`, 'dynamodb.wcu-hour', writes, true),
      ];
    }
    case 'aws:dynamodb/tableReplica:TableReplica': {
      const name = tableName(p.globalTableArn);
      const home = all.find((x) => x.type === 'aws:dynamodb/table:Table' && x.props.name === name);
      if (!name || !home)
        return [
          {
            urn: r.urn,
            type: r.type,
            reason: `its global table ${String(p.globalTableArn)} is not in the plan`,
          },
        ];
      if (home.props.billingMode === 'PAY_PER_REQUEST')
        return 'usage:aws:dynamodb/table:Table#PAY_PER_REQUEST';
      const reads = floor(all, name, r.region, 'Read') ?? num(home.props.readCapacity);
      const writes = floor(all, name, home.region, 'Write') ?? num(home.props.writeCapacity);
      return [
        price(r, `${name} replica reads: ${reads} RCU`, 'dynamodb.rcu-hour', reads, true),
        price(r, `${name} replica replicated writes: ${writes} rWCU`, 'dynamodb.rwcu-hour', writes, true),
      ];
    }
    case 'aws:appautoscaling/scheduledAction:ScheduledAction':
      return scheduledActionLines(r, all, (item, key, q) => price(r, item, key, q, false));
    case 'kubernetes:keda.sh/v1alpha1:ScaledObject':
      return scaledObjectLines(r, all, (item, key, q) => price(r, item, key, q, false));
    case 'aws:kms/key:Key':
    case 'aws:kms/replicaKey:ReplicaKey':
      return [price(r, 'KMS key', 'kms.key-month', 1, false)];
    case 'aws:route53recoverycontrol/cluster:Cluster':
      return [price(r, 'ARC cluster', 'arc.cluster-hour', 1, true)];
    case 'aws:route53/healthCheck:HealthCheck':
      return [price(r, `health check (${String(p.type)})`, 'route53.health-check-month', 1, false)];
    case 'aws:ssm/parameter:Parameter':
      if (p.tier === 'Advanced')
        return [price(r, 'advanced parameter', 'ssm.advanced-parameter-month', 1, false)];
      return 'usage:aws:ssm/parameter:Parameter#Standard';
    case 'kubernetes:helm.sh/v3:Release': {
      if (p.chart !== 'datadog') return 'runs on the node groups priced above';
      const nodes = all
        .filter((n) => n.type === 'aws:eks/nodeGroup:NodeGroup' && n.region === r.region)
        .reduce(
          (s, n) => s + num((n.props.scalingConfig as Record<string, unknown> | undefined)?.desiredSize),
          0,
        );
      return [price(r, `Datadog hosts: ${nodes} nodes`, 'datadog.infrastructure-host-month', nodes, false)];
    }
    default:
      return 'unknown';
  }
}

/**
 * The monthly cost of every environment and stack in a plan, by line item, from the price table.
 * A resource type the table neither prices nor lists as free or usage-based is `unpriced`.
 */
export function estimateCost(resources: readonly PlanRecord[], table: PriceTable): CostReport {
  const byEnv = new Map<string, PlanRecord[]>();
  for (const r of resources) byEnv.set(envOf(r.urn), [...(byEnv.get(envOf(r.urn)) ?? []), r]);
  const price: Pricer = (r, item, key, quantity, hourly) => {
    const entry = table.prices[key];
    const region = r.region ?? 'global';
    const unitPrice = entry?.regions[region] ?? entry?.regions.global;
    if (entry === undefined || unitPrice === undefined) {
      return {
        urn: r.urn,
        type: r.type,
        reason: `no price ${key} for ${region} in the price table (${item})`,
      };
    }
    const monthly = cents(quantity * unitPrice * (hourly ? table.hoursPerMonth : 1));
    return {
      urn: r.urn,
      type: r.type,
      item,
      quantity,
      unit: hourly ? entry.unit.replace(/-hour$/, '') : entry.unit,
      monthly,
    };
  };
  const order = (env: string) => {
    const i = ENV_ORDER.indexOf(env);
    return i < 0 ? ENV_ORDER.length : i;
  };
  const envs = [...byEnv].sort(([a], [b]) => order(a) - order(b) || (a < b ? -1 : 1));
  const environments = envs.map(([env, rs]): EnvironmentCost => {
    const lines: CostLine[] = [];
    const unpriced: Unpriced[] = [];
    const skipped = new Map<string, { type: string; count: number; reason: string }>();
    for (const r of rs) {
      const pkg = r.type.split(':')[0];
      if (pkg === 'pulumi' || pkg === projectOf(r.urn)) continue; // stacks, providers, components
      const free =
        table.noCharge[r.type] ?? (pkg === 'kubernetes' ? table.noCharge['kubernetes:*'] : undefined);
      const out = linesOf(r, rs, price);
      if (typeof out !== 'string') {
        for (const l of out) {
          if ('item' in l) lines.push(l);
          else unpriced.push(l);
        }
        continue;
      }
      const usageKey = out.startsWith('usage:') ? out.slice('usage:'.length) : r.type;
      const usage = table.usageOnly[usageKey];
      if (out === 'unknown' && !free && !usage) {
        unpriced.push({ urn: r.urn, type: r.type, reason: 'no price listed for this type' });
      } else if (usage) {
        const s = skipped.get(usageKey) ?? { type: usageKey, count: 0, reason: usage };
        skipped.set(usageKey, { ...s, count: s.count + 1 });
      }
    }
    const stacks = [...new Set(lines.map((l) => stackOf(l.urn)))].sort().map((stack) => ({
      stack,
      monthly: cents(lines.filter((l) => stackOf(l.urn) === stack).reduce((s, l) => s + l.monthly, 0)),
    }));
    return {
      env,
      monthly: cents(lines.reduce((s, l) => s + l.monthly, 0)),
      lines,
      stacks,
      unpriced,
      notEstimated: [...skipped.values()],
    };
  });
  return { currency: 'USD', priceDate: table.priceDate, environments, assumptions: table.assumptions };
}
