/**
 * The `.kinesis-notebook` file: readable, stable, pretty JSON that diffs well in git.
 * - a fixed key order, two-space indentation, a final newline;
 * - each cell's source as an array of lines;
 * - a stored sample (optional) with one record per line;
 * - no outputs (they are rebuilt by running the notebook).
 */
import type { StoredRecord } from './sample';

export const NOTEBOOK_TYPE = 'kinesis-transform-notebook';
export const NOTEBOOK_FORMAT_VERSION = 1;

export interface StoredSample {
  /** The spec the records were taken with (a changed spec takes a fresh sample). */
  spec: string;
  takenAt: string;
  records: StoredRecord[];
}

export interface NotebookCellJson {
  kind: 'markdown' | 'code';
  language: string;
  source: string;
  storedSample?: StoredSample;
}

export interface NotebookJson {
  cells: NotebookCellJson[];
}

export class NotebookFormatError extends Error {}

export function parseNotebook(text: string): NotebookJson {
  if (text.trim() === '') return { cells: [] };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new NotebookFormatError(`This .kinesis-notebook file is not valid JSON: ${(e as Error).message}`);
  }
  const cells = (doc as { cells?: unknown })?.cells;
  if (!Array.isArray(cells)) throw new NotebookFormatError('This .kinesis-notebook file has no "cells" array.');
  return {
    cells: cells.map((c: unknown, i: number) => {
      const o = (c ?? {}) as Record<string, unknown>;
      const kind = o.kind === 'markdown' ? 'markdown' : 'code';
      const source = Array.isArray(o.source) ? o.source.map(String).join('\n') : typeof o.source === 'string' ? o.source : '';
      const language = typeof o.language === 'string' ? o.language : kind === 'markdown' ? 'markdown' : 'json';
      const cell: NotebookCellJson = { kind, language, source };
      const s = o.storedSample as Partial<StoredSample> | undefined;
      if (s && Array.isArray(s.records)) {
        cell.storedSample = { spec: String(s.spec ?? ''), takenAt: String(s.takenAt ?? ''), records: s.records as StoredRecord[] };
      } else if (o.storedSample !== undefined) {
        throw new NotebookFormatError(`Cell ${i + 1} has a storedSample without records.`);
      }
      return cell;
    }),
  };
}

const pad = (n: number) => '  '.repeat(n);

export function serializeNotebook(nb: NotebookJson): string {
  const out: string[] = [];
  out.push('{');
  out.push(`${pad(1)}"kind": ${JSON.stringify(NOTEBOOK_TYPE)},`);
  out.push(`${pad(1)}"version": ${NOTEBOOK_FORMAT_VERSION},`);
  if (nb.cells.length === 0) {
    out.push(`${pad(1)}"cells": []`);
  } else {
    out.push(`${pad(1)}"cells": [`);
    nb.cells.forEach((c, i) => {
      const fields: string[] = [];
      fields.push(`${pad(3)}"kind": ${JSON.stringify(c.kind)}`);
      fields.push(`${pad(3)}"language": ${JSON.stringify(c.language)}`);
      const lines = c.source.split(/\r?\n/);
      fields.push(`${pad(3)}"source": [\n${lines.map((l) => `${pad(4)}${JSON.stringify(l)}`).join(',\n')}\n${pad(3)}]`);
      if (c.storedSample) {
        const s = c.storedSample;
        const recs = s.records.length ? `[\n${s.records.map((r) => `${pad(5)}${JSON.stringify(orderRecord(r))}`).join(',\n')}\n${pad(4)}]` : '[]';
        fields.push(`${pad(3)}"storedSample": {\n${pad(4)}"spec": ${JSON.stringify(s.spec)},\n${pad(4)}"takenAt": ${JSON.stringify(s.takenAt)},\n${pad(4)}"records": ${recs}\n${pad(3)}}`);
      }
      out.push(`${pad(2)}{\n${fields.join(',\n')}\n${pad(2)}}${i < nb.cells.length - 1 ? ',' : ''}`);
    });
    out.push(`${pad(1)}]`);
  }
  out.push('}');
  return out.join('\n') + '\n';
}

function orderRecord(r: StoredRecord): StoredRecord {
  return {
    shardId: r.shardId,
    sequenceNumber: r.sequenceNumber,
    partitionKey: r.partitionKey,
    arrivalTime: r.arrivalTime,
    ...(r.subSequenceNumber !== undefined ? { subSequenceNumber: r.subSequenceNumber } : {}),
    data: r.data,
  };
}
