import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DeleteCommandInput,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  PutCommandInput,
  QueryCommand,
  UpdateCommand,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { Key } from './keys';

export type Item = Record<string, unknown>;

/** Thin access to one region's `control` table: strongly consistent reads, conditional writes. */
export class ControlTable {
  readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    readonly tableName: string,
    readonly region: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async get<T = Item>(key: Key): Promise<T | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return out.Item as T | undefined;
  }

  async query<T = Item>(pk: string): Promise<T[]> {
    const items: T[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...((out.Items ?? []) as T[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async put(item: Key & Item, condition?: Omit<PutCommandInput, 'TableName' | 'Item'>): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item, ...condition }));
  }

  /** Puts `item` only if no item has its key. Returns false (and writes nothing) when one exists. */
  async putIfAbsent(item: Key & Item): Promise<boolean> {
    return ifConditionHolds(() => this.put(item, { ConditionExpression: 'attribute_not_exists(pk)' }));
  }

  async update(key: Key, input: Omit<UpdateCommandInput, 'TableName' | 'Key'>): Promise<void> {
    await this.doc.send(new UpdateCommand({ TableName: this.tableName, Key: key, ...input }));
  }

  async delete(key: Key, input: Omit<DeleteCommandInput, 'TableName' | 'Key'> = {}): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: key, ...input }));
  }
}

/** Runs a conditional write: true when it was applied, false when its condition did not hold. */
export async function ifConditionHolds(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (
      err instanceof ConditionalCheckFailedException ||
      (err as Error).name === 'ConditionalCheckFailedException'
    ) {
      return false;
    }
    throw err;
  }
}
