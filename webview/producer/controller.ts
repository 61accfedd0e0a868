/** What every producer view module is given: the state and the channel to the host. */
import type { ProducerProtocol } from '../../src/protocol/producer';
import type { HostChannel } from '../shared/host';
import type { Store } from '../shared/store';
import type { Note, ProducerViewState, SavedState } from './state';
import { html } from 'lit';

export interface Controller {
  store: Store<ProducerViewState>;
  host: HostChannel<ProducerProtocol, SavedState>;
}

/** A line of feedback under a field (`role=status`: screen readers hear it). */
export function note(id: string, n: Note | undefined) {
  return html`<div class="msg ${n?.kind ?? 'muted'}" id=${id} role="status">${n?.text ?? ''}</div>`;
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
