import { join } from 'node:path';
import { DeadlineExceeded } from '../../tools/dr/deadline';
import { ClientNodeKubeGateway, kubeConfigFromOutputs } from '../../tools/dr/kube';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { fixtureOutputs, startLocal } from './helpers';
import { tempDir } from '../helpers/tmp';

test('the kubeconfig is built from the outputs: endpoint, CA and an aws eks get-token credential', () => {
  const r = fixtureOutputs().regions['us-east-1'];
  const kc = kubeConfigFromOutputs(r);
  expect(kc.currentContext).toBe(r.cluster.kubeContext);
  expect(kc.clusters).toEqual([
    {
      name: r.cluster.kubeContext,
      server: r.cluster.endpoint,
      ...(r.cluster.certificateAuthority ? { caData: r.cluster.certificateAuthority } : {}),
    },
  ]);
  expect(kc.users[0].exec).toEqual({
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    command: 'aws',
    args: ['eks', 'get-token', '--cluster-name', r.cluster.name, '--region', 'us-east-1', '--output', 'json'],
    env: null,
    interactiveMode: 'Never',
  });
});

describe('without any kubeconfig file', () => {
  let env: LocalEnvironment;
  const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };
  beforeAll(async () => {
    env = await startLocal();
    const empty = tempDir('no-kube-');
    process.env.KUBECONFIG = join(empty, 'does-not-exist');
    process.env.HOME = empty;
  });
  afterAll(async () => {
    process.env.KUBECONFIG = saved.KUBECONFIG;
    process.env.HOME = saved.HOME;
    await env.stop();
  });

  test('the gateway reaches the cluster with the kubeconfig built from the outputs', async () => {
    // GIVEN the outputs of a region whose API server is the stand-in, and an exec credential plugin
    const base = env.outputs.regions['us-east-1'];
    const server = env.kube['us-east-1'].kubeConfig().clusters[0].server;
    const region = { ...base, cluster: { ...base.cluster, endpoint: server, certificateAuthority: '' } };
    const token = JSON.stringify({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      kind: 'ExecCredential',
      status: { token: 'from-exec' },
    });
    const gateway = new ClientNodeKubeGateway(region, {
      credentials: 'outputs',
      credentialCommand: {
        command: process.execPath,
        args: ['-e', `process.stdout.write(${JSON.stringify(token)})`],
      },
    });
    // WHEN
    const d = await gateway.getDeployment(region.workloads.namespace, region.workloads.deployments[0].name);
    // THEN
    expect(d.ready).toBeGreaterThan(0);
  });

  test('--kube-context-from-kubeconfig without the context fails naming it', async () => {
    const r = env.outputs.regions['us-east-1'];
    const gateway = new ClientNodeKubeGateway(r, { credentials: 'kubeconfig' });
    await expect(gateway.getDeployment('x', 'y')).rejects.toThrow(
      `kube context '${r.cluster.kubeContext}' for us-east-1 is not in the kubeconfig`,
    );
  });
});

describe('an API server that accepts requests and never answers', () => {
  let env: LocalEnvironment;
  beforeAll(async () => {
    env = await startLocal();
  });
  afterAll(() => env.stop());

  test('every call fails with DeadlineExceeded after the call timeout, naming the call', async () => {
    // GIVEN us-east-1's API server hanging, and a gateway with a 300 ms call timeout
    const r = env.outputs.regions['us-east-1'];
    env.kube['us-east-1'].hanging = true;
    const gateway = new ClientNodeKubeGateway(r, env.kube['us-east-1'].kubeConfig(), 300);
    const d = r.workloads.deployments[0];
    // WHEN / THEN each of the three calls
    const t0 = performance.now();
    await expect(gateway.getDeployment(r.workloads.namespace, d.name)).rejects.toThrow(
      new DeadlineExceeded(
        `Kubernetes API us-east-1: get Deployment ${r.workloads.namespace}/${d.name}: no answer within 0.3 s`,
      ),
    );
    await expect(gateway.getAutoscalerMin(r.workloads.namespace, d.autoscaler)).rejects.toThrow(
      DeadlineExceeded,
    );
    await expect(gateway.setAutoscalerMin(r.workloads.namespace, d.autoscaler, 3)).rejects.toThrow(
      `Kubernetes API us-east-1: patch ${d.autoscaler.kind} ${r.workloads.namespace}/${d.autoscaler.name}: no answer within 0.3 s`,
    );
    expect(performance.now() - t0).toBeLessThan(2000);
    // AND once it answers again, the same gateway works (the aborted requests left nothing behind)
    env.kube['us-east-1'].hanging = false;
    expect((await gateway.getDeployment(r.workloads.namespace, d.name)).desired).toBeGreaterThan(0);
  });
});
