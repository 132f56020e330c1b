import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-28';
import { ADMIN_PORT } from './scoring-workload';
import { SCORING_API, SCORING_API_PORT } from './scoring-api';
import { DATADOG_NAMESPACE } from './datadog-metric';
import { DATADOG_APM_PORT, DATADOG_DOGSTATSD_PORT } from './datadog-tagging';
import { selectorLabels } from './labels';

type Rule = kplus.k8s.NetworkPolicySpec;

/** The label the Datadog Helm chart puts on the node agent's pods. */
export const DATADOG_AGENT_POD_LABELS = { 'app.kubernetes.io/component': 'agent' } as const;
/** The EKS Pod Identity Agent's link-local endpoint, from which pods fetch their credentials. */
export const POD_IDENTITY_AGENT_CIDR = '169.254.170.23/32';

export interface NetworkPoliciesProps {
  readonly namespace: string;
  readonly awsApiCidrs: readonly string[];
  /** The subnets of the scoring API's NLB (it does not preserve client IPs: see `WorkloadsProps.ingressCidrs`). */
  readonly ingressCidrs: readonly string[];
}

const tcp = (port: number) => ({ protocol: 'TCP', port: kplus.k8s.IntOrString.fromNumber(port) });
const udp = (port: number) => ({ protocol: 'UDP', port: kplus.k8s.IntOrString.fromNumber(port) });
const namespaceSelector = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });

/**
 * Default deny (ingress and egress) for every pod of the namespace, then one policy per allowed
 * flow, each named for it:
 * - DNS to kube-dns in kube-system (UDP and TCP 53);
 * - HTTPS to the AWS APIs: the VPC interface endpoints, and the public prefix-list CIDRs a gateway
 *   endpoint (DynamoDB) routes to, both in `awsApiCidrs`;
 * - HTTP to the EKS Pod Identity Agent (169.254.170.23:80), without which no pod gets credentials;
 * - traces (TCP 8126) and DogStatsD (UDP 8125) to the Datadog node agent. The tracer sends them to
 *   its node's IP (`DD_AGENT_HOST` from `status.hostIP`: the agent listens on `hostPort`s), and the VPC
 *   CNI's network policy agent always allows a pod's traffic to and from its own node's IP
 *   (aws/aws-network-policy-agent#65, for kubelet probes, #56), before the hostPort DNAT turns it into
 *   the agent pod's address. So no `ipBlock` of the node subnets is opened on these ports (it would
 *   admit every node's agent, and anything else listening there); the pod-selector rule covers a
 *   direct connection to the agent pod;
 * - the scoring API's 8080 and its health checks (admin port) from the load balancer's subnets;
 * - the Datadog agent scraping `/metrics` on the admin port.
 */
export class NetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    const all = {};
    const datadogAgent = {
      namespaceSelector: namespaceSelector(DATADOG_NAMESPACE),
      podSelector: { matchLabels: { ...DATADOG_AGENT_POD_LABELS } },
    };
    const policies: Record<string, Rule> = {
      'default-deny': { podSelector: all, policyTypes: ['Ingress', 'Egress'] },
      'allow-dns-egress': {
        podSelector: all,
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: namespaceSelector('kube-system'),
                podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
              },
            ],
            ports: [udp(53), tcp(53)],
          },
        ],
      },
      'allow-aws-apis-egress': {
        podSelector: all,
        policyTypes: ['Egress'],
        egress: [{ to: props.awsApiCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(443)] }],
      },
      'allow-pod-identity-agent-egress': {
        podSelector: all,
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT_CIDR } }], ports: [tcp(80)] }],
      },
      'allow-datadog-agent-egress': {
        podSelector: all,
        policyTypes: ['Egress'],
        egress: [{ to: [datadogAgent], ports: [tcp(DATADOG_APM_PORT), udp(DATADOG_DOGSTATSD_PORT)] }],
      },
      'allow-scoring-api-ingress': {
        podSelector: { matchLabels: selectorLabels(SCORING_API) },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: props.ingressCidrs.map((cidr) => ({ ipBlock: { cidr } })),
            // 8080: traffic from the NLB; the admin port: its health checks on the readiness path.
            ports: [tcp(SCORING_API_PORT), tcp(ADMIN_PORT)],
          },
        ],
      },
      'allow-datadog-scrape-ingress': {
        podSelector: all,
        policyTypes: ['Ingress'],
        ingress: [{ from: [datadogAgent], ports: [tcp(ADMIN_PORT)] }],
      },
    };
    for (const [name, spec] of Object.entries(policies)) {
      new kplus.k8s.KubeNetworkPolicy(this, name, { metadata: { name, namespace: props.namespace }, spec });
    }
  }
}
