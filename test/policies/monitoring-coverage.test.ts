/**
 * monitoring-coverage: the happy stack passes; removing the one monitor of each kind of resource (or
 * its region, or its handle) fails with the named resource.
 */
import { monitoringCoverage, monitorView, scopePairs } from '../../policies/monitoring-coverage';
import { PlannedResource } from '../../tools/plan/harness';
import { evaluatePolicies } from '../../tools/policy/evaluate';
import { DR, happyStack, k8s, monitor, PRIMARY, PROD_CONFIG, withChange } from './fixtures';

const CONFIG = { ...PROD_CONFIG, 'monitoring-coverage': { regions: [PRIMARY, DR] } };

async function coverage(resources: readonly PlannedResource[]): Promise<string[]> {
  const vs = await evaluatePolicies(resources, CONFIG, [monitoringCoverage]);
  // The analyzer prefixes the policy's description; the finding is the last line.
  return vs.map((v) => v.message.split('\n').pop() as string).sort();
}

const without = (name: string) => (rs: PlannedResource[]) => rs.filter((r) => r.name !== name);

describe('monitoring-coverage', () => {
  test('passes the happy stack: every table, replica, stream, queue, cluster and serving Deployment is watched', async () => {
    expect(await coverage(happyStack())).toEqual([]);
  });

  test.each<[string, string, string]>([
    [
      'the table',
      `observability-table-${PRIMARY}`,
      `DynamoDB table '${PRIMARY}-prod-features' ('prod-features') in ${PRIMARY} must have at least one monitor in its own region: a Datadog monitor tagged or scoped region:${PRIMARY} whose query or tags name 'prod-features'.`,
    ],
    [
      'the DR replica',
      `observability-table-${DR}`,
      `DynamoDB table replica '${DR}-prod-features-replica' ('prod-features') in ${DR} must have at least one monitor in its own region: a Datadog monitor tagged or scoped region:${DR} whose query or tags name 'prod-features'.`,
    ],
    [
      'the stream',
      `observability-stream-${DR}`,
      `Kinesis stream '${DR}-transactions' ('prod-transactions') in ${DR} must have at least one monitor in its own region: a Datadog monitor tagged or scoped region:${DR} whose query or tags name 'prod-transactions'.`,
    ],
    [
      'the queue',
      `observability-queue-${PRIMARY}`,
      `SQS queue '${PRIMARY}-prod-case-review' ('prod-case-review') in ${PRIMARY} must have at least one monitor in its own region: a Datadog monitor tagged or scoped region:${PRIMARY} whose query or tags name 'prod-case-review'.`,
    ],
    [
      'the dead-letter queue',
      `observability-dlq-${DR}`,
      `SQS queue '${DR}-prod-case-review-dlq' ('prod-case-review-dlq') in ${DR} must have at least one monitor in its own region: a Datadog monitor tagged or scoped region:${DR} whose query or tags name 'prod-case-review-dlq'.`,
    ],
  ])('fails when %s has no monitor', async (_what, monitorName, message) => {
    expect(await coverage(without(monitorName)(happyStack()))).toEqual([message]);
  });

  test('fails for the cluster when no monitor scopes it (the workload monitors scope it too: remove all three)', async () => {
    const rs = without(`observability-cluster-${PRIMARY}`)(happyStack());
    expect(await coverage(rs)).toEqual([]);
    const none = without(`observability-lag-${PRIMARY}`)(without(`observability-latency-${PRIMARY}`)(rs));
    expect(await coverage(none)).toEqual([
      `Deployment 'risk-scoring/scoring-api' serves traffic in ${PRIMARY} and must have at least one monitor in its own region: a Datadog monitor tagged or scoped region:${PRIMARY} (or its cluster) with service:scoring-api.`,
      `Deployment 'risk-scoring/stream-scorer' serves traffic in ${PRIMARY} and must have at least one monitor in its own region: a Datadog monitor tagged or scoped region:${PRIMARY} (or its cluster) with service:stream-scorer.`,
      `EKS cluster '${PRIMARY}-cluster' ('prod-risk-${PRIMARY}') in ${PRIMARY} must have at least one monitor in its own region: a Datadog monitor tagged or scoped region:${PRIMARY} whose query or tags name 'prod-risk-${PRIMARY}'.`,
    ]);
  });

  test('fails for an autoscaled Deployment whose monitors are all in the other region', async () => {
    // The stream scorer's one monitor in DR is moved to the primary region's cluster: DR's scorer is unwatched.
    const rs = withChange(happyStack(), `observability-lag-${DR}`, (p) => {
      p.query = String(p.query).replace(
        `region:${DR},kube_cluster_name:prod-risk-${DR}`,
        `region:${PRIMARY}`,
      );
      p.tags = ['env:prod', 'service:stream-scorer', `region:${PRIMARY}`];
    });
    expect(await coverage(rs)).toEqual([
      `Deployment 'risk-scoring/stream-scorer' serves traffic in ${DR} and must have at least one monitor in its own region: a Datadog monitor tagged or scoped region:${DR} (or its cluster) with service:stream-scorer.`,
    ]);
  });

  test('a fixed-size Deployment no Service selects and nothing scales is not serving', async () => {
    const helper = k8s(PRIMARY, 'apps/v1', 'Deployment', 'replication-heartbeat', {
      spec: { replicas: 1, template: { metadata: { labels: { app: 'hb' } } } },
    });
    expect(await coverage([...happyStack(), helper])).toEqual([]);
  });

  test('a Deployment a Service selects is serving', async () => {
    const web = k8s(PRIMARY, 'apps/v1', 'Deployment', 'web', {
      spec: { template: { metadata: { labels: { app: 'web' } } } },
    });
    const svc = k8s(PRIMARY, 'v1', 'Service', 'web', { spec: { selector: { app: 'web' } } });
    expect(await coverage([...happyStack(), web, svc])).toEqual([
      `Deployment 'risk-scoring/web' serves traffic in ${PRIMARY} and must have at least one monitor in its own region: a Datadog monitor tagged or scoped region:${PRIMARY} (or its cluster) with service:web.`,
    ]);
    const watched = monitor(PRIMARY, 'web', {}, 'web');
    expect(await coverage([...happyStack(), web, svc, watched])).toEqual([]);
  });

  test('fails a monitor that notifies nobody', async () => {
    const rs = withChange(
      happyStack(),
      `observability-queue-${DR}`,
      (p) => (p.message = 'queue backlog, no handle'),
    );
    expect(await coverage(rs)).toEqual([
      "Monitor 'observability-queue-us-east-1' must notify someone: its message names no @-handle; append the environment's observability.notify handles.",
    ]);
  });
});

describe('monitorView', () => {
  test('reads regions from region: scopes, region tags and cluster names, never from receivingregion', () => {
    const m = monitor(PRIMARY, 'x', { tablename: 't', receivingregion: DR });
    const v = monitorView({ ...m, props: { ...m.props, tags: [] } } as never, [PRIMARY, DR]);
    expect([...v.regions]).toEqual([PRIMARY]);
    const k = monitor(DR, 'y', {});
    const kv = monitorView(
      {
        ...k,
        props: {
          ...k.props,
          tags: [],
          query: 'avg(last_5m):avg:a{kube_cluster_name:prod-risk-us-east-1} > 1',
        },
      } as never,
      [PRIMARY, DR],
    );
    expect([...kv.regions]).toEqual([DR]);
  });

  test('scopePairs reads every scope of a formula, negations included', () => {
    expect(scopePairs('sum:a{env:prod,!decision:approve}.as_count() / sum:a{env:prod}')).toEqual([
      ['env', 'prod'],
      ['decision', 'approve'],
      ['env', 'prod'],
    ]);
  });
});
