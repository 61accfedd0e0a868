/**
 * Views are functions of state: `mount` renders `view(state)` into a container now and after
 * every update. lit's templates escape every interpolation, so record content and anything the
 * host sends are text, never markup.
 */
import { render, TemplateResult } from 'lit';
import type { Store } from './store';

export function mount<S extends object>(store: Store<S>, container: HTMLElement, view: (s: S) => TemplateResult): void {
  const draw = (s: S) => render(view(s), container);
  draw(store.state);
  store.subscribe(draw);
}

/** The value of the input, select or custom element an event came from. */
export function valueOf(e: Event): string {
  return String((e.target as { value?: unknown } | null)?.value ?? '');
}

/** The checked state of the checkbox an event came from. */
export function checkedOf(e: Event): boolean {
  return !!(e.target as { checked?: unknown } | null)?.checked;
}
