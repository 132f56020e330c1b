import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { Route53RecoveryClusterClient } from '@aws-sdk/client-route53-recovery-cluster';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { RegionOutputs } from '../../stacks/outputs';
import { ArcEndpointPreference } from './arc-endpoints';
import { ClientNodeKubeGateway, KubeGateway, KubeCredentials } from './kube';

/** An HTTP probe (the synthetic scoring request). Same shape as the global `fetch`. */
export type HttpProbe = (
  url: string,
  init?: { method?: string; body?: string; headers?: Record<string, string> },
) => Promise<{
  status: number;
}>;

/**
 * Every external dependency of the runbook, per region. Tests and `drill:local` pass a factory
 * that points these at emulators and stand-ins; the CLI uses {@link awsClients}.
 */
export interface Clients {
  dynamodb(region: string): DynamoDBClient;
  kinesis(region: string): KinesisClient;
  sqs(region: string): SQSClient;
  sns(region: string): SNSClient;
  cloudwatch(region: string): CloudWatchClient;
  /**
   * Application Auto Scaling (the scale-up raises the target's DynamoDB scalable-target minimums).
   * @default - none: clients built before it existed; scale-up then raises no table floors and says so
   */
  autoscaling?(region: string): ApplicationAutoScalingClient;
  /** One client per ARC cluster endpoint: each is built with that endpoint and its region. */
  arc(endpoint: string, region: string): Route53RecoveryClusterClient;
  /** The ARC endpoint that last answered, tried first by the next call. */
  readonly arcEndpoints: ArcEndpointPreference;
  kube(region: RegionOutputs): KubeGateway;
  http: HttpProbe;
}

/** Caches one instance per key, so a run reuses its connections. */
export function memo<T>(make: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let v = cache.get(key);
    if (v === undefined) {
      v = make(key);
      cache.set(key, v);
    }
    return v;
  };
}

/**
 * Bounds on every AWS call of the runbook. An impaired region must cost seconds, not the SDK's
 * defaults (no request timeout, up to 3 attempts with backoff): a dead endpoint fails after at most
 * `maxAttempts` x (`connectionTimeoutMs` or `requestTimeoutMs`).
 */
export interface AwsCallBounds {
  /** TCP connect timeout. @default 2 000 */
  readonly connectionTimeoutMs: number;
  /** Time to the response once connected (socket inactivity). @default 5 000 */
  readonly requestTimeoutMs: number;
  /** Attempts per call, the first included. @default 2 */
  readonly maxAttempts: number;
}

export const DEFAULT_AWS_CALL_BOUNDS: AwsCallBounds = {
  connectionTimeoutMs: 2000,
  requestTimeoutMs: 5000,
  maxAttempts: 2,
};

/** The config every runbook AWS client is built with: its region, bounded timeouts and attempts. */
export function awsClientConfig(
  region: string,
  bounds: AwsCallBounds = DEFAULT_AWS_CALL_BOUNDS,
): { region: string; maxAttempts: number; requestHandler: NodeHttpHandler } {
  return {
    region,
    maxAttempts: bounds.maxAttempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: bounds.connectionTimeoutMs,
      requestTimeout: bounds.requestTimeoutMs,
      // Without it a request timeout only logs a warning and the call keeps waiting.
      throwOnRequestTimeout: true,
    }),
  };
}

export interface AwsClientsOptions {
  /** @default DEFAULT_AWS_CALL_BOUNDS */
  readonly bounds?: AwsCallBounds;
  /**
   * Endpoint override per service and region (tests, VPC endpoints).
   * @default - the SDK's regional endpoint
   */
  readonly endpoint?: (
    service: 'dynamodb' | 'kinesis' | 'sqs' | 'sns' | 'cloudwatch' | 'application-autoscaling',
    region: string,
  ) => string | undefined;
  /**
   * How the Kubernetes clients authenticate: `outputs` builds the kubeconfig in memory from the stack
   * outputs (endpoint, CA, `aws eks get-token`); `kubeconfig` uses the local kubeconfig context named
   * `cluster.kubeContext` (`--kube-context-from-kubeconfig`).
   * @default 'outputs'
   */
  readonly kube?: KubeCredentials;
}

/** The real clients: AWS SDK v3 with the default credential chain and bounded calls, and Kubernetes. */
export function awsClients(opts: AwsClientsOptions = {}): Clients {
  const cfg = (service: Parameters<NonNullable<AwsClientsOptions['endpoint']>>[0], region: string) => {
    const endpoint = opts.endpoint?.(service, region);
    return { ...awsClientConfig(region, opts.bounds), ...(endpoint ? { endpoint } : {}) };
  };
  const dynamodb = memo((region) => new DynamoDBClient(cfg('dynamodb', region)));
  const kinesis = memo((region) => new KinesisClient(cfg('kinesis', region)));
  const sqs = memo((region) => new SQSClient(cfg('sqs', region)));
  const sns = memo((region) => new SNSClient(cfg('sns', region)));
  const cloudwatch = memo((region) => new CloudWatchClient(cfg('cloudwatch', region)));
  const autoscaling = memo(
    (region) => new ApplicationAutoScalingClient(cfg('application-autoscaling', region)),
  );
  const arc = memo((key) => {
    const [endpoint, region] = key.split('|');
    return new Route53RecoveryClusterClient({ ...awsClientConfig(region, opts.bounds), endpoint });
  });
  const kube = memo(
    (region) =>
      new ClientNodeKubeGateway(regions.get(region) as RegionOutputs, {
        credentials: opts.kube ?? 'outputs',
      }),
  );
  const regions = new Map<string, RegionOutputs>();
  return {
    dynamodb,
    kinesis,
    sqs,
    sns,
    cloudwatch,
    autoscaling,
    arc: (endpoint, region) => arc(`${endpoint}|${region}`),
    arcEndpoints: new ArcEndpointPreference(),
    kube: (r) => {
      regions.set(r.region, r);
      return kube(r.region);
    },
    http: (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(5000) }),
  };
}
