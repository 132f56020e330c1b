import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { KubeConfigOptions } from '../kube';
import { RegionOutputs } from '../../../stacks/outputs';
import { Snapshot } from './snapshot';

interface DeploymentState {
  replicas: number;
  ready: number;
  /** Epoch ms when `ready` reaches `replicas` (the pods pass readiness). */
  readyAt: number;
}
interface AutoscalerState {
  kind: 'HorizontalPodAutoscaler' | 'ScaledObject';
  deployment: string;
  min: number;
  max: number;
}
interface ClusterState {
  deployments: Record<string, DeploymentState>;
  autoscalers: Record<string, AutoscalerState>;
}

/**
 * Stand-in for one region's Kubernetes API server: a tiny HTTP server on 127.0.0.1 serving exactly
 * the endpoints the real {@link ClientNodeKubeGateway} calls, so @kubernetes/client-node runs for
 * real. A built-in "controller" plays HPA/KEDA plus the Deployment controller: raising a minimum
 * scales the Deployment, and new pods turn ready after `readyDelayMs`.
 */
export class KubeStandIn {
  state: ClusterState;
  /** PATCH requests served (side effects). */
  patches = 0;
  /**
   * While true the API server accepts connections and requests and never answers (an impaired
   * region's control plane as the runbook sees it: no refusal, no error, just silence).
   */
  hanging = false;
  /**
   * Pods the cluster can run per Deployment (a DR capacity shortage: pods beyond it stay Pending, so
   * never ready); a Deployment not named here has no limit. Cleared by {@link reset}.
   */
  readonly capacity: Record<string, number> = {};
  private server?: Server;
  private url = '';
  private readonly snapshot: Snapshot<ClusterState>;

  constructor(
    private readonly region: RegionOutputs,
    private readonly readyDelayMs: number,
    statePath?: string,
  ) {
    this.snapshot = new Snapshot(statePath);
    this.state = this.snapshot.load(() => KubeStandIn.initial(region));
    this.snapshot.save(this.state);
  }

  /** Primary runs at full minimums, DR at standby minimums; all pods ready. */
  static initial(region: RegionOutputs): ClusterState {
    const state: ClusterState = { deployments: {}, autoscalers: {} };
    for (const d of region.workloads.deployments) {
      const min = region.role === 'primary' ? d.autoscaler.fullMinReplicas : d.autoscaler.standbyMinReplicas;
      state.deployments[d.name] = { replicas: min, ready: min, readyAt: 0 };
      state.autoscalers[`${d.autoscaler.kind}/${d.autoscaler.name}`] = {
        kind: d.autoscaler.kind,
        deployment: d.name,
        min,
        max: d.autoscaler.maxReplicas,
      };
    }
    return state;
  }

  reset(): void {
    this.state = KubeStandIn.initial(this.region);
    this.patches = 0;
    this.hanging = false;
    for (const k of Object.keys(this.capacity)) delete this.capacity[k];
    this.snapshot.save(this.state);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (!this.hanging) void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** A kubeconfig whose context (named as in the outputs) points at this stand-in. */
  kubeConfig(): KubeConfigOptions {
    const name = this.region.cluster.kubeContext;
    return {
      clusters: [{ name, server: this.url, skipTLSVerify: true }],
      users: [{ name, token: 'stand-in' }],
      contexts: [{ name, cluster: name, user: name }],
      currentContext: name,
    };
  }

  /** Ready replicas of a Deployment now (for the synthetic-probe stand-in). */
  ready(deployment: string): number {
    return this.observe(deployment).ready;
  }

  private observe(name: string): DeploymentState {
    const d = this.state.deployments[name];
    const schedulable = Math.min(d?.replicas ?? 0, this.capacity[name] ?? Infinity);
    if (d && d.ready < schedulable && Date.now() >= d.readyAt) {
      d.ready = schedulable;
      this.snapshot.save(this.state);
    }
    return d;
  }

  private setMin(key: string, min: number): void {
    const a = this.state.autoscalers[key];
    a.min = min;
    const d = this.state.deployments[a.deployment];
    if (d.replicas < min) {
      d.replicas = min;
      d.readyAt = Date.now() + this.readyDelayMs;
    } else if (d.replicas > min) {
      // Scale-in toward the new minimum (the autoscaler would do so as load allows).
      d.replicas = min;
      d.ready = Math.min(d.ready, min);
    }
    this.patches += 1;
    this.snapshot.save(this.state);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (code: number, body: object) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const status = (code: number, reason: string, message: string) =>
      send(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code });
    const ns = this.region.workloads.namespace;
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const m = /^\/apis\/([^/]+)\/([^/]+)\/namespaces\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!m || m[3] !== ns)
      return status(404, 'NotFound', `${req.method} ${url.pathname} is not served by the stand-in`);
    const [, group, version, , plural, name] = m;
    const body = await readBody(req);
    const meta = { name, namespace: ns };

    if (`${group}/${version}/${plural}` === 'apps/v1/deployments' && req.method === 'GET') {
      const d = this.state.deployments[name] && this.observe(name);
      if (!d) return status(404, 'NotFound', `deployments.apps "${name}" not found`);
      return send(200, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: meta,
        spec: {
          replicas: d.replicas,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: { containers: [{ name, image: `${name}:stand-in` }] },
          },
        },
        status: {
          replicas: d.replicas,
          updatedReplicas: d.replicas,
          readyReplicas: d.ready,
          availableReplicas: d.ready,
        },
      });
    }
    const kind =
      `${group}/${version}/${plural}` === 'autoscaling/v2/horizontalpodautoscalers'
        ? 'HorizontalPodAutoscaler'
        : `${group}/${version}/${plural}` === 'keda.sh/v1alpha1/scaledobjects'
          ? 'ScaledObject'
          : undefined;
    const key = `${kind}/${name}`;
    const a = kind && this.state.autoscalers[key];
    if (!kind || !a) return status(404, 'NotFound', `${plural}.${group} "${name}" not found`);
    if (req.method === 'PATCH') {
      if (req.headers['content-type'] !== 'application/merge-patch+json') {
        return status(
          415,
          'UnsupportedMediaType',
          `stand-in expects a JSON merge patch, got ${req.headers['content-type']}`,
        );
      }
      const spec =
        (JSON.parse(body) as { spec?: { minReplicas?: number; minReplicaCount?: number } }).spec ?? {};
      const min = kind === 'HorizontalPodAutoscaler' ? spec.minReplicas : spec.minReplicaCount;
      if (typeof min !== 'number' || min < 0 || min > a.max) {
        return status(
          422,
          'Invalid',
          `spec minimum must be a number between 0 and ${a.max}, got ${JSON.stringify(min)}`,
        );
      }
      this.setMin(key, min);
    } else if (req.method !== 'GET') {
      return status(405, 'MethodNotAllowed', `${req.method} is not served by the stand-in`);
    }
    const target = { apiVersion: 'apps/v1', kind: 'Deployment', name: a.deployment };
    return send(
      200,
      kind === 'HorizontalPodAutoscaler'
        ? {
            apiVersion: 'autoscaling/v2',
            kind,
            metadata: meta,
            spec: { minReplicas: a.min, maxReplicas: a.max, scaleTargetRef: target },
          }
        : {
            apiVersion: 'keda.sh/v1alpha1',
            kind,
            metadata: meta,
            spec: { minReplicaCount: a.min, maxReplicaCount: a.max, scaleTargetRef: { name: a.deployment } },
          },
    );
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
