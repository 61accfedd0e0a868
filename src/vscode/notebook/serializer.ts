import * as vscode from 'vscode';
import { NotebookCellJson, parseNotebook, serializeNotebook, StoredSample } from '../../core/transform/notebookFormat';

/**
 * Reads and writes `.kinesis-notebook` files (the format is core code: notebookFormat.ts).
 * Outputs are not saved; a sample cell's stored records travel in its metadata.
 */
export class TransformNotebookSerializer implements vscode.NotebookSerializer {
  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    const nb = parseNotebook(new TextDecoder().decode(content));
    return new vscode.NotebookData(nb.cells.map(toCellData));
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    return new TextEncoder().encode(
      serializeNotebook({
        cells: data.cells.map((c): NotebookCellJson => {
          const stored = c.metadata?.storedSample as StoredSample | undefined;
          return {
            kind: c.kind === vscode.NotebookCellKind.Markup ? 'markdown' : 'code',
            language: c.kind === vscode.NotebookCellKind.Markup ? 'markdown' : c.languageId,
            source: c.value,
            ...(stored && Array.isArray(stored.records) ? { storedSample: stored } : {}),
          };
        }),
      }),
    );
  }
}

export function toCellData(c: NotebookCellJson): vscode.NotebookCellData {
  const cell =
    c.kind === 'markdown'
      ? new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, c.source, 'markdown')
      : new vscode.NotebookCellData(vscode.NotebookCellKind.Code, c.source, c.language);
  if (c.storedSample) cell.metadata = { storedSample: c.storedSample };
  return cell;
}
