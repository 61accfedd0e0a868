import type { ExplorerNode } from './nodes';

/** Every node knows the node it was listed under (the provider sets it), so that `reveal()` can find its path. */
export abstract class TreeNode {
  parent?: ExplorerNode;
}

/** Text for a MarkdownString, with Markdown's special characters escaped. */
export function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
