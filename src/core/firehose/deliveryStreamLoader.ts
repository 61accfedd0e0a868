/**
 * The explorer's loader for a connection's delivery streams: every page of names (up to a cap),
 * each described with bounded concurrency, and the lines shown under one (source, processing,
 * destinations) as plain models. No vscode here.
 */
import { mapLimit } from '../async';
import { DeliveryStreamService, DeliveryStreamSummary } from './deliveryStreamService';

export const MAX_DELIVERY_STREAMS = 1000;
const PAGE = 100;
const DESCRIBE_CONCURRENCY = 4;

/** Every delivery stream (at most MAX_DELIVERY_STREAMS), described; one that cannot be described keeps its name. */
export async function loadDeliveryStreams(svc: DeliveryStreamService, max = MAX_DELIVERY_STREAMS): Promise<DeliveryStreamSummary[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await svc.listPage(cursor, PAGE);
    names.push(...page.names);
    cursor = page.next;
  } while (cursor && names.length < max);
  return mapLimit(names.slice(0, max), DESCRIBE_CONCURRENCY, (n) => svc.describe(n).catch((): DeliveryStreamSummary => ({ name: n, destinations: [] })));
}

/** One line under a delivery stream. */
export interface DeliveryStreamDetail {
  /** Unique under its stream. */
  key: string;
  kind: 'source-direct' | 'source-kinesis' | 'processing' | 'destination-s3' | 'destination';
  label: string;
  description: string;
  tooltip?: string;
}

export function deliveryStreamDetails(s: DeliveryStreamSummary): DeliveryStreamDetail[] {
  const out: DeliveryStreamDetail[] = [];
  out.push(
    s.type === 'DirectPut'
      ? { key: 'src', kind: 'source-direct', label: 'Source', description: 'Direct PUT (PutRecord, PutRecordBatch)' }
      : { key: 'src', kind: 'source-kinesis', label: 'Source', description: `Kinesis stream ${s.sourceStreamArn?.split('/').pop() ?? ''}`, tooltip: s.sourceStreamArn },
  );
  const p = s.processing;
  out.push(
    p?.enabled && p.processors.length
      ? {
          key: 'proc',
          kind: 'processing',
          label: 'Processing',
          description: p.processors.map((x) => (x.type === 'Lambda' && x.detail ? `Lambda ${x.detail.split(':').pop()}` : x.type)).join(', '),
          tooltip: p.processors.map((x) => `${x.type}: ${x.detail ?? ''}`).join('\n'),
        }
      : { key: 'proc', kind: 'processing', label: 'Processing', description: 'none' },
  );
  for (const d of s.destinations) {
    const extra = [d.buffering ? `buffer ${d.buffering}` : '', d.compression && d.compression !== 'UNCOMPRESSED' ? d.compression : '', d.dynamicPartitioning ? 'dynamic partitioning' : ''].filter(Boolean).join(' · ');
    out.push({ key: `dest|${d.id}`, kind: d.kind === 'S3' ? 'destination-s3' : 'destination', label: `Destination: ${d.kind}`, description: [d.target, extra].filter(Boolean).join(' · ') });
  }
  return out;
}
