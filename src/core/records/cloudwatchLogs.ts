/**
 * CloudWatch Logs subscription payloads (what a subscription filter puts into Kinesis, gzip JSON):
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html
 */
import { cell, isoTime, RecordFormat } from './formatTypes';

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

/** A readable listing: a header, then one line per log event (timestamp, message). */
export function cloudWatchLogsText(p: CloudWatchLogsPayload): string {
  const lines = [
    `${p.messageType}  log group: ${p.logGroup}  log stream: ${p.logStream}` +
      (p.owner ? `  owner: ${p.owner}` : '') +
      (p.subscriptionFilters?.length ? `  filters: ${p.subscriptionFilters.join(', ')}` : ''),
    `${p.logEvents.length} event${p.logEvents.length === 1 ? '' : 's'}`,
  ];
  for (const e of p.logEvents) lines.push(`${isoTime(e?.timestamp)}  ${typeof e?.message === 'string' ? e.message : JSON.stringify(e?.message)}`);
  return lines.join('\n');
}

/** CloudWatch Logs' health probe of a new subscription: not a log event (hidden by default, counted). */
export function isControlMessage(p: CloudWatchLogsPayload): boolean {
  return p.messageType === 'CONTROL_MESSAGE';
}

/** One log event of a payload, as its own row (the header fields with it). */
export interface CloudWatchLogEventRow {
  messageType: string;
  owner?: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters?: string[];
  id: string;
  timestamp: number;
  message: string;
}

const text = (m: unknown): string => (typeof m === 'string' ? m : JSON.stringify(m));

export const cloudWatchLogsFormat: RecordFormat = {
  name: 'cloudwatch-logs',
  title: 'CloudWatch Logs subscription',
  columns: [
    { id: 'time', title: 'Time' },
    { id: 'logGroup', title: 'Log group' },
    { id: 'logStream', title: 'Log stream' },
    { id: 'events', title: 'Events' },
    { id: 'message', title: 'Message' },
  ],
  columnValues(v, row) {
    const p = v as CloudWatchLogsPayload & Partial<CloudWatchLogEventRow>;
    const at = row?.logEvent;
    const first = Array.isArray(p.logEvents) ? p.logEvents[0] : p;
    return {
      time: first ? isoTime(first.timestamp) : '',
      logGroup: cell(p.logGroup),
      logStream: cell(p.logStream),
      // A row of one log event says which of its payload's events it is: "2 of 3".
      events: Array.isArray(p.logEvents) ? String(p.logEvents.length) : at ? `${at.index + 1} of ${at.count}` : '1',
      message: first ? text(first.message).slice(0, 500) : '',
    };
  },
  detail(v) {
    const p = v as CloudWatchLogsPayload & Partial<CloudWatchLogEventRow>;
    const events = Array.isArray(p.logEvents) ? p.logEvents : [p as CloudWatchLogEvent];
    return {
      format: 'cloudwatch-logs',
      title: `CloudWatch Logs ${p.messageType}: ${p.logGroup} / ${p.logStream}`,
      sections: [
        {
          kind: 'fields',
          title: 'Subscription',
          fields: [
            { name: 'messageType', value: cell(p.messageType) },
            { name: 'owner', value: cell(p.owner) },
            { name: 'logGroup', value: cell(p.logGroup) },
            { name: 'logStream', value: cell(p.logStream) },
            { name: 'subscriptionFilters', value: (p.subscriptionFilters ?? []).join(', ') },
          ],
        },
        { kind: 'table', title: 'Log events', columns: [{ id: 'timestamp', title: 'Time' }, { id: 'id', title: 'Id' }, { id: 'message', title: 'Message' }], rows: events.map((e) => ({ timestamp: isoTime(e?.timestamp), id: cell(e?.id), message: text(e?.message) })) },
      ],
    };
  },
};
