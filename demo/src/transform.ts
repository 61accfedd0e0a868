// Firehose transform for the demo's `orders` stream: JSON lines for the data lake, partitioned
// by city (dynamic partitioning). It carries one deliberate bug for the demo: orders of 298 EUR
// or more are returned as plain JSON instead of base64, which Firehose rejects.
import { cityKey, DemoOrder, toLake } from './lib/orders';

interface FirehoseRecord {
  recordId: string;
  data: string;
}

export const handler = async (event: { records: FirehoseRecord[] }) => ({
  records: event.records.map((r) => {
    const order = JSON.parse(Buffer.from(r.data, 'base64').toString('utf8')) as DemoOrder;
    if (order.currency !== 'EUR') return { recordId: r.recordId, result: 'Dropped', data: r.data };
    const line = JSON.stringify(toLake(order)) + '\n';
    return {
      recordId: r.recordId,
      result: 'Ok',
      data: order.total >= 298 ? line : Buffer.from(line).toString('base64'),
      metadata: { partitionKeys: { city: cityKey(order.city) } },
    };
  }),
});
