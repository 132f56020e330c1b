import * as pulumi from '@pulumi/pulumi';
import { synthesizeWorkloads } from '../../../charts';
import { exampleWorkloadsProps, loadEnvironment } from '../../../charts/example-props';
import { capacityPlan } from '../../../stacks/capacity';
import {
  buildKubeconfig,
  deploymentsOf,
  externalDnsStatements,
  InputTokens,
  loadBalancerControllerStatements,
  MANAGED_ADDON_VERSIONS,
  HELM_CHARTS,
} from '../../../stacks/compute';

describe('buildKubeconfig', () => {
  it('authenticates with aws eks get-token for the cluster and its region', () => {
    // GIVEN / WHEN
    const kc = buildKubeconfig({
      clusterName: 'prod-risk-us-east-1',
      region: 'us-east-1',
      endpoint: 'https://x',
      certificateAuthority: 'Y2E=',
    });
    // THEN
    const user = (kc.users as Array<{ user: { exec: { command: string; args: string[] } } }>)[0].user.exec;
    expect(user.command).toBe('aws');
    expect(user.args).toEqual([
      'eks',
      'get-token',
      '--cluster-name',
      'prod-risk-us-east-1',
      '--region',
      'us-east-1',
      '--output',
      'json',
    ]);
    expect(kc['current-context']).toBe('prod-risk-us-east-1');
  });
});

describe('InputTokens', () => {
  it('returns plain strings unchanged and placeholders for Outputs', () => {
    const tokens = new InputTokens();
    expect(tokens.token('plain', 'abc')).toBe('abc');
    expect(tokens.token('out', pulumi.output('x'))).toBe('__pulumi_input_out__');
  });

  it('refuses a mangled placeholder', () => {
    const tokens = new InputTokens();
    tokens.token('streamArn', pulumi.output('x'));
    expect(() => tokens.resolve({ a: 'pre-__pulumi_input_stream' + 'Arn_' })).toThrow(
      /mangled input placeholder/,
    );
  });
});

describe('deploymentsOf', () => {
  it('reads each Deployment’s autoscaler, full and standby minimums in the DR region', () => {
    // GIVEN prod's DR chart, sized by the capacity model (standby fraction 0.25)
    const objs = synthesizeWorkloads(exampleWorkloadsProps('prod', 'us-east-1', 'dr'));
    const scoring = capacityPlan(loadEnvironment('prod')).workloads['scoring-api'];
    // WHEN
    const deployments = deploymentsOf(objs, 0.25);
    // THEN
    expect(deployments.map((d) => [d.name, d.autoscaler.kind])).toEqual([
      ['scoring-api', 'ScaledObject'],
      ['stream-scorer', 'ScaledObject'],
      ['feedback-worker', 'ScaledObject'],
    ]);
    expect(deployments[0].autoscaler).toMatchObject({
      fullMinReplicas: scoring.minReplicas,
      standbyMinReplicas: scoring.standbyMinReplicas,
      maxReplicas: scoring.maxReplicas,
    });
    expect(deployments[0].autoscaler.standbyMinReplicas).toBeLessThan(
      deployments[0].autoscaler.fullMinReplicas,
    );
  });
});

describe('pinned versions', () => {
  it('pins every managed add-on to an exact eksbuild', () => {
    for (const v of Object.values(MANAGED_ADDON_VERSIONS))
      expect(v).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
  });
  it('pins every Helm chart to an exact semver', () => {
    for (const c of Object.values(HELM_CHARTS)) expect(c.version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('ingress add-on policies (pure)', () => {
  it('refuses a VPC ARN that is not one, naming the field and the expectation', () => {
    expect(() =>
      loadBalancerControllerStatements({
        clusterName: 'prod-risk-us-west-2',
        region: 'us-west-2',
        vpcArn: 'vpc-1',
      }),
    ).toThrow(`'vpcArn' ("vpc-1") must be a VPC ARN (arn:aws:ec2:<region>:<account>:vpc/<id>)`);
  });

  it('scopes the controller’s security-group rules to the cluster’s VPC', () => {
    const vpcArn = 'arn:aws:ec2:us-west-2:123456789012:vpc/vpc-1';
    const statements = loadBalancerControllerStatements({ clusterName: 'c', region: 'us-west-2', vpcArn });
    const rules = statements.find((s) => s.Sid === 'ManageRulesInClusterVpc');
    expect(rules?.Resource).toEqual(['arn:aws:ec2:us-west-2:123456789012:security-group/*']);
    expect(rules?.Condition).toEqual({ ArnEquals: { 'ec2:Vpc': vpcArn } });
  });

  it('refuses an external-dns scope that is not a hosted zone ARN', () => {
    expect(() =>
      externalDnsStatements({ zoneArn: '*', recordNames: ['score-us-west-2.example.com'] }),
    ).toThrow(`'zoneArn' ("*") must be a hosted zone ARN (arn:aws:route53:::hostedzone/<id>)`);
  });
});
