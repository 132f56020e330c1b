import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';

/** What a kubeconfig needs from a cluster. */
export interface KubeconfigInput {
  readonly clusterName: string;
  readonly region: string;
  readonly endpoint: string;
  /** Base64 PEM of the cluster CA. */
  readonly certificateAuthority: string;
}

/**
 * A kubeconfig for one EKS cluster that authenticates with `aws eks get-token` (short-lived tokens,
 * no static credentials). The context is named after the cluster, as the runbook's `kubeContext`.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/create-kubeconfig.html
 */
export function buildKubeconfig(input: KubeconfigInput): Record<string, unknown> {
  const name = input.clusterName;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name, cluster: { server: input.endpoint, 'certificate-authority-data': input.certificateAuthority } },
    ],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    users: [
      {
        name,
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1beta1',
            command: 'aws',
            args: ['eks', 'get-token', '--cluster-name', name, '--region', input.region, '--output', 'json'],
            interactiveMode: 'Never',
          },
        },
      },
    ],
  };
}

export interface KubeProviderArgs {
  readonly clusterName: string;
  readonly region: string;
  readonly endpoint: pulumi.Input<string>;
  readonly certificateAuthority: pulumi.Input<string>;
  /**
   * Adopt objects that already exist instead of failing with AlreadyExists (the provider's
   * `upsertExistingObjects`; pulumi-kubernetes >= 4.29 creates client-side and fails otherwise). Only
   * for the add-on namespaces that Helm's `createNamespace` made on clusters deployed before Pulumi
   * declared them (./addons.ts).
   * @default false
   */
  readonly upsertExistingObjects?: boolean;
}

/**
 * The Kubernetes provider of one region's cluster: every Kubernetes object of the region goes
 * through it, so nothing lands in whatever cluster the ambient kubeconfig points at.
 */
export function kubeProvider(
  name: string,
  args: KubeProviderArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.Provider {
  const kubeconfig = pulumi
    .all([args.endpoint, args.certificateAuthority])
    .apply(([endpoint, certificateAuthority]) =>
      JSON.stringify(
        buildKubeconfig({
          clusterName: args.clusterName,
          region: args.region,
          endpoint,
          certificateAuthority,
        }),
      ),
    );
  return new k8s.Provider(
    name,
    {
      kubeconfig,
      enableServerSideApply: true,
      ...(args.upsertExistingObjects ? { upsertExistingObjects: true } : {}),
    },
    opts,
  );
}
