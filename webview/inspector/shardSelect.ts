import { html } from 'lit';
import { VscodeMultiSelect } from '@vscode-elements/elements/dist/vscode-multi-select/vscode-multi-select.js';

/**
 * vscode-multi-select whose face says "All shards" when none is chosen (reading all shards is
 * the default) instead of "0 Selected".
 */
class ShardMultiSelect extends VscodeMultiSelect {}

// Replaces a private render hook of the base class (its label is fixed text otherwise).
(ShardMultiSelect.prototype as unknown as { _renderLabel: () => unknown })._renderLabel = function (this: { _opts: { selectedIndexes: number[] } }) {
  const n = this._opts.selectedIndexes.length;
  return html`<span class="select-face-badge ${n === 0 ? "no-item" : ""}">${n === 0 ? 'All shards' : n === 1 ? '1 shard' : `${n} shards`}</span>`;
};

if (!customElements.get('kinesis-shard-select')) customElements.define('kinesis-shard-select', ShardMultiSelect);
