import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { INamespace } from 'kubernetes-models/v1';
import { find, primaryProps, synth } from './fixtures';

const objs = synth(primaryProps());
const policy = (name: string) => find<INetworkPolicy>(objs, 'NetworkPolicy', name);

describe('namespace and network policies', () => {
  test('the namespace enforces the restricted Pod Security Standard at the pinned version', () => {
    const ns = find<INamespace>(objs, 'Namespace', 'risk-scoring');
    expect(ns.metadata?.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'v1.33',
    });
    expect(ns.metadata).not.toHaveProperty('namespace');
  });

  test('a default-deny policy covers ingress and egress of every pod', () => {
    expect(policy('default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test('DNS egress is allowed to kube-dns only, on UDP and TCP 53', () => {
    expect(policy('allow-dns-egress').spec?.egress).toEqual([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
        ],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]);
  });

  test('HTTPS egress is allowed to the VPC endpoints only', () => {
    expect(policy('allow-aws-apis-egress').spec?.egress).toEqual([
      { to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 443 }] },
    ]);
  });

  test('pods can reach the EKS Pod Identity Agent for credentials', () => {
    expect(policy('allow-pod-identity-agent-egress').spec?.egress).toEqual([
      { to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'TCP', port: 80 }] },
    ]);
  });

  test('only the scoring API accepts traffic on 8080 and NLB health checks on 8081, from the load balancer CIDRs', () => {
    const p = policy('allow-scoring-api-ingress');
    expect(p.spec?.podSelector).toEqual({
      matchLabels: { 'app.kubernetes.io/name': 'scoring-api', 'app.kubernetes.io/part-of': 'risk-platform' },
    });
    expect(p.spec?.ingress).toEqual([
      {
        from: [{ ipBlock: { cidr: '10.0.0.0/8' } }],
        ports: [
          { protocol: 'TCP', port: 8080 },
          { protocol: 'TCP', port: 8081 },
        ],
      },
    ]);
  });

  test('custom ingress CIDRs replace the default', () => {
    const p = find<INetworkPolicy>(
      synth(primaryProps({ ingressCidrs: ['10.20.0.0/16'] })),
      'NetworkPolicy',
      'allow-scoring-api-ingress',
    );
    expect(p.spec?.ingress?.[0].from).toEqual([{ ipBlock: { cidr: '10.20.0.0/16' } }]);
  });
});
