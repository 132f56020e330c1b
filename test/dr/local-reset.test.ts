import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_KEYS } from '../../stacks/naming';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { startLocal } from './helpers';

let env: LocalEnvironment;
beforeAll(async () => {
  env = await startLocal();
});
afterAll(() => env.stop());

// Provisioned tables put back to their seed: test/dr/table-floors.test.ts.
describe('LocalEnvironment.reset', () => {
  it('empties a control table holding more items than one BatchWriteItem takes (25), keeping heartbeats', async () => {
    const r = Object.values(env.outputs.regions)[0];
    const doc = DynamoDBDocumentClient.from(env.clients().dynamodb(r.region));
    for (let i = 0; i < 60; i++)
      await doc.send(
        new PutCommand({
          TableName: r.tables.control.name,
          Item: { [TABLE_KEYS.partition]: `test#${i % 7}`, [TABLE_KEYS.sort]: `item-${i}` },
        }),
      );
    expect(await env.controlItems(r.region)).toHaveLength(60);
    await env.reset();
    expect(await env.controlItems(r.region)).toEqual([]);
    // The heartbeats are kept (written again), not deleted with the rest.
    const items = (
      await doc.send(new ScanCommand({ TableName: r.tables.control.name, ConsistentRead: true }))
    ).Items;
    expect(items?.some((i) => String(i[TABLE_KEYS.partition]).startsWith('heartbeat#'))).toBe(true);
  });
});
