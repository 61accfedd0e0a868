import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TransformNotebookHooks } from '../../../src/vscode/notebook';
import { EXTENSION_ID, api, hook, until } from '../helpers';

/** A cell that fails shows VS Code's own error output, with the message for people and no stack of ours. */
describe('Transform notebook errors inside VS Code', () => {
  it('renders a failed cell as a NotebookCellOutputItem.error', async () => {
    const a = await api();
    const data = new vscode.NotebookData([
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, JSON.stringify({ sample: { connection: 'no-such-connection', stream: 'x', count: 1 } }), 'json'),
    ]);
    const doc = await vscode.workspace.openNotebookDocument('kinesis-transform-notebook', data);
    const editor = await vscode.window.showNotebookDocument(doc);
    await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, id: 'kinesis-transform-kernel', extension: EXTENSION_ID });
    await hook<TransformNotebookHooks>(a, 'transformNotebook').kernel.execute([doc.cellAt(0)], doc);
    const items = doc.cellAt(0).outputs.flatMap((o) => o.items);
    const error = items.find((i) => i.mime === 'application/vnd.code.notebook.error');
    assert.ok(error, `an error output (got ${items.map((i) => i.mime).join(', ')})`);
    const value = JSON.parse(new TextDecoder().decode(error.data)) as { name: string; message: string; stack?: string };
    assert.match(value.message, /no-such-connection/);
    assert.ok(!value.stack, 'no stack trace of the extension');
    await until('the cell to be marked failed', () => doc.cellAt(0).executionSummary?.success === false);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
