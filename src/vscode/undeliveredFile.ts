/**
 * Saving undelivered records (the producer's and a replay's) where the user picks: a save dialog,
 * then JSON Lines in the producer's format (memory and spill file, in order), on this machine only.
 */
import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { UserError } from '../core/aws/errors';
import { writeUndelivered } from '../core/producer/fileSource';
import type { UndeliveredList } from '../core/producer/undelivered';
import { nf } from '../core/format';

/**
 * The save dialog, replaceable by the integration tests (through the inspector's test hook): a
 * native dialog is the one part no test can drive.
 */
export const saveDialog = { show: (options: vscode.SaveDialogOptions): Thenable<vscode.Uri | undefined> => vscode.window.showSaveDialog(options) };

/** Asks where (`<fileStem>-<time>.jsonl` proposed), then writes the records there; undefined: cancelled. */
export async function saveUndeliveredAs(list: UndeliveredList, fileStem: string): Promise<{ path: string; written: number } | undefined> {
  const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir());
  const target = await saveDialog.show({
    defaultUri: vscode.Uri.joinPath(base, `${fileStem}-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`),
    filters: { 'JSON Lines': ['jsonl'] },
    saveLabel: 'Save undelivered records',
    title: `Save ${nf.format(list.count)} undelivered records`,
  });
  if (!target) return undefined;
  if (target.scheme !== 'file') throw new UserError('Save to a file on this machine.');
  return { path: target.fsPath, written: await writeUndelivered(target.fsPath, list) };
}
