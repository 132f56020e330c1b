/**
 * A fixed-size Deployment without an autoscaler (the replication heartbeat): the pack needs no
 * exemption for it. `deployment-pdb` reads its minimum from `spec.replicas`, `dr-parity` wants it in
 * both regions, and the `risk-platform/autoscaling: none` label relaxes no rule.
 */
import { PlannedResource } from '../../tools/plan/harness';
import { deployment, DR, happyStack, pdb, PRIMARY, violated, withChange } from './fixtures';

const HEARTBEAT = 'replication-heartbeat';
type Props = Record<string, unknown>;
const spec = (p: Props) => p.spec as Props;

/** The heartbeat's Deployment in a region: one replica, no autoscaler, optionally labelled. */
function fixedSize(region: string, labelled = true): PlannedResource {
  const d = deployment(region, HEARTBEAT);
  const props = structuredClone(d.props);
  spec(props).replicas = 1;
  const metadata = props.metadata as { labels: Record<string, string> };
  if (labelled) metadata.labels['risk-platform/autoscaling'] = 'none';
  return { ...d, props };
}

const withHeartbeat = (opts: { labelled?: boolean; regions?: string[]; pdbs?: boolean } = {}) => [
  ...happyStack(),
  ...(opts.regions ?? [PRIMARY, DR]).flatMap((r) => [
    fixedSize(r, opts.labelled ?? true),
    ...(opts.pdbs === false ? [] : [pdb(r, HEARTBEAT)]),
  ]),
];

describe('a fixed-size Deployment without an autoscaler', () => {
  test('passes every rule with one replica, a maxUnavailable 1 PDB, in both regions', async () => {
    expect(await violated(withHeartbeat(), undefined, 'mandatory')).toEqual([]);
  });

  test('fails deployment-pdb without a PDB, labelled or not', async () => {
    expect(await violated(withHeartbeat({ pdbs: false }), undefined, 'mandatory')).toEqual([
      'deployment-pdb',
    ]);
    expect(await violated(withHeartbeat({ pdbs: false, labelled: false }), undefined, 'mandatory')).toEqual([
      'deployment-pdb',
    ]);
  });

  test('fails deployment-pdb when its PDB allows no disruption (the label exempts nothing)', async () => {
    const stack = withChange(withHeartbeat(), `${PRIMARY}-poddisruptionbudget-${HEARTBEAT}`, (p) => {
      spec(p).maxUnavailable = 0;
    });
    expect(await violated(stack, undefined, 'mandatory')).toEqual(['deployment-pdb']);
  });

  test('fails dr-parity when only the primary region runs it, labelled or not', async () => {
    expect(await violated(withHeartbeat({ regions: [PRIMARY] }), undefined, 'mandatory')).toEqual([
      'dr-parity',
    ]);
    expect(
      await violated(withHeartbeat({ regions: [PRIMARY], labelled: false }), undefined, 'mandatory'),
    ).toEqual(['dr-parity']);
  });
});
