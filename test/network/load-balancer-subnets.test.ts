import { PlannedResource } from '../../tools/plan/harness';
import { planOf } from '../helpers/plan';

/** Issue 15 finding 20: the scoring API's NLB has its own subnets, and the pods admit only those. */
const ENVS = ['dev', 'staging', 'prod'] as const;
const plans: Record<string, PlannedResource[]> = {};
beforeAll(async () => {
  for (const env of ENVS) plans[env] = (await planOf(env)).resources;
}, 180_000);

const INTERNAL_ELB = 'kubernetes.io/role/internal-elb';
const tagsOf = (r: PlannedResource) => (r.props.tags ?? {}) as Record<string, string>;

describe.each(ENVS)('%s: the NLB subnets', (env) => {
  for (const region of ['us-west-2', 'us-east-1']) {
    test(`${region}: only the load-balancer subnets are tagged internal-elb; the Service and the ingress policy name exactly them`, () => {
      const resources = plans[env];
      const subnets = resources.filter((r) => r.type === 'aws:ec2/subnet:Subnet' && r.region === region);
      const lb = subnets.filter((s) => INTERNAL_ELB in tagsOf(s));
      expect(lb.map((s) => s.name).sort()).toEqual([`${region}-lb-a`, `${region}-lb-b`, `${region}-lb-c`]);
      // The private subnets hold the pods: an NLB there would make the ingress policy admit pod IPs.
      for (const s of subnets.filter((x) => x.name.includes('-private-')))
        expect(INTERNAL_ELB in tagsOf(s)).toBe(false);

      const service = resources.find(
        (r) => r.type === 'kubernetes:core/v1:Service' && r.name === `${region}-risk-scoring/scoring-api`,
      )!;
      const annotations = (service.props.metadata as { annotations: Record<string, string> }).annotations;
      expect(annotations['service.beta.kubernetes.io/aws-load-balancer-subnets'].split(',').sort()).toEqual(
        lb.map((s) => `${s.name}-id`).sort(),
      );

      const policy = resources.find(
        (r) =>
          r.type.startsWith('kubernetes:networking.k8s.io/v1:NetworkPolicy') &&
          r.name === `${region}-risk-scoring/allow-scoring-api-ingress`,
      )!;
      const ingress = (policy.props.spec as { ingress: { from: { ipBlock?: { cidr: string } }[] }[] })
        .ingress;
      const cidrs = ingress.flatMap((rule) => rule.from.map((f) => f.ipBlock?.cidr));
      expect(cidrs.sort()).toEqual(lb.map((s) => String(s.props.cidrBlock)).sort());
    });
  }
});
