import { EnvironmentPlan } from '../../tools/plan/harness';
import { renderReport, topologyMermaid } from '../../tools/plan/report';
import { manifestsByRegion, serializeResources } from '../../tools/plan/run';
import { planOf } from '../helpers/plan';

let prod: EnvironmentPlan;
let mermaid: string;

beforeAll(async () => {
  prod = await planOf('prod');
  mermaid = topologyMermaid(prod.resources);
});

/** The Mermaid node id whose label is exactly `text` inside the subgraph of `region` (or anywhere). */
function nodeId(text: string, region?: string): string {
  const lines = mermaid.split('\n');
  const start = region ? lines.findIndex((l) => l.includes(`["${region}"]`)) : 0;
  for (let i = start; i < lines.length; i++) {
    const m = /^\s+(\w+)\["(.*)"\]$/.exec(lines[i]);
    if (m && m[2] === text) return m[1];
    if (region && i > start && /^ {2}end$/.test(lines[i])) break;
  }
  throw new Error(`no node '${text}'${region ? ` in ${region}` : ''}`);
}

const edge = (from: string, label: string, to: string, dotted = false) =>
  dotted ? `  ${from} -. ${label} .-> ${to}` : `  ${from} -- ${label} --> ${to}`;

describe('topologyMermaid', () => {
  test('draws one subgraph per region and the traffic switch', () => {
    expect(mermaid.startsWith('flowchart LR\n')).toBe(true);
    expect(mermaid).toContain('subgraph g_us_west_2["us-west-2"]');
    expect(mermaid).toContain('subgraph g_us_east_1["us-east-1"]');
    expect(mermaid).toContain('subgraph g_traffic["traffic switch (Route 53 ARC)"]');
  });

  test("nests each region's Deployments inside its EKS cluster", () => {
    const lines = mermaid.split('\n');
    const cluster = lines.findIndex((l) => l.includes('["EKS: prod-risk-us-east-1"]'));
    expect(lines.slice(cluster + 1, cluster + 5).map((l) => l.trim().replace(/^\w+/, ''))).toEqual([
      '["Deployment: feedback-worker"]',
      '["Deployment: replication-heartbeat"]',
      '["Deployment: scoring-api"]',
      '["Deployment: stream-scorer"]',
    ]);
  });

  test('draws global-table replication from the primary table to its DR replica', () => {
    expect(mermaid).toContain(
      edge(
        nodeId('DynamoDB: prod-features', 'us-west-2'),
        'replicates',
        nodeId('DynamoDB replica: prod-features', 'us-east-1'),
        true,
      ),
    );
  });

  test('draws every global table replicating to its TableReplica in DR', () => {
    for (const table of ['prod-features', 'prod-decisions', 'prod-control']) {
      expect(mermaid).toContain(
        edge(
          nodeId(`DynamoDB: ${table}`, 'us-west-2'),
          'replicates',
          nodeId(`DynamoDB replica: ${table}`, 'us-east-1'),
          true,
        ),
      );
    }
  });

  test('still draws replication declared inline (replicas[])', () => {
    const inline = prod.resources
      .filter((r) => r.type !== 'aws:dynamodb/tableReplica:TableReplica')
      .map((r) =>
        r.type === 'aws:dynamodb/table:Table' && r.props.name === 'prod-features'
          ? { ...r, props: { ...r.props, replicas: [{ regionName: 'us-east-1' }] } }
          : r,
      );
    const drawn = topologyMermaid(inline);
    expect(drawn).toContain('["DynamoDB replica: prod-features"]');
    expect(drawn).not.toContain('["DynamoDB replica: prod-decisions"]');
  });

  test('draws the multi-region key replicating into DR', () => {
    expect(mermaid).toContain(
      edge(nodeId('KMS key: keys-primary'), 'replicates', nodeId('KMS replica key: keys-replica'), true),
    );
  });

  test('draws SNS subscriptions and DLQ redrives per region', () => {
    for (const region of ['us-west-2', 'us-east-1']) {
      const topic = nodeId('SNS: prod-risk-decisions', region);
      expect(mermaid).toContain(edge(topic, 'subscription', nodeId('SQS: prod-case-review', region)));
      expect(mermaid).toContain(edge(topic, 'subscription', nodeId('SQS: prod-model-feedback', region)));
      expect(mermaid).toContain(
        edge(nodeId('SQS: prod-case-review', region), 'redrive', nodeId('SQS: prod-case-review-dlq', region)),
      );
    }
  });

  test('draws what each KEDA-scaled workload consumes, in its own region', () => {
    for (const region of ['us-west-2', 'us-east-1']) {
      expect(mermaid).toContain(
        edge(
          nodeId('Kinesis: prod-transactions', region),
          'consumed by',
          nodeId('Deployment: stream-scorer', region),
        ),
      );
      expect(mermaid).toContain(
        edge(
          nodeId('SQS: prod-model-feedback', region),
          'consumed by',
          nodeId('Deployment: feedback-worker', region),
        ),
      );
    }
  });

  test("draws the failover record gated by each region's routing control", () => {
    const record = nodeId('Route 53 failover: score.risk.example.com');
    expect(mermaid).toContain(edge(record, 'PRIMARY', nodeId('ARC routing control: prod-scoring-us-west-2')));
    expect(mermaid).toContain(
      edge(record, 'SECONDARY', nodeId('ARC routing control: prod-scoring-us-east-1')),
    );
  });

  test('draws only the health-checked failover record in the switch, not other records of the zone', () => {
    const records = prod.resources.filter((r) => r.type === 'aws:route53/record:Record');
    expect(records.length).toBeGreaterThan(2);
    expect(mermaid.match(/Route 53 failover: /g)).toHaveLength(1);
  });

  test('is deterministic', () => {
    expect(topologyMermaid([...prod.resources])).toBe(mermaid);
  });
});

describe('renderReport', () => {
  test('counts every resource by type and region, with a total row', () => {
    const report = renderReport('prod', prod.resources, []);
    // One column per region (the canary's third region included, issue 13), then the total.
    const row = report.split('\n').find((l) => l.startsWith('| **total** |'));
    expect(row).toBeDefined();
    const cells = (row as string)
      .split('|')
      .slice(2, -1)
      .map((c) => Number(c.trim()));
    expect(cells.at(-1)).toBe(prod.resources.length);
    const perColumn = cells.slice(0, -1);
    expect(perColumn.reduce((a, b) => a + b, 0)).toBe(prod.resources.length);
    const west = perColumn.at(-1);
    expect(west).toBe(prod.resources.filter((r) => r.region === 'us-west-2').length);
  });

  test('says PASS without violations and FAIL with a mandatory one, listing it', () => {
    expect(renderReport('prod', prod.resources, [])).toContain('Policy verdict: **PASS**');
    const failed = renderReport('prod', prod.resources, [
      {
        policy: 'dynamodb-pitr',
        enforcementLevel: 'mandatory',
        urn: 'urn:pulumi:prod::x::t::n',
        message: 'm must be on',
      },
    ]);
    expect(failed).toContain('Policy verdict: **FAIL**: 1 mandatory violation(s), 0 advisory.');
    expect(failed).toContain('| mandatory | `dynamodb-pitr` | `urn:pulumi:prod::x::t::n` | m must be on |');
  });

  test('says it is generated', () => {
    expect(renderReport('prod', prod.resources, []).split('\n')[0]).toBe(
      '<!-- Generated by `npm run plan`; do not edit. -->',
    );
  });
});

describe('manifestsByRegion', () => {
  test('writes every Kubernetes object of each region as one YAML file', () => {
    const manifests = manifestsByRegion(prod.resources);
    const objects = (region: string) =>
      prod.resources.filter(
        (r) => r.region === region && r.type.startsWith('kubernetes:') && typeof r.props.kind === 'string',
      );
    for (const region of ['us-west-2', 'us-east-1']) {
      expect(manifests.get(region)?.size).toBe(objects(region).length);
    }
    const deployment = manifests.get('us-east-1')?.get('deployment-risk-scoring-scoring-api.yaml') ?? '';
    expect(deployment).toMatch(/^# Generated by npm run plan from urn:pulumi:prod-us-east-1::/);
    expect(deployment).toContain('kind: Deployment');
  });
});

describe('serializeResources', () => {
  test('ends with a newline and keeps the contract field order', () => {
    const text = serializeResources(prod.resources.slice(0, 1));
    expect(text.endsWith(']\n')).toBe(true);
    expect(Object.keys(JSON.parse(text)[0])).toEqual(['urn', 'type', 'name', 'region', 'parent', 'props']);
  });
});
