/**
 * CloudWatch Logs subscription payloads (what a subscription filter puts into Kinesis, gzip JSON):
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html
 */

export interface CloudWatchLogEvent {
  id: string;
  timestamp: number;
  message: string;
}

export interface CloudWatchLogsPayload {
  messageType: string;
  owner?: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters?: string[];
  logEvents: CloudWatchLogEvent[];
}

export function isCloudWatchLogsPayload(v: unknown): v is CloudWatchLogsPayload {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.messageType === 'string' && typeof o.logGroup === 'string' && typeof o.logStream === 'string' && Array.isArray(o.logEvents);
}

function iso(ts: unknown): string {
  const n = typeof ts === 'number' ? ts : Number(ts);
  return Number.isFinite(n) ? new Date(n).toISOString() : String(ts);
}

/** A readable listing: a header, then one line per log event (timestamp, message). */
export function cloudWatchLogsText(p: CloudWatchLogsPayload): string {
  const lines = [
    `${p.messageType}  log group: ${p.logGroup}  log stream: ${p.logStream}` +
      (p.owner ? `  owner: ${p.owner}` : '') +
      (p.subscriptionFilters?.length ? `  filters: ${p.subscriptionFilters.join(', ')}` : ''),
    `${p.logEvents.length} event${p.logEvents.length === 1 ? '' : 's'}`,
  ];
  for (const e of p.logEvents) lines.push(`${iso(e?.timestamp)}  ${typeof e?.message === 'string' ? e.message : JSON.stringify(e?.message)}`);
  return lines.join('\n');
}
