/** Reading package.json's `when` clauses: where they are, and which context keys they name. */

export interface WhenClause {
  where: string;
  when: string;
}

/** Every `when` in menus, views, welcome content, keybindings and walkthrough steps. */
export function whenClausesOf(pkg: { contributes: Record<string, unknown> }): WhenClause[] {
  const out: WhenClause[] = [];
  const visit = (v: unknown, where: string) => {
    if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${where}[${i}]`));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'when' && typeof x === 'string') out.push({ where, when: x });
        else if (k !== 'configuration') visit(x, `${where}.${k}`);
      }
    }
  };
  visit(pkg.contributes, 'contributes');
  return out;
}

/**
 * The context keys a clause tests: the left side of each comparison (`view == x` names `view`, not
 * `x`), or a bare key. Regular expressions and quoted values are skipped.
 */
export function contextKeysOf(when: string): string[] {
  const withoutLiterals = when.replace(/\/(?:\\.|[^/\\])*\/[a-z]*/g, ' ').replace(/'[^']*'|"[^"]*"/g, ' ');
  const keys: string[] = [];
  for (const term of withoutLiterals.split(/&&|\|\||[()!]/)) {
    const m = /^\s*([A-Za-z_][\w.-]*)/.exec(term);
    if (!m || m[1] === 'true' || m[1] === 'false') continue;
    keys.push(m[1]);
  }
  return keys;
}
