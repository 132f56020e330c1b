import * as pulumi from '@pulumi/pulumi';
import { PlatformKeys } from '../../../stacks/data/keys';
import { PlanMocks } from '../../../tools/plan/mocks';

/*
 * `protect` and `retainOnDelete` are resource options, not props, so they never reach a plan's
 * resources.json. The keys are built directly under Pulumi mocks and their options read through a
 * transformation (the SDK's hook on child registration), as tables.test.ts does for the tables.
 */

type Seen = { readonly type: string; readonly opts: pulumi.CustomResourceOptions };

async function buildKeys(protect?: boolean): Promise<Seen[]> {
  await pulumi.runtime.setMocks(new PlanMocks('us-west-2'), 'risk-platform', 'test', false);
  const seen: Seen[] = [];
  const keys = new PlatformKeys(
    'keys',
    {
      environment: 'test',
      primaryRegion: 'us-west-2',
      drRegion: 'us-east-1',
      accountId: '123456789012',
      protect,
      tags: { environment: 'test' },
    },
    {
      transformations: [
        (args) => {
          seen.push({ type: args.type, opts: args.opts });
          return undefined;
        },
      ],
    },
  );
  await new Promise<string>((resolve) => keys.replica!.arn.apply(resolve));
  return seen;
}

const KEY_TYPES = ['aws:kms/key:Key', 'aws:kms/replicaKey:ReplicaKey'];

describe('PlatformKeys options', () => {
  test('by default the multi-region key and its replica are protected and retained on delete', async () => {
    const keys = (await buildKeys()).filter((s) => KEY_TYPES.includes(s.type));
    expect(keys.map((k) => k.type).sort()).toEqual([...KEY_TYPES].sort());
    for (const k of keys) {
      expect(k.opts.protect).toBe(true);
      expect(k.opts.retainOnDelete).toBe(true);
    }
  });

  test('protect: false (dev) leaves both keys deletable', async () => {
    const keys = (await buildKeys(false)).filter((s) => KEY_TYPES.includes(s.type));
    expect(keys).toHaveLength(2);
    for (const k of keys) {
      expect(k.opts.protect).toBe(false);
      expect(k.opts.retainOnDelete).toBe(false);
    }
  });
});
