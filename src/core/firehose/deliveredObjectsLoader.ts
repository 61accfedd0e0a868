/**
 * The explorer's loader for what a local delivery stream wrote: its delivered objects or its error
 * objects, newest first, a page at a time ("Load more…", as data streams page), with the bucket's
 * folder when the endpoint has a data folder; the line each object shows; and one object as the
 * text of a read-only document. No vscode here.
 */
import { basename } from 'node:path';
import { formatBytes } from '../format';
import type { ListedObject } from '../local/firehoseEmulator';
import { COMPRESSION_NAME, CompressionFormat } from '../local/compression';
import { DeliveredObjectPage, listDeliveredObjects, readDeliveredObject } from './localObjects';

export type ObjectsKind = 'delivered' | 'errors';

/** The emulator answers at most this many objects a page. */
export const MAX_OBJECTS_PAGE = 1000;

export interface DeliveredObjectsState {
  objects: ListedObject[];
  /** More pages exist on the endpoint. */
  hasMore: boolean;
  /** The bucket's folder on disk, when the endpoint has a data folder. */
  folder?: string;
}

/** Lists one page (tests pass another source; the tree uses the endpoint). */
export type ObjectPageSource = (opts: { kind: ObjectsKind; limit: number; next?: string }) => Promise<DeliveredObjectPage>;

export class DeliveredObjectsLoader {
  private objects: ListedObject[] = [];
  private cursor?: string;
  private started = false;
  private folder?: string;
  private loading?: Promise<void>;
  private readonly pageSize: number;

  constructor(
    private readonly source: ObjectPageSource,
    readonly kind: ObjectsKind,
    pageSize = 100,
  ) {
    this.pageSize = Math.max(1, Math.min(MAX_OBJECTS_PAGE, Math.floor(pageSize) || 100));
  }

  /** A loader that asks the built-in endpoint at `endpoint` about one delivery stream. */
  static forEndpoint(endpoint: string, deliveryStreamName: string, kind: ObjectsKind, pageSize?: number): DeliveredObjectsLoader {
    return new DeliveredObjectsLoader((o) => listDeliveredObjects(endpoint, deliveryStreamName, o), kind, pageSize);
  }

  get state(): DeliveredObjectsState {
    return { objects: [...this.objects], hasMore: !this.started || this.cursor !== undefined, ...(this.folder ? { folder: this.folder } : {}) };
  }

  async ensureFirstPage(): Promise<DeliveredObjectsState> {
    if (!this.started) await this.loadNextPage();
    return this.state;
  }

  /** One more page (no-op on the last one). Concurrent calls share one request. */
  async loadNextPage(): Promise<DeliveredObjectsState> {
    if (this.started && this.cursor === undefined) return this.state;
    this.loading ??= (async () => {
      try {
        const page = await this.source({ kind: this.kind, limit: this.pageSize, next: this.cursor });
        this.started = true;
        this.cursor = page.next;
        this.folder = page.folder;
        const seen = new Set(this.objects.map((o) => o.key));
        this.objects.push(...page.objects.filter((o) => !seen.has(o.key)));
      } finally {
        this.loading = undefined;
      }
    })();
    await this.loading;
    return this.state;
  }
}

/** Firehose's object name: `<stream>-<version>-YYYY-MM-dd-HH-mm-ss-<uuid>`, then the compression's suffix (`.gz`, `.zip`, `.snappy`, `.hsnappy`). */
const FIREHOSE_NAME = /^.+-\d+-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-([0-9a-f]{8})(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}(\.[a-z0-9]+)?$/i;

/**
 * The line one object shows in the tree: its folder without the date folders (the partition, or
 * the error output type) and a short name (the start of its UUID), then size, record count and
 * time; the whole key in the tooltip.
 */
export function deliveredObjectLine(o: ListedObject, now = Date.now()): { label: string; description: string; tooltip: string } {
  const when = new Date(o.at);
  const sameDay = new Date(now).toISOString().slice(0, 10) === when.toISOString().slice(0, 10);
  const time = sameDay ? when.toISOString().slice(11, 19) : when.toISOString().slice(0, 19).replace('T', ' ');
  const records = `${o.records} record${o.records === 1 ? '' : 's'}`;
  const name = basename(o.key) || o.key;
  const m = FIREHOSE_NAME.exec(name);
  const dir = o.key.slice(0, o.key.length - name.length).replace(/(^|\/)\d{4}\/\d{2}\/\d{2}\/\d{2}\/$/, '$1');
  return {
    label: `${dir}${m ? `${m[1]}${m[2] ?? ''}` : name}`,
    description: `${formatBytes(o.size)} · ${records} · ${time} UTC`,
    tooltip: `s3://${o.bucket}/${o.key}\n${formatBytes(o.size)} stored, ${records}, written ${when.toISOString()}${o.kind === 'error' ? '\nError output' : o.kind === 'backup' ? '\nS3 backup' : ''}`,
  };
}

/** One object as a document: JSON (pretty, an array of the records) when every record is JSON, else one record a line. */
export interface ObjectDocument {
  text: string;
  language: 'jsonc' | 'plaintext';
}

export function objectDocument(o: { key: string; lines: string[]; compression: string; storedBytes: number; bytes: number; cut: boolean }): ObjectDocument {
  const parsed: unknown[] = [];
  let allJson = o.lines.length > 0;
  for (const l of o.lines) {
    try {
      parsed.push(JSON.parse(l));
    } catch {
      allJson = false;
      break;
    }
  }
  const about = [
    o.key,
    `${o.lines.length} record${o.lines.length === 1 ? '' : 's'}, ${formatBytes(o.storedBytes)} stored${o.compression && o.compression !== 'UNCOMPRESSED' ? `, ${COMPRESSION_NAME[o.compression as CompressionFormat] ?? o.compression}, ${formatBytes(o.bytes)} decompressed` : ''}`,
    ...(o.cut ? ['Too large to show whole: only its first records are here. Open its file for the rest.'] : []),
  ];
  if (allJson) {
    return { language: 'jsonc', text: `${about.map((a) => `// ${a}`).join('\n')}\n${JSON.stringify(parsed, null, 2)}\n` };
  }
  return { language: 'plaintext', text: `${about.map((a) => `# ${a}`).join('\n')}\n${o.lines.join('\n')}\n` };
}

/** Reads one object from the endpoint and makes its document. */
export async function loadObjectDocument(endpoint: string, deliveryStreamName: string, key: string, signal?: AbortSignal): Promise<ObjectDocument> {
  return objectDocument(await readDeliveredObject(endpoint, deliveryStreamName, key, signal));
}
