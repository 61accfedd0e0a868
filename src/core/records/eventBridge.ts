/**
 * EventBridge events, as a rule with a Kinesis target puts them into a stream (the event itself,
 * JSON): https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html
 */
import { cell, isObject, RecordFormat } from './formatTypes';

export interface EventBridgeEvent {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources?: string[];
  detail: unknown;
}

export function isEventBridgeEvent(v: unknown): v is EventBridgeEvent {
  return isObject(v) && typeof v['detail-type'] === 'string' && typeof v.source === 'string' && typeof v.time === 'string' && 'detail' in v && typeof v.id === 'string';
}

export const eventBridgeFormat: RecordFormat = {
  name: 'eventbridge',
  title: 'EventBridge event',
  columns: [
    { id: 'time', title: 'Time' },
    { id: 'source', title: 'Source' },
    { id: 'detail-type', title: 'Detail type' },
    { id: 'account-region', title: 'Account / region' },
  ],
  columnValues(v) {
    const e = v as EventBridgeEvent;
    return { time: cell(e.time), source: cell(e.source), 'detail-type': cell(e['detail-type']), 'account-region': `${cell(e.account)} / ${cell(e.region)}` };
  },
  detail(v) {
    const e = v as EventBridgeEvent;
    const names = ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region'] as const;
    return {
      format: 'eventbridge',
      title: `EventBridge event: ${cell(e['detail-type'])} from ${cell(e.source)}`,
      sections: [
        { kind: 'fields', title: 'Event', fields: [...names.map((n) => ({ name: n, value: cell(e[n]) })), { name: 'resources', value: Array.isArray(e.resources) ? e.resources.map(cell).join('\n') : cell(e.resources) }] },
        { kind: 'json', title: 'detail', value: e.detail },
      ],
    };
  },
};
