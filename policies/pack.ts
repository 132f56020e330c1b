import { autoscalingCapacityPolicies } from './autoscaling-capacity';
import { costPolicies } from './cost';
import { dataStorePolicies } from './data-stores';
import { drParityPolicies } from './dr-parity';
import { iamPolicies } from './iam';
import { keyPolicies } from './keys';
import { kubernetesWorkloadPolicies } from './kubernetes-workloads';
import { monitoringCoverage } from './monitoring-coverage';
import { networkEksPolicies } from './network-eks';
import { streamingMessagingPolicies } from './streaming-messaging';
import { taggingPolicies } from './tagging';
import { PackPolicy, PolicyArea } from './types';

/** The pack's name, as `pulumi preview --policy-pack` reports it. */
export const PACK_NAME = 'risk-platform';

/** The policies of each area, one file per area. */
export const POLICIES_BY_AREA: Readonly<Record<PolicyArea, readonly PackPolicy[]>> = {
  tagging: taggingPolicies,
  'data-stores': dataStorePolicies,
  'streaming-messaging': streamingMessagingPolicies,
  keys: keyPolicies,
  'network-eks': networkEksPolicies,
  iam: iamPolicies,
  'kubernetes-workloads': kubernetesWorkloadPolicies,
  'autoscaling-capacity': autoscalingCapacityPolicies,
  'dr-parity': drParityPolicies,
  cost: costPolicies,
  observability: [monitoringCoverage],
};

/** Every policy of the pack, in registration order. Only `index.ts` turns this into a PolicyPack. */
export const policies: PackPolicy[] = Object.values(POLICIES_BY_AREA).flat();
