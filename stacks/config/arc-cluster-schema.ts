import { z } from 'zod';

/**
 * `traffic.arcCluster`: which Route 53 ARC cluster holds the environment's control panel (issue 15
 * finding 28). A cluster costs $2.50 an hour ($1,825 a month) whatever it holds, and an account may
 * have 2 (ARC quota "Number of clusters per account"); one cluster holds up to 50 control panels and
 * 300 routing controls.
 * @see https://docs.aws.amazon.com/r53recovery/latest/dg/routing-control.quotas.html
 * @see https://aws.amazon.com/application-recovery-controller/pricing/
 *
 * - `{ create: true }`: this environment's global stack creates the cluster (and owns it: it must be
 *   deployed before, and destroyed after, every environment that shares it).
 * - `{ arn, endpoints }`: this environment puts its own control panel, routing controls and safety
 *   rule into the cluster another environment of the same account created. `endpoints` are that
 *   cluster's five data-plane endpoints as its owner publishes them (`traffic.clusterEndpoints` in the
 *   owner's runbook parameter): config, not a StackReference, so this environment's stacks and its
 *   runbook depend on nothing of the owner's stacks (see docs/ARCHITECTURE.md, "One ARC cluster per
 *   account").
 * @default - `{ create: true }`
 */

/** An ARC cluster's ARN: `arn:aws:route53-recovery-control::<12-digit account>:cluster/<id>`. */
export const ARC_CLUSTER_ARN_RE = /^arn:aws:route53-recovery-control::(\d{12}):cluster\/[A-Za-z0-9_-]+$/;
/** A cluster data-plane endpoint as ARC returns it: `https://<host>/v1`. */
export const ARC_ENDPOINT_RE =
  /^https:\/\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+\/v1$/;

/** The account an ARC cluster ARN names (undefined for a malformed ARN). */
export function accountOfArcClusterArn(arn: string): string | undefined {
  return ARC_CLUSTER_ARN_RE.exec(arn)?.[1];
}

/** The schema of `traffic.arcCluster`; `region` is the config's AWS region enum. */
export function arcClusterSchema(region: z.ZodType<string>) {
  const endpoint = z.strictObject({
    endpoint: z
      .string({ message: 'an ARC cluster endpoint such as https://host-abc123.us-east-1.example.aws/v1' })
      .regex(ARC_ENDPOINT_RE, {
        message:
          'an ARC cluster endpoint such as https://host-abc123.us-east-1.example.aws/v1 (https://<host>/v1)',
      }),
    region,
  });
  return z
    .strictObject({
      create: z
        .literal(true, {
          message: 'true (this environment creates the cluster), or leave it out and give arn',
        })
        .optional(),
      arn: z
        .string({ message: 'an ARC cluster ARN' })
        .regex(ARC_CLUSTER_ARN_RE, {
          message: 'an ARC cluster ARN such as arn:aws:route53-recovery-control::123456789012:cluster/<id>',
        })
        .optional(),
      endpoints: z
        .array(endpoint, { message: "a list of the cluster's data-plane endpoints ({ endpoint, region })" })
        .min(1, {
          message: "a list of at least one of the cluster's data-plane endpoints ({ endpoint, region })",
        })
        .optional(),
    })
    .superRefine((c, ctx) => {
      if (c.create === undefined && c.arn === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['create'],
          message:
            'either create: true (this environment creates the cluster) or arn + endpoints (a cluster another environment created)',
        });
      }
      if (c.create !== undefined && (c.arn !== undefined || c.endpoints !== undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: [c.arn !== undefined ? 'arn' : 'endpoints'],
          message: 'nothing besides create: true (a created cluster has its own ARN and endpoints)',
        });
      }
      if (c.arn !== undefined && c.endpoints === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['endpoints'],
          message:
            "the shared cluster's data-plane endpoints (its owner's traffic.clusterEndpoints output): the runbook flips routing controls through them",
        });
      }
      const seen = new Set<string>();
      (c.endpoints ?? []).forEach((e, i) => {
        if (seen.has(e.region))
          ctx.addIssue({
            code: 'custom',
            path: ['endpoints', i, 'region'],
            message: `a region not listed before (${e.region} has an endpoint already; a cluster has one endpoint per region)`,
          });
        seen.add(e.region);
      });
    });
}

/** `traffic.arcCluster` as parsed. */
export type ArcClusterConfig = z.infer<ReturnType<typeof arcClusterSchema>>;
