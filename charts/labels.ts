import { ApiObject } from 'cdk8s';
import type { IConstruct } from 'constructs';
import type { RegionRole } from './props';

/** The label keys every object carries. */
export const LABELS = {
  name: 'app.kubernetes.io/name',
  partOf: 'app.kubernetes.io/part-of',
  environment: 'risk-platform/environment',
  region: 'risk-platform/region',
  role: 'risk-platform/role',
  /**
   * On a Deployment: how its replicas are managed. `none` marks a fixed-size platform Deployment that
   * no autoscaler targets and the DR runbook does not scale (the replication heartbeat); the program's
   * runbook outputs skip it, and any other Deployment without an autoscaler is an error.
   */
  autoscaling: 'risk-platform/autoscaling',
} as const;

/** The `risk-platform/autoscaling` value of a fixed-size Deployment (see {@link LABELS}). */
export const AUTOSCALING_NONE = 'none';

/** The annotations the DR runbook reads on each autoscaler (HPA or ScaledObject). */
export const ANNOTATIONS = {
  /** Minimum replicas with the region at full capacity: what the runbook restores on failover. */
  fullMinReplicas: 'risk-platform/full-min-replicas',
  /** Minimum replicas in warm standby (present only in the standby region, see `active`). */
  standbyMinReplicas: 'risk-platform/standby-min-replicas',
} as const;

export const PART_OF = 'risk-platform';

/** Labels shared by every object of one region: part-of, environment, region, role. */
export function commonLabels(environment: string, region: string, role: RegionRole): Record<string, string> {
  return {
    [LABELS.partOf]: PART_OF,
    [LABELS.environment]: environment,
    [LABELS.region]: region,
    [LABELS.role]: role,
  };
}

/** The selector labels of one workload's pods. Selectors are immutable: never change these. */
export function selectorLabels(workload: string): Record<string, string> {
  return { [LABELS.name]: workload, [LABELS.partOf]: PART_OF };
}

/** Adds labels to every ApiObject under a construct (a workload's objects share its name label). */
export function labelTree(scope: IConstruct, labels: Readonly<Record<string, string>>): void {
  for (const child of scope.node.findAll()) {
    if (child instanceof ApiObject)
      for (const [k, v] of Object.entries(labels)) child.metadata.addLabel(k, v);
  }
}
