import { EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';

/** A policy of this pack: a typed constant with a kebab-case name, validated by the pack tests. */
export type PackPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** The areas the pack is organised in: one file per area. */
export type PolicyArea =
  | 'tagging'
  | 'data-stores'
  | 'streaming-messaging'
  | 'keys'
  | 'network-eks'
  | 'iam'
  | 'kubernetes-workloads'
  | 'autoscaling-capacity'
  | 'dr-parity'
  | 'cost'
  | 'observability';

/** Per-environment policy configuration, as `--policy-pack-config` takes it. */
export type PolicyPackConfig = Record<
  string,
  { enforcementLevel?: EnforcementLevel } & Record<string, unknown>
>;

/** Reads a resource's `tags` input whatever its shape. */
export function tagsOf(props: Record<string, unknown>): Record<string, unknown> | undefined {
  const tags = props.tags;
  return tags !== null && typeof tags === 'object' ? (tags as Record<string, unknown>) : undefined;
}
