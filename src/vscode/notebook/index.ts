import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { NOTEBOOK_TYPE } from '../../core/transform/notebookFormat';
import type { StoredRecord } from '../../core/transform/sample';
import type { ExtensionServices } from '../services';
import { TransformKernel } from './kernel';
import { TransformNotebookSerializer, toCellData } from './serializer';
import { starterNotebook } from './starter';

export { TransformKernel, CONTROLLER_ID } from './kernel';

/** Test hooks, read by the integration tests through the extension API's `hooks.transformNotebook`. */
export interface TransformNotebookHooks {
  kernel: TransformKernel;
}

/**
 * The transform notebook: `.kinesis-notebook` files (serializer), the kernel that runs them,
 * and `kinesis.newTransformNotebook` on stream items and the palette.
 */
export function registerNotebook(services: ExtensionServices, hooks?: Record<string, unknown>): TransformNotebookHooks {
  const kernel = new TransformKernel(services);
  services.context.subscriptions.push(
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new TransformNotebookSerializer(), { transientOutputs: true }),
    kernel,
  );

  services.registerCommand('kinesis.newTransformNotebook', async (arg?: unknown) => {
    // From another feature (the inspector's selection): { records: StoredRecord[], streamName? }.
    const given = arg as { records?: StoredRecord[]; streamName?: string } | undefined;
    let json;
    if (given && Array.isArray(given.records)) {
      json = starterNotebook({ records: given.records, streamName: given.streamName, handlerFile: workspaceHandler() });
    } else {
      const ref = await services.resolveStream(arg);
      if (!ref) return undefined;
      json = starterNotebook({ streamName: ref.streamName, connectionId: ref.connection.id, handlerFile: workspaceHandler() });
    }
    const doc = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, new vscode.NotebookData(json.cells.map(toCellData)));
    await vscode.window.showNotebookDocument(doc);
    kernel.controller.updateNotebookAffinity(doc, vscode.NotebookControllerAffinity.Preferred);
    return doc;
  });

  // The cell toolbar's SQL helpers: a Glue table from a sample, Flink SQL from a SQL cell.
  const cellArg = (arg: unknown): vscode.NotebookCell | undefined => {
    if (arg && typeof arg === 'object' && 'document' in arg && 'notebook' in arg) return arg as vscode.NotebookCell;
    const editor = vscode.window.activeNotebookEditor;
    return editor && editor.notebook.notebookType === NOTEBOOK_TYPE ? editor.notebook.cellAt(editor.selection.start) : undefined;
  };
  services.registerCommand('kinesis.inferTable', async (arg?: unknown) => {
    const cell = cellArg(arg);
    if (!cell) return undefined;
    const text = await kernel.inferTable(cell);
    const doc = await vscode.workspace.openTextDocument({ language: 'sql', content: text });
    await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
    return text;
  });
  services.registerCommand('kinesis.copyFlinkSql', async (arg?: unknown) => {
    const cell = cellArg(arg);
    if (!cell) return undefined;
    const text = await kernel.flinkSqlOf(cell);
    await vscode.env.clipboard.writeText(text);
    void vscode.window.showInformationMessage('Flink SQL copied: the Kinesis connector\'s CREATE TABLE for the stream, then the query.');
    return text;
  });

  const h: TransformNotebookHooks = { kernel };
  if (hooks) hooks.transformNotebook = h;
  return h;
}

/** A handler file the starter can point at, when the workspace has one in a usual place. */
function workspaceHandler(): string | undefined {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!root) return undefined;
  for (const p of ['src/transform.ts', 'src/transform.js', 'transform.ts', 'transform.js']) if (existsSync(join(root, p))) return `./${p}`;
  return undefined;
}
