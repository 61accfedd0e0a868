/**
 * Delivered objects in the editor: a read-only document per object (scheme `kinesis-object`),
 * decoded by the endpoint (gunzipped, one record a line) and shown as JSON when every record is
 * JSON; "Reveal Delivery Folder" on a delivery stream whose endpoint keeps a data folder.
 */
import * as vscode from 'vscode';
import { UserError } from '../../core/aws/errors';
import { loadObjectDocument } from '../../core/firehose/deliveredObjectsLoader';
import type { ExtensionServices } from '../services';
import { DeliveredObjectNode, DeliveryStreamNode } from '../tree/firehoseNodes';

export const OBJECT_SCHEME = 'kinesis-object';

/** `kinesis-object:/<delivery stream>/<key>`: the key keeps its folders, so the tab shows the file name. */
export function objectUri(deliveryStreamName: string, key: string): vscode.Uri {
  return vscode.Uri.from({ scheme: OBJECT_SCHEME, path: `/${deliveryStreamName}/${key}` });
}

export function parseObjectUri(uri: vscode.Uri): { deliveryStreamName: string; key: string } {
  const m = /^\/([^/]+)\/(.+)$/.exec(uri.path);
  if (uri.scheme !== OBJECT_SCHEME || !m) throw new UserError(`${uri.toString()} is not a delivered object.`, 'Open objects from a delivery stream in the Kinesis view.');
  return { deliveryStreamName: m[1], key: m[2] };
}

class DeliveredObjectProvider implements vscode.TextDocumentContentProvider {
  /** The language each opened document gets (decided with its text). */
  readonly languages = new Map<string, string>();
  constructor(private readonly services: ExtensionServices) {}

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const { deliveryStreamName, key } = parseObjectUri(uri);
    const ctl = new AbortController();
    token.onCancellationRequested(() => ctl.abort());
    try {
      const doc = await loadObjectDocument(await this.services.local.endpoint(), deliveryStreamName, key, ctl.signal);
      this.languages.set(uri.toString(), doc.language);
      return doc.text;
    } catch (e) {
      this.services.log.error(`Could not open ${key} of ${deliveryStreamName}`, e);
      this.languages.set(uri.toString(), 'plaintext');
      return `# Could not open ${key} of ${deliveryStreamName}:\n# ${(e as Error).message}\n`;
    }
  }
}

export interface DeliveredObjectsHooks {
  /** Opens an object (what a click on its tree item does); resolves with the editor's document. */
  open(deliveryStreamName: string, key: string): Promise<vscode.TextDocument>;
}

export function registerDeliveredObjects(services: ExtensionServices, hooks?: Record<string, unknown>): DeliveredObjectsHooks {
  const provider = new DeliveredObjectProvider(services);
  services.context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(OBJECT_SCHEME, provider));

  const open = async (deliveryStreamName: string, key: string): Promise<vscode.TextDocument> => {
    let doc = await vscode.workspace.openTextDocument(objectUri(deliveryStreamName, key));
    const language = provider.languages.get(doc.uri.toString());
    if (language && doc.languageId !== language) doc = await vscode.languages.setTextDocumentLanguage(doc, language);
    await vscode.window.showTextDocument(doc, { preview: true });
    return doc;
  };

  services.registerCommand('kinesis.openDeliveredObject', async (node?: unknown) => {
    if (!(node instanceof DeliveredObjectNode)) throw new UserError('Open a delivered object from a delivery stream of the Local connection, in the Kinesis view.');
    return open(node.streamName, node.object.key);
  });

  services.registerCommand('kinesis.revealDeliveryFolder', async (node?: unknown) => {
    if (!(node instanceof DeliveryStreamNode)) throw new UserError('Reveal the folder of a delivery stream of the Local connection, in the Kinesis view.');
    if (!node.folder) {
      throw new UserError(`${node.streamName} keeps its objects in memory: there is no folder to reveal.`, 'Set kinesis.local.dataPath (or start npm run local with --data) to write them to disk.');
    }
    const folder = node.folder;
    try {
      await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(folder));
    } catch {
      // VS Code in the browser (code-server) has no file manager to reveal in: say where it is.
      const pick = await vscode.window.showInformationMessage(`The objects of ${node.streamName} are in ${folder}`, 'Copy Path');
      if (pick) await vscode.env.clipboard.writeText(folder);
    }
  });

  const h: DeliveredObjectsHooks = { open };
  if (hooks) hooks.deliveredObjects = h;
  return h;
}
