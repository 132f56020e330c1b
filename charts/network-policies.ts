import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-28';
import { ADMIN_PORT } from './scoring-workload';
import { SCORING_API, SCORING_API_PORT } from './scoring-api';
import { selectorLabels } from './labels';

type Rule = kplus.k8s.NetworkPolicySpec;

/** Where the Datadog agent runs (Helm release in its own namespace). */
export const DATADOG_NAMESPACE = 'datadog';
/** The label the Datadog Helm chart puts on the node agent's pods. */
export const DATADOG_AGENT_POD_LABELS = { 'app.kubernetes.io/component': 'agent' } as const;
/** The EKS Pod Identity Agent's link-local endpoint, from which pods fetch their credentials. */
export const POD_IDENTITY_AGENT_CIDR = '169.254.170.23/32';

export interface NetworkPoliciesProps {
  readonly namespace: string;
  readonly awsApiCidrs: readonly string[];
  readonly ingressCidrs: readonly string[];
}

const tcp = (port: number) => ({ protocol: 'TCP', port: kplus.k8s.IntOrString.fromNumber(port) });
const udp = (port: number) => ({ protocol: 'UDP', port: kplus.k8s.IntOrString.fromNumber(port) });
const namespaceSelector = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });

/**
 * Default deny (ingress and egress) for every pod of the namespace, then one policy per allowed
 * flow, each named for it:
 * - DNS to kube-dns in kube-system (UDP and TCP 53);
 * - HTTPS to the AWS APIs through the VPC interface endpoints;
 * - HTTP to the EKS Pod Identity Agent (169.254.170.23:80), without which no pod gets credentials;
 * - traces (TCP 8126) and DogStatsD (UDP 8125) to the Datadog node agent;
 * - the scoring API's 8080 from the load balancer's CIDRs;
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
        egress: [{ to: [datadogAgent], ports: [tcp(8126), udp(8125)] }],
      },
      'allow-scoring-api-ingress': {
        podSelector: { matchLabels: selectorLabels(SCORING_API) },
        policyTypes: ['Ingress'],
        ingress: [
          { from: props.ingressCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(SCORING_API_PORT)] },
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
