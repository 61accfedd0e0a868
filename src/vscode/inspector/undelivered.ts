/**
 * The undelivered records of an inspector's last replay, held until they are saved, replaced by
 * the next replay's, or dropped with the panel. Three ways lead to one save (./replay's dialog
 * and JSON Lines writer): the replay's warning notification, the panel's toolbar badge
 * ("N undelivered — Save…"), and the command `kinesis.saveUndeliveredReplayRecords`, which the
 * palette shows while some open inspector holds such records (context key below).
 */
import * as vscode from 'vscode';
import { UserError } from '../../core/aws/errors';
import type { UndeliveredList } from '../../core/producer/undelivered';
import { saveReplayUndelivered } from './replay';

/** True while an open inspector holds undelivered replay records. */
export const UNDELIVERED_CONTEXT = 'kinesis.inspector.hasUndeliveredReplay';

/** What the panel shows of them: how many, and where they were going. */
export interface UndeliveredView {
  count: number;
  target: string;
}

export class UndeliveredHold implements vscode.Disposable {
  /** The holds with records, across panels (the context key is true while there is one). */
  private static readonly holding = new Set<UndeliveredHold>();
  private list?: UndeliveredList;
  private target = '';

  /** `onChange` gets what to show (undefined: nothing held any more). */
  constructor(private readonly onChange: (view: UndeliveredView | undefined) => void) {}

  get records(): UndeliveredList | undefined {
    return this.list;
  }

  get view(): UndeliveredView | undefined {
    return this.list ? { count: this.list.count, target: this.target } : undefined;
  }

  /** Keeps a replay's undelivered records (the ones held before are let go); none: nothing is held. */
  keep(list: UndeliveredList | undefined, target: string): void {
    if (list === this.list) return;
    this.list?.dispose();
    this.list = list?.count ? list : undefined;
    if (list && !this.list) list.dispose();
    this.target = target;
    this.changed();
  }

  /**
   * Asks where (the save dialog), writes them as the producer's JSON Lines, and lets them go once
   * written (the file holds them now). `expected`: the records a notification offered, which a
   * newer replay may have replaced. Undefined: the dialog was cancelled.
   */
  async save(expected?: UndeliveredList): Promise<{ path: string; written: number } | undefined> {
    const list = this.checked(expected);
    const saved = await saveReplayUndelivered(list, this.target);
    if (saved) this.release(list);
    return saved;
  }

  dispose(): void {
    this.keep(undefined, '');
  }

  private checked(expected?: UndeliveredList): UndeliveredList {
    if (expected && expected !== this.list) throw new UserError('Those undelivered records were let go: a newer replay replaced them, they were saved already, or the inspector was closed.');
    if (!this.list?.count) throw new UserError('The last replay left no undelivered records to save (saved already, or it delivered them all).');
    return this.list;
  }

  private release(list: UndeliveredList): void {
    if (list === this.list) this.keep(undefined, '');
  }

  private changed(): void {
    const had = UndeliveredHold.holding.size > 0;
    if (this.list) UndeliveredHold.holding.add(this);
    else UndeliveredHold.holding.delete(this);
    const has = UndeliveredHold.holding.size > 0;
    if (had !== has) void vscode.commands.executeCommand('setContext', UNDELIVERED_CONTEXT, has);
    this.onChange(this.view);
  }
}
