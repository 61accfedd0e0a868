// Firehose transform for a CloudWatch Logs subscription: each record is a gzipped payload.
// DATA_MESSAGE: its log events become one JSON line each. CONTROL_MESSAGE (CloudWatch checking
// that the destination works): Dropped, so it never reaches the data lake.
import { gunzipSync } from 'node:zlib';

interface FirehoseRecord {
  recordId: string;
  data: string;
}

interface Payload {
  messageType: string;
  logGroup: string;
  logStream: string;
  logEvents: { id: string; timestamp: number; message: string }[];
}

export const handler = async (event: { records: FirehoseRecord[] }) => ({
  records: event.records.map((r) => {
    let payload: Payload;
    try {
      payload = JSON.parse(gunzipSync(Buffer.from(r.data, 'base64')).toString('utf8'));
    } catch {
      console.error(`record ${r.recordId}: not a gzipped CloudWatch Logs payload`);
      return { recordId: r.recordId, result: 'ProcessingFailed', data: r.data };
    }
    if (payload.messageType === 'CONTROL_MESSAGE') return { recordId: r.recordId, result: 'Dropped', data: r.data };
    const lines = payload.logEvents.map((e) => JSON.stringify({ logGroup: payload.logGroup, logStream: payload.logStream, id: e.id, timestamp: e.timestamp, message: e.message }) + '\n');
    return {
      recordId: r.recordId,
      result: 'Ok',
      data: Buffer.from(lines.join('')).toString('base64'),
      metadata: { partitionKeys: { logGroup: payload.logGroup.replace(/^\//, '').replace(/\//g, '-') || 'none' } },
    };
  }),
});
