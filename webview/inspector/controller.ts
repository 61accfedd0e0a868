/** What every inspector view module is given: the state and the channel to the host. */
import type { InspectorPanelState, InspectorProtocol } from '../../src/protocol/inspector';
import type { HostChannel } from '../shared/host';
import type { Store } from '../shared/store';
import type { InspectorViewState, NoticeLevel } from './state';

export interface Controller {
  store: Store<InspectorViewState>;
  host: HostChannel<InspectorProtocol, InspectorPanelState>;
  /** A message of the moment in the notice line (info ones fade after a few seconds). */
  notify(level: NoticeLevel, message: string): void;
}
