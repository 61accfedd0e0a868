/**
 * A view's one source of truth: a state object replaced (never mutated) by `update`, and
 * listeners told once per burst of updates (the view renders, the page persists). No DOM here:
 * tested in plain Node.
 */
export type Change<S> = Partial<S> | ((s: S) => Partial<S>);

export class Store<S extends object> {
  private current: S;
  private readonly listeners: ((s: S) => void)[] = [];
  private scheduled = false;

  constructor(initial: S, private readonly schedule: (fn: () => void) => void = (fn) => queueMicrotask(fn)) {
    this.current = initial;
  }

  get state(): S {
    return this.current;
  }

  update(change: Change<S>): void {
    const patch = typeof change === 'function' ? change(this.current) : change;
    this.current = { ...this.current, ...patch };
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      for (const fn of this.listeners) fn(this.current);
    });
  }

  /** Calls `fn` after updates (not now); returns the unsubscribe. */
  subscribe(fn: (s: S) => void): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }
}
