import type * as ClientNode from '@kubernetes/client-node';
import { RegionOutputs } from '../../stacks/outputs';
import { withDeadline } from './deadline';
import { importEsm } from './esm';

/**
 * How long one Kubernetes API call may take, connection and credential plugin included. client-node
 * sets no timeout of its own, so a region whose API server accepts connections and never answers
 * would hang the runbook (issue 16 finding 6): 10 s is twice the AWS calls' request timeout, and far
 * above a healthy EKS API server's answer to a GET or a merge patch.
 */
export const DEFAULT_KUBE_CALL_TIMEOUT_MS = 10_000;

/** The autoscaler that owns a Deployment's replica bounds. */
export interface AutoscalerRef {
  readonly kind: 'HorizontalPodAutoscaler' | 'ScaledObject';
  readonly name: string;
}

/** Replica counts of a Deployment, as its status reports them. */
export interface DeploymentReadiness {
  readonly desired: number;
  readonly ready: number;
  readonly available: number;
}

/**
 * The few Kubernetes operations the runbook needs, against one region's cluster. The runbook uses
 * only the healthy region's API server (static stability), and only these calls.
 */
export interface KubeGateway {
  /** The autoscaler's minimum: HPA `spec.minReplicas` or KEDA ScaledObject `spec.minReplicaCount`. */
  getAutoscalerMin(namespace: string, autoscaler: AutoscalerRef): Promise<number>;
  /** Sets that minimum with a JSON merge patch. */
  setAutoscalerMin(namespace: string, autoscaler: AutoscalerRef, min: number): Promise<void>;
  /** Reads a Deployment's `spec.replicas` and `status.readyReplicas` / `availableReplicas`. */
  getDeployment(namespace: string, name: string): Promise<DeploymentReadiness>;
}

/** An exec credential plugin (what `aws eks update-kubeconfig` writes into a kubeconfig). */
export interface ExecCredential {
  readonly apiVersion: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: readonly { name: string; value: string }[] | null;
  readonly interactiveMode?: 'Never' | 'IfAvailable' | 'Always';
}

/** An in-memory kubeconfig (what `KubeConfig.loadFromOptions` accepts). */
export interface KubeConfigOptions {
  readonly clusters: readonly { name: string; server: string; skipTLSVerify?: boolean; caData?: string }[];
  readonly users: readonly { name: string; token?: string; exec?: ExecCredential }[];
  readonly contexts: readonly { name: string; cluster: string; user: string }[];
  readonly currentContext: string;
}

/**
 * Where the Kubernetes credentials come from: `outputs` (the default) builds the kubeconfig in memory
 * from the stack outputs; `kubeconfig` uses a local context named `cluster.kubeContext`.
 */
export type KubeCredentials = 'outputs' | 'kubeconfig';

/**
 * The kubeconfig of one region's cluster, built in memory from the runbook outputs: the cluster's
 * endpoint and CA, and an exec credential `aws eks get-token --cluster-name <name> --region <region>`
 * (the AWS credentials of the runbook, mapped by an EKS access entry). No kubeconfig file, no
 * `aws eks update-kubeconfig`.
 *
 * @param credential the exec plugin command. @default `aws eks get-token ...`
 * @see https://docs.aws.amazon.com/eks/latest/userguide/create-kubeconfig.html
 */
export function kubeConfigFromOutputs(
  r: RegionOutputs,
  credential: Pick<ExecCredential, 'command' | 'args'> = {
    command: 'aws',
    args: ['eks', 'get-token', '--cluster-name', r.cluster.name, '--region', r.region, '--output', 'json'],
  },
): KubeConfigOptions {
  const name = r.cluster.kubeContext;
  return {
    clusters: [
      {
        name,
        server: r.cluster.endpoint,
        ...(r.cluster.certificateAuthority ? { caData: r.cluster.certificateAuthority } : {}),
        // Only a local stand-in speaks plain HTTP (EKS endpoints are https); client-node requires this for it.
        ...(r.cluster.endpoint.startsWith('http://') ? { skipTLSVerify: true } : {}),
      },
    ],
    users: [
      {
        name,
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: credential.command,
          args: [...credential.args],
          env: null,
          interactiveMode: 'Never',
        },
      },
    ],
    contexts: [{ name, cluster: name, user: name }],
    currentContext: name,
  };
}

type CallOptions = ReturnType<typeof ClientNode.setHeaderOptions>;

interface Apis {
  readonly apps: ClientNode.AppsV1Api;
  readonly hpa: ClientNode.AutoscalingV2Api;
  readonly custom: ClientNode.CustomObjectsApi;
  /** Adds the JSON merge patch content type to `options`. */
  readonly mergePatch: (options: CallOptions) => CallOptions;
  /** Call options whose middleware hands `signal` to the request (client-node's fetch honours it). */
  readonly signalled: (signal: AbortSignal) => CallOptions;
}

const KEDA = { group: 'keda.sh', version: 'v1alpha1', plural: 'scaledobjects' } as const;

/**
 * {@link KubeGateway} over @kubernetes/client-node (ESM-only, loaded on first use). By default its
 * kubeconfig is built in memory from the outputs ({@link kubeConfigFromOutputs}); with
 * `credentials: 'kubeconfig'` it uses the local kubeconfig's context named `cluster.kubeContext`
 * (as created by `aws eks update-kubeconfig --alias`).
 */
export class ClientNodeKubeGateway implements KubeGateway {
  private apis?: Promise<Apis>;

  /**
   * @param source an in-memory kubeconfig, or where to get one.
   *   @default { credentials: 'outputs' } (built from the outputs; `kubeconfig` reads `KUBECONFIG` or `~/.kube/config`)
   */
  constructor(
    private readonly region: RegionOutputs,
    private readonly source:
      | KubeConfigOptions
      | {
          readonly credentials: KubeCredentials;
          /** The exec credential plugin. @default `aws eks get-token ...` */
          readonly credentialCommand?: Pick<ExecCredential, 'command' | 'args'>;
        } = {
      credentials: 'outputs',
    },
    /** Deadline of each call. @default DEFAULT_KUBE_CALL_TIMEOUT_MS */
    private readonly timeoutMs: number = DEFAULT_KUBE_CALL_TIMEOUT_MS,
  ) {}

  /**
   * One bounded API call; the credential plugin (run per request) counts against its deadline, loading
   * the client library and the kubeconfig (local work, once) does not.
   */
  private async call<T>(what: string, fn: (apis: Apis, options: CallOptions) => Promise<T>): Promise<T> {
    const apis = await this.load();
    return withDeadline(`Kubernetes API ${this.region.region}: ${what}`, this.timeoutMs, (signal) =>
      fn(apis, apis.signalled(signal)),
    );
  }

  private load(): Promise<Apis> {
    this.apis ??= this.connect();
    return this.apis;
  }

  private async connect(): Promise<Apis> {
    const k8s = await importEsm<typeof ClientNode>('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    if ('credentials' in this.source) {
      if (this.source.credentials === 'kubeconfig') kc.loadFromDefault();
      else kc.loadFromOptions(kubeConfigFromOutputs(this.region, this.source.credentialCommand));
    } else kc.loadFromOptions(this.source);
    const context = this.region.cluster.kubeContext;
    if (!kc.getContextObject(context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new Error(
        `kube context '${context}' for ${this.region.region} is not in the kubeconfig (contexts: ${known.join(', ') || 'none'}); ` +
          `run 'aws eks update-kubeconfig --region ${this.region.region} --name ${this.region.cluster.name} --alias ${context}', ` +
          'or drop --kube-context-from-kubeconfig to build the kubeconfig from the outputs',
      );
    }
    kc.setCurrentContext(context);
    return {
      apps: kc.makeApiClient(k8s.AppsV1Api),
      hpa: kc.makeApiClient(k8s.AutoscalingV2Api),
      custom: kc.makeApiClient(k8s.CustomObjectsApi),
      mergePatch: (options) => k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch, options),
      signalled: (signal) => ({
        middleware: [
          {
            pre: (ctx) => {
              ctx.setSignal(signal);
              return new k8s.Observable(Promise.resolve(ctx));
            },
            post: (res) => new k8s.Observable(Promise.resolve(res)),
          },
        ],
        middlewareMergeStrategy: 'append',
      }),
    };
  }

  async getAutoscalerMin(namespace: string, autoscaler: AutoscalerRef): Promise<number> {
    const what = `get ${autoscaler.kind} ${namespace}/${autoscaler.name}`;
    return this.call(what, async ({ hpa, custom }, options) => {
      if (autoscaler.kind === 'HorizontalPodAutoscaler') {
        const h = await hpa.readNamespacedHorizontalPodAutoscaler(
          { name: autoscaler.name, namespace },
          options,
        );
        return h.spec?.minReplicas ?? 1;
      }
      const so = (await custom.getNamespacedCustomObject(
        { ...KEDA, namespace, name: autoscaler.name },
        options,
      )) as { spec?: { minReplicaCount?: number } };
      return so.spec?.minReplicaCount ?? 0;
    });
  }

  async setAutoscalerMin(namespace: string, autoscaler: AutoscalerRef, min: number): Promise<void> {
    const what = `patch ${autoscaler.kind} ${namespace}/${autoscaler.name}`;
    await this.call(what, async ({ hpa, custom, mergePatch }, options) => {
      if (autoscaler.kind === 'HorizontalPodAutoscaler') {
        await hpa.patchNamespacedHorizontalPodAutoscaler(
          { name: autoscaler.name, namespace, body: { spec: { minReplicas: min } } },
          mergePatch(options),
        );
        return;
      }
      await custom.patchNamespacedCustomObject(
        { ...KEDA, namespace, name: autoscaler.name, body: { spec: { minReplicaCount: min } } },
        mergePatch(options),
      );
    });
  }

  async getDeployment(namespace: string, name: string): Promise<DeploymentReadiness> {
    return this.call(`get Deployment ${namespace}/${name}`, async ({ apps }, options) => {
      const d = await apps.readNamespacedDeployment({ name, namespace }, options);
      return {
        desired: d.spec?.replicas ?? 0,
        ready: d.status?.readyReplicas ?? 0,
        available: d.status?.availableReplicas ?? 0,
      };
    });
  }
}
