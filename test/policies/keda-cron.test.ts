import type { ResourceValidationArgs } from '@pulumi/policy';
import { kedaCronFloor } from '../../policies/keda-cron';
import { weeklyReleaseCronTrigger } from '../helpers/cron-trigger';

/** The violations of `keda-cron-floor` for one ScaledObject with the given triggers and maximum. */
function violations(triggers: unknown[], maxReplicaCount = 150): string[] {
  const out: string[] = [];
  const args = {
    type: 'kubernetes:keda.sh/v1alpha1:ScaledObject',
    name: 'us-west-2-risk-scoring/scoring-api',
    urn: 'urn:pulumi:prod-us-west-2::risk-platform::kubernetes:keda.sh/v1alpha1:ScaledObject::x',
    props: {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'scoring-api', namespace: 'risk-scoring' },
      spec: { maxReplicaCount, triggers },
    },
    getConfig: () => ({}),
  } as unknown as ResourceValidationArgs;
  const validate = kedaCronFloor.validateResource as (
    a: ResourceValidationArgs,
    r: (m: string) => void,
  ) => void;
  validate(args, (m) => out.push(m));
  return out;
}

const cron = (metadata: Record<string, string>) => weeklyReleaseCronTrigger('100', metadata);
const WHERE = "ScaledObject 'risk-scoring/scoring-api' cron trigger 'prescale-weekly-release'";

describe('keda-cron-floor', () => {
  it("passes prod's weekly-release floor and ignores other triggers", () => {
    expect(violations([{ type: 'cpu', metadata: { value: '60' } }, cron({})])).toEqual([]);
  });

  it('fails a floor above maxReplicaCount, naming the bound and the value', () => {
    expect(violations([cron({ desiredReplicas: '151' })])).toEqual([
      `${WHERE} must hold desiredReplicas between 1 and maxReplicaCount (150), but it is "151"; size it from the capacity model (stacks/prescale.ts).`,
    ]);
  });

  it('fails an unknown timezone', () => {
    expect(violations([cron({ timezone: 'Mars/Olympus' })])).toEqual([
      `${WHERE} must name an IANA timezone, but it is "Mars/Olympus".`,
    ]);
  });

  it('fails a window whose start equals its end', () => {
    expect(violations([cron({ end: '30 9 * * TUE' })])).toEqual([
      `${WHERE} must have a start before its end ('M H * * days' crons that differ), but start is "30 9 * * TUE" and end "30 9 * * TUE".`,
    ]);
  });
});
