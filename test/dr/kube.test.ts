import { join } from 'node:path';
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
