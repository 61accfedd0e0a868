/** The record inspector's settings, read and bounded. */
import * as vscode from 'vscode';
import { SCHEMA_VERSION_ID_RE } from '../../core/records/avroSchemas';
import { cloudFrontFieldOrder } from '../../core/records/cloudFront';

export function maxRecordsSetting(): number {
  const v = vscode.workspace.getConfiguration('kinesis').get<number>('inspector.maxRecords', 100_000) ?? 100_000;
  return Math.max(100, Math.min(2_000_000, Math.floor(v)));
}

/** `kinesis.inspector.maxMemoryMB` in bytes: about how much memory a panel's records may take. */
export function maxMemorySetting(): number {
  const v = Number(vscode.workspace.getConfiguration('kinesis').get<number>('inspector.maxMemoryMB', 512) ?? 512);
  return Math.max(16, Math.min(8192, Math.floor(Number.isFinite(v) ? v : 512))) * 1024 * 1024;
}

/** `kinesis.records.cloudFrontFields`, in the order the lines carry them (empty: CloudFront's canonical list). */
export function cloudFrontFieldsSetting(): string[] {
  const v = vscode.workspace.getConfiguration('kinesis').get<unknown>('records.cloudFrontFields', []);
  const fields = Array.isArray(v) ? v.filter((f): f is string => typeof f === 'string' && /^[\w-]{1,64}$/.test(f)) : [];
  return fields.length ? cloudFrontFieldOrder(fields) : [];
}

/** `kinesis.records.avroSchemaFiles`: schema version id -> .avsc path (kept: ids that are UUIDs, paths that end in .avsc). */
export function avroSchemaFilesSetting(): Record<string, string> {
  const v = vscode.workspace.getConfiguration('kinesis').get<unknown>('records.avroSchemaFiles', {});
  const out: Record<string, string> = {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [id, path] of Object.entries(v as Record<string, unknown>)) {
    if (SCHEMA_VERSION_ID_RE.test(id.toLowerCase()) && typeof path === 'string' && /\.avsc$/i.test(path) && path.length < 4096) out[id.toLowerCase()] = path;
  }
  return out;
}

/** `kinesis.records.avroSchemaFolders`: more folders holding `<schema-version-id>.avsc` files. */
export function avroSchemaFoldersSetting(): string[] {
  const v = vscode.workspace.getConfiguration('kinesis').get<unknown>('records.avroSchemaFolders', []);
  return Array.isArray(v) ? v.filter((f): f is string => typeof f === 'string' && !!f.trim() && f.length < 4096).slice(0, 20) : [];
}
