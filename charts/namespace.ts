import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-28';

/** The namespace label that turns on the AWS Load Balancer Controller's pod readiness gate. */
export const POD_READINESS_GATE_INJECT_LABEL = 'elbv2.k8s.aws/pod-readiness-gate-inject';

export interface WorkloadNamespaceProps {
  readonly name: string;
  /** The cluster's Kubernetes minor version, e.g. `1.33`: pins the Pod Security Standard version. */
  readonly kubernetesVersion: string;
}

/** The namespace of the scoring workloads, enforcing the `restricted` Pod Security Standard. */
export class WorkloadNamespace extends Construct {
  public readonly namespace: kplus.Namespace;

  constructor(scope: Construct, id: string, props: WorkloadNamespaceProps) {
    super(scope, id);
    const version = `v${props.kubernetesVersion}`;
    this.namespace = new kplus.Namespace(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': version,
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/audit-version': version,
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/warn-version': version,
          // The AWS Load Balancer Controller injects its target-health readiness gate into the pods
          // of IP-target Services here: a new scoring-api pod is Ready only once the NLB sees it
          // healthy, so a rollout never removes old targets before the new ones serve.
          // @see https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/pod_readiness_gate/
          [POD_READINESS_GATE_INJECT_LABEL]: 'enabled',
        },
      },
    });
  }
}
