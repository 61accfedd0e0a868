/**
 * Where the record inspector finds the Avro schemas of Glue Schema Registry records: the core
 * loader (core/records/avroSchemas, the tailer's too) given
 *   - the files mapped by id in `kinesis.records.avroSchemaFiles`,
 *   - `<schema-version-id>.avsc` in `kinesis.records.avroSchemaFolders`, else anywhere in the
 *     workspace (an index of its .avsc files, kept up to date by a file watcher),
 *   - Glue's GetSchemaVersion on AWS (profile) connections.
 * A schema file added, changed or removed, or a setting changed, calls `onChange` (the session
 * looks again for the schemas of the records not decoded yet; with the file that changed or went,
 * it decodes again every held record of the schemas read from it).
 */
import * as vscode from 'vscode';
import { basename, isAbsolute } from 'node:path';
import { stat } from 'node:fs/promises';
import type { Connection } from '../../core/aws/connection';
import { AvroSchemas, SCHEMA_VERSION_ID_RE } from '../../core/records/avroSchemas';
import type { ExtensionServices } from '../services';
import { Disposable } from '../dispose';
import { avroSchemaFilesSetting, avroSchemaFoldersSetting } from './settings';

/** .avsc files indexed in the workspace, at most. */
const INDEX_MAX_FILES = 5000;
/** How often the watcher's backup looks (only while schemas failed or were read from files). */
const POLL_MS = 3000;

export class InspectorSchemaSource extends Disposable {
  private current?: AvroSchemas;
  /** Schema version id -> path of `<id>.avsc` in the workspace; built on first need. */
  private index?: Promise<Map<string, string>>;

  constructor(private readonly services: ExtensionServices, private readonly connection: Connection, private readonly onChange: (changedFile?: string) => void) {
    super();
    const watcher = this._register(vscode.workspace.createFileSystemWatcher('**/*.avsc'));
    const created = () => {
      this.index = undefined;
      this.onChange();
    };
    // A schema changed or went: the records decoded with it are decoded again (with the new one, or with why not).
    const changed = (uri: vscode.Uri) => {
      this.index = undefined;
      this.onChange(uri.scheme === 'file' ? uri.fsPath : undefined);
    };
    this._register(watcher.onDidCreate(created));
    this._register(watcher.onDidChange(changed));
    this._register(watcher.onDidDelete(changed));
    // File watchers miss events (network and WSL folders, inotify limits, files written by other
    // tools while the watcher starts): a slow poll of what matters backs them up.
    const poll = setInterval(() => void this.poll(created, changed), POLL_MS);
    this._register({ dispose: () => clearInterval(poll) });
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('kinesis.records.avroSchemaFiles') && !e.affectsConfiguration('kinesis.records.avroSchemaFolders')) return;
        // New places to look in: what was found stays, what was not is looked for again.
        this.current = undefined;
        this.onChange();
      }),
    );
  }

  private polling = false;
  /** The missing ids last searched for, and how many polls to let pass before the next search. */
  private search = { key: '', every: 1, skip: 0 };

  /**
   * The watcher's backup: a schema file read that changed or went, or a `<id>.avsc` now in the
   * workspace for an id not found. Only while such ids or files exist, and one poll at a time.
   */
  private async poll(created: () => void, changed: (uri: vscode.Uri) => void): Promise<void> {
    const schemas = this.current;
    if (!schemas || this.polling || this.isDisposed) return;
    this.polling = true;
    try {
      for (const [file, readAt] of schemas.filesRead()) {
        const mtime = await stat(file).then((s) => s.mtimeMs, () => -1);
        if (mtime !== readAt) return changed(vscode.Uri.file(file));
      }
      const failed = schemas.missingIds().filter((id) => SCHEMA_VERSION_ID_RE.test(id)).slice(0, 20);
      if (!failed.length || !vscode.workspace.workspaceFolders?.length) return;
      // A workspace search is not free: for the same missing ids, ever less often (6 s, 12 s, ... up to 60 s apart).
      const key = failed.join(',');
      if (key !== this.search.key) this.search = { key, every: 1, skip: 0 };
      if (this.search.skip-- > 0) return;
      this.search.every = Math.min(this.search.every * 2, 20);
      this.search.skip = this.search.every - 1;
      const found = await vscode.workspace.findFiles(`**/{${key}}.avsc`, '**/node_modules/**', 1);
      if (found.length && !this.isDisposed) created();
    } finally {
      this.polling = false;
    }
  }

  /** The loader of the moment (a new one after the settings changed; the session asks each time). */
  get schemas(): AvroSchemas {
    return (this.current ??= this.make());
  }

  private make(): AvroSchemas {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const resolve = (p: string) => (isAbsolute(p) || !root ? p : vscode.Uri.joinPath(vscode.Uri.file(root), p).fsPath);
    const files = Object.fromEntries(Object.entries(avroSchemaFilesSetting()).map(([id, p]) => [id, resolve(p)]));
    const dirs = avroSchemaFoldersSetting().map(resolve);
    const aws = this.connection.kind === 'profile';
    return new AvroSchemas({
      files,
      dirs,
      locate: async (id) => (await (this.index ??= this.indexWorkspace())).get(id),
      glue: aws ? () => this.services.clients.glueClient(this.connection) : undefined,
      searched: ['the workspace', ...dirs].join(', '),
      noGlue: `Glue is asked on AWS connections only (this is ${this.connection.kind === 'local' ? 'the Local connection' : 'a custom endpoint'})`,
      hint: (id) => `put it at ${root ? vscode.workspace.asRelativePath(vscode.Uri.joinPath(vscode.Uri.file(root), 'schemas', `${id}.avsc`), (vscode.workspace.workspaceFolders?.length ?? 0) > 1) : `<workspace>/schemas/${id}.avsc`} (any folder of the workspace), or map the id to a file in kinesis.records.avroSchemaFiles`,
    });
  }

  private async indexWorkspace(): Promise<Map<string, string>> {
    const map = new Map<string, string>();
    if (!vscode.workspace.workspaceFolders?.length) return map;
    const uris = await vscode.workspace.findFiles('**/*.avsc', '**/node_modules/**', INDEX_MAX_FILES);
    for (const u of uris) {
      if (u.scheme !== 'file') continue;
      const id = basename(u.fsPath).slice(0, -'.avsc'.length).toLowerCase();
      if (SCHEMA_VERSION_ID_RE.test(id)) map.set(id, u.fsPath);
    }
    return map;
  }
}
