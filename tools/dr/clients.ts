import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { Route53RecoveryClusterClient } from '@aws-sdk/client-route53-recovery-cluster';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { RegionOutputs } from '../../stacks/outputs';
import { ClientNodeKubeGateway, KubeGateway } from './kube';

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
  /** One client per ARC cluster endpoint: each is built with that endpoint and its region. */
  arc(endpoint: string, region: string): Route53RecoveryClusterClient;
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

/** The real clients: AWS SDK v3 with the default credential chain, and the kubeconfig contexts. */
export function awsClients(): Clients {
  const dynamodb = memo((region) => new DynamoDBClient({ region }));
  const kinesis = memo((region) => new KinesisClient({ region }));
  const sqs = memo((region) => new SQSClient({ region }));
  const sns = memo((region) => new SNSClient({ region }));
  const cloudwatch = memo((region) => new CloudWatchClient({ region }));
  const arc = memo((key) => {
    const [endpoint, region] = key.split('|');
    return new Route53RecoveryClusterClient({ endpoint, region });
  });
  const kube = memo((region) => new ClientNodeKubeGateway(regions.get(region) as RegionOutputs));
  const regions = new Map<string, RegionOutputs>();
  return {
    dynamodb,
    kinesis,
    sqs,
    sns,
    cloudwatch,
    arc: (endpoint, region) => arc(`${endpoint}|${region}`),
    kube: (r) => {
      regions.set(r.region, r);
      return kube(r.region);
    },
    http: (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(5000) }),
  };
}
