import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalableTargetsCommandInput,
  RegisterScalableTargetCommand,
  RegisterScalableTargetCommandInput,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeTableCommand, DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { RunbookOutputs } from '../../../stacks/outputs';

/** One registered scalable target of the stand-in. */
export interface StandInTarget {
  readonly resourceId: string;
  readonly dimension: string;
  min: number;
  max: number;
}

/** The floor a region's copy starts at: standby in the DR region, full in the primary. */
export function seededFloor(
  role: 'primary' | 'dr',
  e: { readonly fullMinCapacity: number; readonly standbyMinCapacity: number },
): number {
  return role === 'dr' ? e.standbyMinCapacity : e.fullMinCapacity;
}

/**
 * Stand-in for Application Auto Scaling (no emulator exists), at the SDK boundary: the scalable targets
 * the outputs list (`tableCapacity`), seeded at their standby floors in the DR region and their full
 * floors in the primary. `RegisterScalableTarget` changes only the parameters given and, as the real
 * service does through its service-linked role, raises the table's provisioned capacity into the new
 * range with an UpdateTable on the region's dynalite (tables only; index resources are not emulated).
 * @see https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html
 */
export class AutoScalingStandIn {
  targets: Record<string, StandInTarget[]> = {};
  /** Every call, in order: region, command and input. */
  readonly calls: { region: string; command: string; input: unknown }[] = [];
  /** Regions whose Application Auto Scaling answers with a 500. */
  readonly failingRegions = new Set<string>();
  /** Resource IDs (`table/<name>`) whose RegisterScalableTarget is refused (a throttled or denied call). */
  readonly failingRegisters = new Set<string>();
  /** While true, RegisterScalableTarget records the minimum but does not update the table (a slow scale-out). */
  holdUpdates = false;

  constructor(
    private readonly outputs: RunbookOutputs,
    private readonly dynamodb: (region: string) => DynamoDBClient,
  ) {
    this.reset();
  }

  reset(): void {
    this.targets = Object.fromEntries(
      Object.values(this.outputs.regions).map((r) => [
        r.region,
        (r.tableCapacity ?? []).map((e) => ({
          resourceId: e.resourceId,
          dimension: e.dimension,
          min: seededFloor(r.role, e),
          max: e.maxCapacity,
        })),
      ]),
    );
    this.calls.length = 0;
    this.failingRegions.clear();
    this.failingRegisters.clear();
    this.holdUpdates = false;
  }

  target(region: string, resourceId: string, dimension: string): StandInTarget | undefined {
    return this.targets[region]?.find((t) => t.resourceId === resourceId && t.dimension === dimension);
  }

  private fail(region: string): void {
    if (this.failingRegions.has(region)) {
      const e = new Error(`Application Auto Scaling in ${region} is unavailable (stand-in)`);
      e.name = 'InternalServiceException';
      throw e;
    }
  }

  attach(client: ApplicationAutoScalingClient, region: string): void {
    const mock = mockClient(client);
    mock.on(DescribeScalableTargetsCommand).callsFake(async (input: DescribeScalableTargetsCommandInput) => {
      this.calls.push({ region, command: 'DescribeScalableTargets', input });
      this.fail(region);
      const ids = new Set(input.ResourceIds ?? []);
      return {
        ScalableTargets: (this.targets[region] ?? [])
          .filter((t) => input.ServiceNamespace === 'dynamodb' && (ids.size === 0 || ids.has(t.resourceId)))
          .filter((t) => !input.ScalableDimension || input.ScalableDimension === t.dimension)
          .map((t) => ({
            ServiceNamespace: 'dynamodb',
            ResourceId: t.resourceId,
            ScalableDimension: t.dimension,
            MinCapacity: t.min,
            MaxCapacity: t.max,
            RoleARN: `arn:aws:iam::000000000000:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable`,
            CreationTime: new Date(0),
          })),
      };
    });
    mock.on(RegisterScalableTargetCommand).callsFake(async (input: RegisterScalableTargetCommandInput) => {
      this.calls.push({ region, command: 'RegisterScalableTarget', input });
      this.fail(region);
      if (this.failingRegisters.has(input.ResourceId ?? '')) {
        const e = new Error('Rate exceeded (stand-in)');
        e.name = 'ConcurrentUpdateException';
        throw e;
      }
      const t = this.target(region, input.ResourceId ?? '', input.ScalableDimension ?? '');
      if (!t || input.ServiceNamespace !== 'dynamodb') {
        const e = new Error(`no scalable target ${input.ResourceId} ${input.ScalableDimension} (stand-in)`);
        e.name = 'ValidationException';
        throw e;
      }
      if (input.MinCapacity !== undefined) t.min = input.MinCapacity;
      if (input.MaxCapacity !== undefined) t.max = input.MaxCapacity;
      if (!this.holdUpdates) await this.bringIntoRange(region, t);
      return {
        ScalableTargetARN: `arn:aws:application-autoscaling:${region}:000000000000:scalable-target/stand-in`,
      };
    });
  }

  /** What Application Auto Scaling does after a registration: the table's capacity into [min, max]. */
  async bringIntoRange(region: string, t: StandInTarget): Promise<void> {
    if (!/^table\/[^/]+$/.test(t.resourceId)) return;
    const db = this.dynamodb(region);
    const name = t.resourceId.slice('table/'.length);
    const pt = (await db.send(new DescribeTableCommand({ TableName: name }))).Table?.ProvisionedThroughput;
    const reads = t.dimension.endsWith('ReadCapacityUnits');
    const have = (reads ? pt?.ReadCapacityUnits : pt?.WriteCapacityUnits) ?? 0;
    const want = Math.min(t.max, Math.max(t.min, have));
    if (want === have) return;
    await updateThroughput(db, name, reads ? { read: want } : { write: want });
  }
}

/** UpdateTable of a provisioned table's reads and/or writes, then waits (bounded) for ACTIVE. */
export async function updateThroughput(
  db: DynamoDBClient,
  name: string,
  units: { read?: number; write?: number },
): Promise<void> {
  const pt = (await db.send(new DescribeTableCommand({ TableName: name }))).Table?.ProvisionedThroughput;
  await db.send(
    new UpdateTableCommand({
      TableName: name,
      ProvisionedThroughput: {
        ReadCapacityUnits: units.read ?? pt?.ReadCapacityUnits ?? 1,
        WriteCapacityUnits: units.write ?? pt?.WriteCapacityUnits ?? 1,
      },
    }),
  );
  for (let i = 0; i < 200; i++) {
    const { Table } = await db.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`table ${name} did not become ACTIVE in dynalite after UpdateTable`);
}
