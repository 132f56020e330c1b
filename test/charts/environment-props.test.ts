import { environmentWorkloadsProps, loadEnvironment } from '../../charts/example-props';
import { synthesizeWorkloads } from '../../charts';
import { capacityPlan } from '../../stacks/capacity';
import { planOf } from '../helpers/plan';

const prod = loadEnvironment('prod');
const [primary, dr] = prod.sites;

describe('environmentWorkloadsProps', () => {
  test('gives the active (primary) region full minimums and DR the standby minimums of the capacity model', () => {
    const plan = capacityPlan(prod);
    expect(environmentWorkloadsProps(prod, primary).bounds.scoringApi.minReplicas).toBe(
      plan.workloads['scoring-api'].minReplicas,
    );
    expect(environmentWorkloadsProps(prod, dr).bounds.scoringApi.minReplicas).toBe(
      plan.workloads['scoring-api'].standbyMinReplicas,
    );
    expect(environmentWorkloadsProps(prod, dr).shardCount).toBe(plan.stream.shardCount);
  });

  test("takes images (from the DR region's own registry), namespace and the regional endpoint from the stack config", () => {
    const props = environmentWorkloadsProps(prod, dr);
    expect(props.images).toEqual({
      scoringApi: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${prod.workloads.images.scoringApi}`,
      streamScorer: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${prod.workloads.images.streamScorer}`,
      feedbackWorker: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${prod.workloads.images.feedbackWorker}`,
      replicationHeartbeat: prod.workloads.images.replicationHeartbeat,
    });
    expect(props.namespace).toBe('risk-scoring');
    expect(props.scoringEndpoint?.hostname).toBe('score-us-east-1.risk.example.com');
  });

  test('synthesizes the same autoscaler bounds the Pulumi program deploys', async () => {
    const planned = await planOf('prod');
    const deployed = (region: string) =>
      Object.fromEntries(
        planned.resources
          .filter((r) => r.region === region && r.type === 'kubernetes:keda.sh/v1alpha1:ScaledObject')
          .map((r) => {
            const spec = r.props.spec as { minReplicaCount: number; maxReplicaCount: number };
            return [
              (r.props.metadata as { name: string }).name,
              [spec.minReplicaCount, spec.maxReplicaCount],
            ];
          }),
      );
    for (const site of prod.sites) {
      const synthesized = Object.fromEntries(
        synthesizeWorkloads(environmentWorkloadsProps(prod, site))
          .filter((o) => o.kind === 'ScaledObject')
          .map((o) => {
            const spec = o.spec as { minReplicaCount: number; maxReplicaCount: number };
            return [(o.metadata as { name: string }).name, [spec.minReplicaCount, spec.maxReplicaCount]];
          }),
      );
      expect(Object.keys(synthesized).length).toBe(3);
      expect(synthesized).toEqual(deployed(site.region));
    }
  });
});
