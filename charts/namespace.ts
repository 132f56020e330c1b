import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-28';

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
        },
      },
    });
  }
}
