/**
 * The local environment's DynamoDB tables in dynalite: created at their seeded capacity, emptied and
 * put back to that capacity between tests (./harness.ts `reset`).
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE_KEYS } from '../../../stacks/naming';
import { RunbookOutputs } from '../../../stacks/outputs';
import { seededFloor, updateThroughput } from './autoscaling-stand-in';

/** BatchWriteItem's limit of requests per call. @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html */
const BATCH_WRITE_MAX = 25;

/**
 * Deletes `items` (by the table's keys) from `table`, 25 a call, sending again what a call leaves
 * unprocessed. One DeleteItem per item was a fifth of the runner suite's 9,600 SDK calls.
 */
export async function deleteItems(
  db: DynamoDBClient,
  table: string,
  items: readonly Record<string, unknown>[],
): Promise<void> {
  const doc = DynamoDBDocumentClient.from(db);
  const deletes = items.map((item) => ({
    DeleteRequest: {
      Key: { [TABLE_KEYS.partition]: item[TABLE_KEYS.partition], [TABLE_KEYS.sort]: item[TABLE_KEYS.sort] },
    },
  }));
  for (let i = 0; i < deletes.length; i += BATCH_WRITE_MAX) {
    let pending: Record<string, typeof deletes> | undefined = {
      [table]: deletes.slice(i, i + BATCH_WRITE_MAX),
    };
    while (pending && Object.keys(pending).length > 0)
      pending = (await doc.send(new BatchWriteCommand({ RequestItems: pending })))
        .UnprocessedItems as typeof pending;
  }
}

/** Puts a provisioned table back to `seed` when a test changed it (`undefined`: on-demand, nothing to do). */
export async function restoreSeed(
  db: DynamoDBClient,
  table: string,
  seed: { read: number; write: number } | undefined,
): Promise<void> {
  if (!seed) return;
  const pt = (await db.send(new DescribeTableCommand({ TableName: table }))).Table?.ProvisionedThroughput;
  if (pt?.ReadCapacityUnits !== seed.read || pt?.WriteCapacityUnits !== seed.write)
    await updateThroughput(db, table, seed);
}

/**
 * The provisioned capacity a table starts at when the region's outputs list autoscaled floors for it
 * (`tableCapacity`): reads and writes at the region's seeded floor (standby in DR, full in the primary;
 * a dimension the region does not register, like the DR replica's writes, at 5). Undefined: on-demand.
 */
export function provisionedSeed(
  r: RunbookOutputs['regions'][string],
  table: string,
): { read: number; write: number } | undefined {
  const entries = (r.tableCapacity ?? []).filter((e) => e.resourceId === `table/${table}`);
  if (entries.length === 0) return undefined;
  const at = (suffix: string) => {
    const e = entries.find((x) => x.dimension.endsWith(suffix));
    return e ? seededFloor(r.role, e) : 5;
  };
  return { read: at('ReadCapacityUnits'), write: at('WriteCapacityUnits') };
}

export async function createTable(
  db: DynamoDBClient,
  name: string,
  provisioned?: { read: number; write: number },
): Promise<void> {
  await db.send(
    new CreateTableCommand({
      TableName: name,
      ...(provisioned
        ? {
            BillingMode: 'PROVISIONED',
            ProvisionedThroughput: {
              ReadCapacityUnits: provisioned.read,
              WriteCapacityUnits: provisioned.write,
            },
          }
        : { BillingMode: 'PAY_PER_REQUEST' }),
      AttributeDefinitions: [
        { AttributeName: TABLE_KEYS.partition, AttributeType: 'S' },
        { AttributeName: TABLE_KEYS.sort, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: TABLE_KEYS.partition, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sort, KeyType: 'RANGE' },
      ],
    }),
  );
  for (let i = 0; i < 100; i++) {
    const { Table } = await db.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`table ${name} did not become ACTIVE in dynalite`);
}
