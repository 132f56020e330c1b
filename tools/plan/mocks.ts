import { createHash } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';

/** The account every mock ARN uses. */
export const MOCK_ACCOUNT_ID = '123456789012';

type State = Record<string, unknown>;
type Extra = (args: { name: string; physical: string; region: string; inputs: State }) => State;

/** `aws:dynamodb/table:Table` -> `dynamodb`. */
function awsService(type: string): string {
  return type.split(':')[1]?.split('/')[0] ?? 'unknown';
}

/** A deterministic ARN for an AWS resource: `arn:aws:<service>:<region>:<account>:<kind>/<name>`. */
export function mockArn(type: string, region: string, physical: string): string {
  const service = awsService(type);
  const kind = (type.split(':')[2] ?? 'resource').toLowerCase();
  const globalService = service === 'iam' || service === 'route53';
  return `arn:aws:${service}:${globalService ? '' : region}:${MOCK_ACCOUNT_ID}:${kind}/${physical}`;
}

/** The instant every mocked certificate is issued at: plans are byte-identical across runs. */
export const MOCK_TLS_ISSUED_AT = '2026-01-01T00:00:00Z';

/**
 * A PEM block whose body names what it stands for: not parseable key or certificate material, and
 * never a real key (the offline plan has no tls provider), but shaped like the real output so a
 * consumer that checks for `-----BEGIN CERTIFICATE-----` sees one.
 */
export function mockPem(label: string, what: string): string {
  const body = Buffer.from(`offline plan placeholder: ${what}`).toString('base64');
  const lines = body.match(/.{1,64}/g) ?? [];
  return [`-----BEGIN ${label}-----`, ...lines, `-----END ${label}-----`, ''].join('\n');
}

/** The validity window a tls certificate resource reports, from its `validityPeriodHours`. */
function mockValidity(inputs: State): State {
  const hours = typeof inputs.validityPeriodHours === 'number' ? inputs.validityPeriodHours : 0;
  const start = Date.parse(MOCK_TLS_ISSUED_AT);
  return {
    validityStartTime: MOCK_TLS_ISSUED_AT,
    validityEndTime: new Date(start + hours * 3_600_000).toISOString().replace('.000Z', 'Z'),
    readyForRenewal: false,
  };
}

const names = (inputs: State) => (Array.isArray(inputs.dnsNames) ? inputs.dnsNames.join(',') : '');

/** The computed outputs of the `@pulumi/tls` resources (keys, CSRs, certificates). */
export const TLS_COMPUTED_OUTPUTS: Record<string, Extra> = {
  'tls:index/privateKey:PrivateKey': ({ name, inputs }) => ({
    privateKeyPem: mockPem('PRIVATE KEY', `${String(inputs.algorithm)} private key ${name}`),
    publicKeyPem: mockPem('PUBLIC KEY', `public key of ${name}`),
  }),
  'tls:index/selfSignedCert:SelfSignedCert': ({ name, inputs }) => ({
    certPem: mockPem('CERTIFICATE', `self-signed certificate ${name}`),
    ...mockValidity(inputs),
  }),
  'tls:index/certRequest:CertRequest': ({ name, inputs }) => ({
    certRequestPem: mockPem('CERTIFICATE REQUEST', `request ${name} for ${names(inputs)}`),
  }),
  'tls:index/locallySignedCert:LocallySignedCert': ({ name, inputs }) => ({
    certPem: mockPem('CERTIFICATE', `certificate ${name}`),
    ...mockValidity(inputs),
  }),
};

/**
 * Outputs the cloud would compute, by type. Inputs are echoed back as state for every resource, so
 * only the computed extras live here. Keep the values deterministic: plans are diffed byte for byte.
 */
export const COMPUTED_OUTPUTS: Record<string, Extra> = {
  'aws:sqs/queue:Queue': ({ physical, region }) => ({
    url: `https://sqs.${region}.amazonaws.com/${MOCK_ACCOUNT_ID}/${physical}`,
    arn: `arn:aws:sqs:${region}:${MOCK_ACCOUNT_ID}:${physical}`,
  }),
  'aws:sns/topic:Topic': ({ physical, region }) => ({
    arn: `arn:aws:sns:${region}:${MOCK_ACCOUNT_ID}:${physical}`,
  }),
  'aws:kinesis/stream:Stream': ({ physical, region }) => ({
    arn: `arn:aws:kinesis:${region}:${MOCK_ACCOUNT_ID}:stream/${physical}`,
  }),
  'aws:kinesis/streamConsumer:StreamConsumer': ({ physical, inputs }) => ({
    arn: `${String(inputs.streamArn)}/consumer/${physical}:1700000000`,
  }),
  'aws:dynamodb/table:Table': ({ physical, region }) => ({
    arn: `arn:aws:dynamodb:${region}:${MOCK_ACCOUNT_ID}:table/${physical}`,
    streamArn: `arn:aws:dynamodb:${region}:${MOCK_ACCOUNT_ID}:table/${physical}/stream/2026-01-01T00:00:00.000`,
  }),
  // A global table's replica: the table's ARN with the replica's region; the ID is `<table>:<home region>`.
  'aws:dynamodb/tableReplica:TableReplica': ({ region, inputs }) => {
    const table = typeof inputs.globalTableArn === 'string' ? inputs.globalTableArn.split(':') : [];
    if (table.length !== 6) return {};
    const tableName = table[5].replace(/^table\//, '');
    return {
      arn: [...table.slice(0, 3), region, ...table.slice(4)].join(':'),
      id: `${tableName}:${table[3]}`,
    };
  },
  'aws:kms/key:Key': ({ name, region }) => ({
    arn: `arn:aws:kms:${region}:${MOCK_ACCOUNT_ID}:key/mrk-${name}`,
    keyId: `mrk-${name}`,
  }),
  // A multi-region replica shares its primary's key ID: only the region in the ARN differs.
  'aws:kms/replicaKey:ReplicaKey': ({ name, region, inputs }) => {
    const primary = typeof inputs.primaryKeyArn === 'string' ? inputs.primaryKeyArn.split(':') : [];
    const keyId = primary.length === 6 ? primary[5].replace(/^key\//, '') : `mrk-${name}`;
    return { arn: `arn:aws:kms:${region}:${MOCK_ACCOUNT_ID}:key/${keyId}`, keyId };
  },
  'aws:iam/role:Role': ({ physical }) => ({
    arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${physical}`,
    uniqueId: `AROA${physical
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '')
      .slice(0, 17)}`,
  }),
  'aws:iam/policy:Policy': ({ physical }) => ({ arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:policy/${physical}` }),
  'aws:eks/cluster:Cluster': ({ physical, region }) => ({
    arn: `arn:aws:eks:${region}:${MOCK_ACCOUNT_ID}:cluster/${physical}`,
    endpoint: `https://${physical}.gr7.${region}.eks.amazonaws.com`,
    certificateAuthority: { data: Buffer.from(`mock-ca-${physical}`).toString('base64') },
    identities: [
      { oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${physical.toUpperCase()}` }] },
    ],
    clusterSecurityGroupId: `sg-${physical}`,
    status: 'ACTIVE',
  }),
  'aws:route53recoverycontrol/cluster:Cluster': ({ physical }) => ({
    arn: `arn:aws:route53-recovery-control::${MOCK_ACCOUNT_ID}:cluster/${physical}`,
    clusterEndpoints: ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1', 'ap-southeast-2'].map(
      (r) => ({
        endpoint: `https://host-${physical}.${r}.example.aws/v1`,
        region: r,
      }),
    ),
  }),
  'aws:route53recoverycontrol/controlPanel:ControlPanel': ({ physical }) => ({
    arn: `arn:aws:route53-recovery-control::${MOCK_ACCOUNT_ID}:controlpanel/${physical}`,
  }),
  'aws:route53recoverycontrol/routingControl:RoutingControl': ({ physical, inputs }) => ({
    arn: `${String(inputs.controlPanelArn)}/routingcontrol/${physical}`,
  }),
  'aws:route53recoverycontrol/safetyRule:SafetyRule': ({ physical, inputs }) => ({
    arn: `${String(inputs.controlPanelArn)}/safetyrule/${physical}`,
  }),
  'aws:route53/healthCheck:HealthCheck': ({ name }) => ({ id: `hc-${name}` }),
  'aws:route53/record:Record': ({ inputs }) => ({ fqdn: String(inputs.name ?? '').replace(/\.$/, '') }),
  // ACM gives every certificate of an account the same validation record for the same name, in any region.
  'aws:acm/certificate:Certificate': ({ inputs }) => ({
    domainValidationOptions: [inputs.domainName, ...((inputs.subjectAlternativeNames as string[]) ?? [])].map(
      (domain) => {
        const token = createHash('sha256').update(String(domain)).digest('hex').slice(0, 32);
        return {
          domainName: domain,
          resourceRecordName: `_${token}.${String(domain)}.`,
          resourceRecordType: 'CNAME',
          resourceRecordValue: `_${token.split('').reverse().join('')}.mock.acm-validations.aws.`,
        };
      },
    ),
    status: 'ISSUED',
  }),
  'aws:route53/zone:Zone': ({ name }) => ({
    zoneId: `Z${name.toUpperCase().replace(/[^A-Z0-9]/g, '')}`,
    nameServers: [],
  }),
  ...TLS_COMPUTED_OUTPUTS,
};

/**
 * The CIDRs of the AWS-managed DynamoDB prefix lists (`com.amazonaws.<region>.dynamodb`) the mock
 * returns, shaped like the real lists (a few public /22 to /20 blocks per region). Other regions get
 * a deterministic stand-in. Not authoritative: the real lists change, which is why the program looks
 * them up instead of hard-coding them.
 */
export const MOCK_DYNAMODB_PREFIX_LIST_CIDRS: Readonly<Record<string, readonly string[]>> = {
  'us-east-1': ['3.218.180.0/22', '3.218.184.0/22', '52.94.0.0/22', '52.119.224.0/20'],
  'us-west-2': ['35.71.64.0/22', '52.94.8.0/22', '52.119.240.0/21'],
};

/** A managed prefix list by name, as `aws.ec2.getManagedPrefixList` returns it. */
function managedPrefixList(name: string, region: string): Record<string, unknown> {
  const m = /^com\.amazonaws\.([a-z0-9-]+)\.dynamodb$/.exec(name);
  if (!m) {
    throw new Error(
      `the offline plan mocks only the DynamoDB managed prefix lists (com.amazonaws.<region>.dynamodb), got '${name}'`,
    );
  }
  const listRegion = m[1];
  const digest = createHash('sha256').update(name).digest();
  const cidrs = MOCK_DYNAMODB_PREFIX_LIST_CIDRS[listRegion] ?? [`52.94.${digest[0]}.0/24`];
  const id = `pl-${digest.toString('hex').slice(0, 8)}`;
  return {
    id,
    name,
    region,
    addressFamily: 'IPv4',
    arn: `arn:aws:ec2:${listRegion}:aws:prefix-list/${id}`,
    maxEntries: cidrs.length,
    ownerId: 'AWS',
    version: 1,
    tags: {},
    entries: cidrs.map((cidr) => ({ cidr, description: '' })),
  };
}

/**
 * Deterministic mocks for the whole estate: every resource echoes its inputs, gets an ID derived from
 * its logical name, and the computed outputs its consumers need (ARNs, URLs, endpoints).
 */
/** The organization of the offline plan's stacks (a self-managed backend's organization is `organization`). */
export const PLAN_ORGANIZATION = 'organization';

/** Pulumi's type token of a `StackReference`. */
export const STACK_REFERENCE_TYPE = 'pulumi:pulumi:StackReference';

export class PlanMocks implements pulumi.runtime.Mocks {
  /**
   * @param defaultRegion the default provider's region (the stack's `aws:region`)
   * @param stackOutputs the outputs of the stacks planned so far, by stack name: what a
   *   `StackReference` reads
   */
  constructor(
    private readonly defaultRegion: string,
    private readonly stackOutputs: Readonly<Record<string, Record<string, unknown>>> = {},
  ) {}

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: State } {
    const inputs = args.inputs as State;
    if (args.type === STACK_REFERENCE_TYPE) return this.stackReference(String(inputs.name ?? args.name));
    const region = typeof inputs.region === 'string' ? inputs.region : this.defaultRegion;
    const physical = typeof inputs.name === 'string' ? inputs.name : args.name;
    const id = `${args.name}-id`;
    const state: State = { ...inputs, id };
    if (args.type.startsWith('aws:')) {
      state.region = region;
      state.arn = mockArn(args.type, region, physical);
      if (state.name === undefined) state.name = physical;
      state.tagsAll = inputs.tags;
    }
    Object.assign(state, COMPUTED_OUTPUTS[args.type]?.({ name: args.name, physical, region, inputs }) ?? {});
    return { id: (state.id as string) ?? id, state };
  }

  /** A reference resolves to a planned stack's outputs; a stack not planned (yet) is an error naming it. */
  private stackReference(qualified: string): { id: string; state: State } {
    const stack = qualified.split('/').pop() ?? qualified;
    const outputs = this.stackOutputs[stack];
    if (!outputs) {
      const planned = Object.keys(this.stackOutputs);
      throw new Error(
        `StackReference '${qualified}': the offline plan has no stack '${stack}' (planned so far: ${planned.length ? planned.join(', ') : 'none'}); stacks are planned global, then primary, then DR`,
      );
    }
    return { id: qualified, state: { name: qualified, outputs, secretOutputNames: [] } };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    switch (args.token) {
      case 'aws:index/getCallerIdentity:getCallerIdentity':
        return {
          accountId: MOCK_ACCOUNT_ID,
          arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/plan`,
          userId: 'plan',
        };
      case 'aws:index/getPartition:getPartition':
        return { partition: 'aws', dnsSuffix: 'amazonaws.com' };
      case 'aws:index/getRegion:getRegion':
        return { name: this.defaultRegion, region: this.defaultRegion };
      case 'aws:ec2/getManagedPrefixList:getManagedPrefixList': {
        const inputs = args.inputs as State;
        const region = typeof inputs.region === 'string' ? inputs.region : this.defaultRegion;
        return managedPrefixList(String(inputs.name ?? ''), region);
      }
      case 'aws:route53/getZone:getZone': {
        // A pre-existing hosted zone, found by name: the ID is derived from the name, deterministically.
        const name = String((args.inputs as State).name ?? '');
        const zoneId = `Z${name.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;
        return {
          id: zoneId,
          zoneId,
          name,
          arn: `arn:aws:route53:::hostedzone/${zoneId}`,
          privateZone: false,
        };
      }
      default:
        throw new Error(
          `the offline plan has no mock for the invoke '${args.token}'; add one to tools/plan/mocks.ts or avoid the invoke`,
        );
    }
  }
}
