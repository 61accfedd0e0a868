/** The shipped starter templates (templates/*.json) and templates saved in a workspace (.kinesis/templates). */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../aws/errors';
import { parseTemplateSpec, TemplateSpec } from './templates';

export interface LibraryTemplate {
  /** The file name without ".json". */
  id: string;
  origin: 'builtin' | 'workspace';
  path: string;
  spec: TemplateSpec;
}

/** Where a workspace keeps its templates, relative to the workspace folder. */
export const WORKSPACE_TEMPLATE_DIR = join('.kinesis', 'templates');

/** Every readable template in a folder; unreadable ones are skipped and reported through `onError`. */
export async function loadTemplates(dir: string, origin: LibraryTemplate['origin'], onError?: (path: string, message: string) => void): Promise<LibraryTemplate[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const out: LibraryTemplate[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      const spec = parseTemplateSpec(await readFile(path, 'utf8'), name);
      out.push({ id: name.slice(0, -5), origin, path, spec: { ...spec, name: spec.name ?? name.slice(0, -5) } });
    } catch (e) {
      onError?.(path, (e as Error).message);
    }
  }
  return out;
}

/** A file name from a template name: letters, digits, '-' and '_'. */
export function templateFileId(name: string): string {
  const id = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  if (!id) throw new UserError('Give the template a name (letters or digits).');
  return id;
}

export async function saveTemplate(dir: string, spec: TemplateSpec): Promise<string> {
  if (!spec.name?.trim()) throw new UserError('Give the template a name.');
  await mkdir(dir, { recursive: true });
  const path = join(dir, templateFileId(spec.name) + '.json');
  const body = { name: spec.name.trim(), description: spec.description, partitionKey: spec.partitionKey, template: spec.template };
  await writeFile(path, JSON.stringify(body, null, 2) + '\n', 'utf8');
  return path;
}
