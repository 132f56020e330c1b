/**
 * The monthly cost of the launch windows (issue 12): what pre-scaling adds above the standing floors,
 * for the window's hours per month (length x occurrences, stacks/launch-windows.ts), read from the
 * plan's objects:
 * - a scheduled action `prescale-<window>-open` raises a table's `MinCapacity` from the standing floor
 *   (its `-close` twin) to the launch need: the difference in RCU / WCU for the window's hours; write
 *   settings of a global table are global, so raised writes are paid in the home region and the replica;
 * - a ScaledObject's `cron` trigger holds `desiredReplicas` pods instead of `minReplicaCount`: the
 *   difference in pods, priced as their CPU share of the region's node type (as the simulator prices
 *   over-provisioning), for the window's hours.
 * Quantities are unit-hours per month (RCU-hours, WCU-hours, instance-hours), priced per unit-hour.
 */
import { cronWindowSeconds } from '../../stacks/launch-windows';
import { INSTANCE_TYPES } from '../sim/instances';

type Props = Record<string, unknown>;
interface Rec {
  readonly urn: string;
  readonly type: string;
  readonly region: string | null;
  readonly props: Props;
}
/** The estimator's pricer: a line for `quantity` unit-hours of the hourly price `key`. */
export type HourlyPricer<L> = (item: string, key: string, unitHours: number) => L;

const obj = (v: unknown): Props => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Props) : {});
const hours = (start: unknown, end: unknown, perWeekDays: number) =>
  ((cronWindowSeconds(start, end) ?? 0) / 3600) * perWeekDays * (365.25 / 7 / 12);
const daysOf = (schedule: unknown) => {
  const m = /^(?:cron\()?\S+ \S+ \S+ \S+ (\S+)/.exec(String(schedule ?? ''));
  const d = m?.[1] ?? '*';
  return d === '*' || d === '?' ? 7 : d.split(',').length;
};
const round = (x: number) => Math.round(x * 100) / 100;

/** The line of a window's opening scheduled action; a string (why none) for anything else. */
export function scheduledActionLines<L>(r: Rec, all: readonly Rec[], price: HourlyPricer<L>): L[] | string {
  const m = /^prescale-(.+)-open$/.exec(String(r.props.name ?? ''));
  if (!m) return 'priced with its window opening (prescale-<window>-open)';
  const close = all.find(
    (c) =>
      c.type === r.type &&
      c.region === r.region &&
      c.props.resourceId === r.props.resourceId &&
      c.props.scalableDimension === r.props.scalableDimension &&
      c.props.name === `prescale-${m[1]}-close`,
  );
  if (!close) return `no closing action prescale-${m[1]}-close: not a launch window`;
  const extra =
    Number(obj(r.props.scalableTargetAction).minCapacity ?? 0) -
    Number(obj(close.props.scalableTargetAction).minCapacity ?? 0);
  const h = round(hours(r.props.schedule, close.props.schedule, daysOf(r.props.schedule)));
  const table = String(r.props.resourceId).replace(/^table\//, '');
  const reads = String(r.props.scalableDimension).endsWith('ReadCapacityUnits');
  const replicated = all.some(
    (x) =>
      x.type === 'aws:dynamodb/tableReplica:TableReplica' &&
      String(x.props.globalTableArn ?? '').endsWith(`:table/${table}`),
  );
  const copies = !reads && replicated ? 2 : 1;
  const unit = reads ? 'RCU' : replicated ? 'rWCU' : 'WCU';
  const key = reads ? 'dynamodb.rcu-hour' : replicated ? 'dynamodb.rwcu-hour' : 'dynamodb.wcu-hour';
  const item =
    `launch window ${m[1]}: ${table} ${reads ? 'reads' : 'writes'} +${extra} ${unit}` +
    `${copies > 1 ? ' x 2 copies (global write settings)' : ''} for ${h} h/month`;
  return [price(item, key, round(extra * copies * h))];
}

/** The line of a ScaledObject's cron triggers (pods above the minimum in the window); a string if none. */
export function scaledObjectLines<L>(r: Rec, all: readonly Rec[], price: HourlyPricer<L>): L[] | string {
  const spec = obj(r.props.spec);
  const crons = (Array.isArray(spec.triggers) ? spec.triggers : []).map(obj).filter((t) => t.type === 'cron');
  if (crons.length === 0) return 'runs on the node groups priced above';
  const target = String(obj(spec.scaleTargetRef).name);
  const deployment = all.find(
    (d) => d.region === r.region && d.props.kind === 'Deployment' && obj(d.props.metadata).name === target,
  );
  const containers = obj(obj(obj(deployment?.props.spec).template).spec).containers;
  const cpu = (Array.isArray(containers) ? containers : [])
    .map((c) => String(obj(obj(obj(c).resources).requests).cpu ?? '0'))
    .reduce((s, q) => s + (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000), 0);
  const group = all.find((n) => n.type === 'aws:eks/nodeGroup:NodeGroup' && n.region === r.region);
  const type = Array.isArray(group?.props.instanceTypes) ? String(group.props.instanceTypes[0]) : undefined;
  const vcpu = type ? INSTANCE_TYPES[type]?.vcpu : undefined;
  if (!type || !vcpu || cpu <= 0) return `no node type or CPU request to price ${target}'s launch pods`;
  const min = Number(spec.minReplicaCount ?? 0);
  return crons.map((t) => {
    const md = obj(t.metadata);
    const pods = Math.max(0, Number(md.desiredReplicas) - min);
    const h = round(hours(md.start, md.end, daysOf(md.start)));
    const nodes = (pods * cpu) / (vcpu * 1000 * 0.9);
    return price(
      `launch window ${String(t.name ?? 'cron').replace(/^prescale-/, '')}: ${target} +${pods} pods (${round(nodes)} x ${type}) for ${h} h/month`,
      `ec2.instance-hour.${type}`,
      round(nodes * h),
    );
  });
}
