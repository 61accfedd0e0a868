// Firehose transform for Kinesis Data Streams for DynamoDB: each record is a change (INSERT,
// MODIFY, REMOVE) whose images are in DynamoDB's attribute-value form. It becomes one flat JSON
// object: the item as it is after the change (before it, for a REMOVE), plain values, with the
// change's name, table and time. @aws-sdk/util-dynamodb is part of Lambda's Node.js runtime.
import { unmarshall } from '@aws-sdk/util-dynamodb';

interface FirehoseRecord {
  recordId: string;
  data: string;
}

interface Change {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  tableName: string;
  dynamodb: { ApproximateCreationDateTime?: number; NewImage?: Record<string, never>; OldImage?: Record<string, never> };
}

export const handler = async (event: { records: FirehoseRecord[] }) => ({
  records: event.records.map((r) => {
    let change: Change;
    try {
      change = JSON.parse(Buffer.from(r.data, 'base64').toString('utf8'));
    } catch {
      return { recordId: r.recordId, result: 'ProcessingFailed', data: r.data };
    }
    const image = change.eventName === 'REMOVE' ? change.dynamodb.OldImage : change.dynamodb.NewImage;
    const item = image ? unmarshall(image, { wrapNumbers: false }) : {};
    const flat = { _event: change.eventName, _table: change.tableName, _time: change.dynamodb.ApproximateCreationDateTime, ...item };
    // Sets are not JSON: write them as arrays.
    const json = JSON.stringify(flat, (_k, v) => (v instanceof Set ? [...v] : v));
    return { recordId: r.recordId, result: 'Ok', data: Buffer.from(json + '\n').toString('base64'), metadata: { partitionKeys: { table: change.tableName } } };
  }),
});
