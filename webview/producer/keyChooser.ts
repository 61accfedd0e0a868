/** The partition key chooser of the template and file tabs: random, a field, fixed, or a template. */
import { html } from 'lit';
import { valueOf } from '../shared/view';
import { KeyForm, keyFormProblem, KeyMode } from './state';
import { note } from './controller';

const PLACEHOLDERS: Record<KeyMode, string> = {
  random: '',
  field: 'Field name, e.g. userId or user.id',
  fixed: 'The key for every record',
  template: 'e.g. device-{{int(1, 10)}}',
};

export function keyChooserView(prefix: string, k: KeyForm, withTemplate: boolean, onChange: (k: KeyForm) => void) {
  const modes: [KeyMode, string][] = [['random', 'Random per record'], ['field', 'From a field'], ['fixed', 'Fixed']];
  if (withTemplate) modes.push(['template', 'Template']);
  const problem = keyFormProblem(k);
  return html`<div class="key">
    <vscode-single-select id=${`${prefix}KeyMode`} aria-label="Partition key" .value=${k.mode}
      @change=${(e: Event) => onChange({ ...k, mode: valueOf(e) as KeyMode })}>
      ${modes.map(([v, label]) => html`<vscode-option value=${v} ?selected=${v === k.mode}>${label}</vscode-option>`)}
    </vscode-single-select>
    <vscode-textfield id=${`${prefix}KeyValue`} aria-label="Partition key value" placeholder=${PLACEHOLDERS[k.mode]}
      ?hidden=${k.mode === 'random'} ?invalid=${!!problem} .value=${k.value}
      @input=${(e: Event) => onChange({ ...k, value: valueOf(e) })}></vscode-textfield>
    ${note(`${prefix}KeyMsg`, problem ? { text: problem, kind: 'error' } : undefined)}
  </div>`;
}
