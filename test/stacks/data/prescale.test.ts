/**
 * Issue 12: the prod plan's launch pre-scale objects (one plan of prod for the file): the KEDA cron
 * floors on the serving region's ScaledObjects, the scheduled table floors, and their cost lines.
 */
import { synthesizeWorkloads } from '../../../charts';
import { exampleWorkloadsProps } from '../../../charts/example-props';
import { estimateCost } from '../../../tools/cost/estimate';
import { readPriceTable } from '../../../tools/cost/prices';
import type { EnvironmentPlan } from '../../../tools/plan/harness';
import { ofType, planOf } from '../../helpers/plan';
import { weeklyReleaseCronTrigger } from '../../helpers/cron-trigger';

let plan: EnvironmentPlan;
beforeAll(async () => {
  plan = await planOf('prod');
});

const SCHEDULED = 'aws:appautoscaling/scheduledAction:ScheduledAction';
const SCALED = 'kubernetes:keda.sh/v1alpha1:ScaledObject';
type Obj = Record<string, unknown>;
const spec = (r: { props: Obj }) => r.props.spec as { triggers: Obj[]; maxReplicaCount: number };

describe('prod launch pre-scaling', () => {
  it("the serving region's scoring-api and stream-scorer hold their peak need during the window", () => {
    const crons = ofType(plan, SCALED, 'us-west-2').map((r) => [
      (r.props.metadata as Obj).name,
      spec(r).triggers.filter((t) => t.type === 'cron'),
    ]);
    const trigger = (n: string) => [weeklyReleaseCronTrigger(n)];
    // 40,000 rps / 400 per pod; 50,000 records/s / 1,000 per pod. feedback-worker's minimum already covers its peak.
    expect(crons).toEqual(
      expect.arrayContaining([
        ['scoring-api', trigger('100')],
        ['stream-scorer', trigger('50')],
        ['feedback-worker', []],
      ]),
    );
  });

  it('the standby region gets no cron floor (a failover raises its minimums instead)', () => {
    for (const r of ofType(plan, SCALED, 'us-east-1'))
      expect(spec(r).triggers.filter((t) => t.type === 'cron')).toEqual([]);
  });

  it('every cron floor is at most its maxReplicaCount', () => {
    for (const r of ofType(plan, SCALED))
      for (const t of spec(r).triggers.filter((x) => x.type === 'cron'))
        expect(Number((t.metadata as Obj).desiredReplicas)).toBeLessThanOrEqual(spec(r).maxReplicaCount);
  });

  it('scheduled actions raise the launch-driven floors at 09:30 and restore them at 12:00 Pacific', () => {
    const rows = ofType(plan, SCHEDULED)
      .map((r) => [
        r.region,
        r.props.resourceId,
        String(r.props.scalableDimension).replace('dynamodb:table:', ''),
        r.props.name,
        r.props.schedule,
        r.props.timezone,
        (r.props.scalableTargetAction as Obj).minCapacity,
      ])
      .sort((a, b) => String(a.slice(1, 4)).localeCompare(String(b.slice(1, 4))));
    const pt = 'America/Los_Angeles';
    const open = 'cron(30 9 ? * TUE *)';
    const close = 'cron(0 12 ? * TUE *)';
    expect(rows).toEqual([
      [
        'us-west-2',
        'table/prod-decisions',
        'ReadCapacityUnits',
        'prescale-weekly-release-close',
        close,
        pt,
        200,
      ],
      [
        'us-west-2',
        'table/prod-decisions',
        'ReadCapacityUnits',
        'prescale-weekly-release-open',
        open,
        pt,
        572,
      ],
      [
        'us-west-2',
        'table/prod-features',
        'ReadCapacityUnits',
        'prescale-weekly-release-close',
        close,
        pt,
        30000,
      ],
      [
        'us-west-2',
        'table/prod-features',
        'ReadCapacityUnits',
        'prescale-weekly-release-open',
        open,
        pt,
        85715,
      ],
      [
        'us-west-2',
        'table/prod-features',
        'WriteCapacityUnits',
        'prescale-weekly-release-close',
        close,
        pt,
        400,
      ],
      [
        'us-west-2',
        'table/prod-features',
        'WriteCapacityUnits',
        'prescale-weekly-release-open',
        open,
        pt,
        1143,
      ],
    ]);
  });

  it('each close restores exactly the scalable target minimum (the standing floor)', () => {
    const targets = ofType(plan, 'aws:appautoscaling/target:Target');
    for (const a of ofType(plan, SCHEDULED).filter((r) => String(r.props.name).endsWith('-close'))) {
      const t = targets.find(
        (x) =>
          x.region === a.region &&
          x.props.resourceId === a.props.resourceId &&
          x.props.scalableDimension === a.props.scalableDimension,
      );
      expect((a.props.scalableTargetAction as Obj).minCapacity).toBe(t?.props.minCapacity);
    }
  });

  it('npm run cost prices the window hours and prod stays within its $60,000 budget', () => {
    const prod = estimateCost(plan.resources, readPriceTable()).environments[0];
    const launch = prod.lines.filter((l) => l.item.startsWith('launch window weekly-release'));
    expect(launch.map((l) => l.item).sort()).toEqual([
      'launch window weekly-release: prod-decisions reads +372 RCU for 10.87 h/month',
      'launch window weekly-release: prod-features reads +55715 RCU for 10.87 h/month',
      'launch window weekly-release: prod-features writes +743 rWCU x 2 copies (global write settings) for 10.87 h/month',
      'launch window weekly-release: scoring-api +50 pods (6.94 x c7i.2xlarge) for 10.87 h/month',
      'launch window weekly-release: stream-scorer +25 pods (1.74 x c7i.2xlarge) for 10.87 h/month',
    ]);
    const total = launch.reduce((s, l) => s + l.monthly, 0);
    expect(total).toBeGreaterThan(100);
    expect(total).toBeLessThan(200);
    expect(prod.monthly).toBeLessThan(60000);
  });
});

describe('the chart refuses a cron floor above the maximum', () => {
  it('names the field, the value and the bound', () => {
    const props = exampleWorkloadsProps('prod', 'us-west-2', 'primary');
    const max = props.bounds.scoringApi.maxReplicas;
    expect(() =>
      synthesizeWorkloads({
        ...props,
        prescale: [
          {
            name: 'weekly-release',
            timezone: 'UTC',
            start: '30 9 * * TUE',
            end: '0 12 * * TUE',
            replicas: { scoringApi: max + 1 },
          },
        ],
      }),
    ).toThrow(
      `'prescale[0].replicas.scoringApi' (${max + 1}) must be an integer between 1 and 'bounds.scoringApi.maxReplicas' (${max})`,
    );
  });

  it('refuses equal start and end (KEDA: "start and end can not have exactly same time input")', () => {
    const props = exampleWorkloadsProps('prod', 'us-west-2', 'primary');
    expect(() =>
      synthesizeWorkloads({
        ...props,
        prescale: [
          { name: 'w', timezone: 'UTC', start: '0 9 * * *', end: '0 9 * * *', replicas: { scoringApi: 5 } },
        ],
      }),
    ).toThrow(`'prescale[0].end' ("0 9 * * *") must differ from 'prescale[0].start'`);
  });
});
