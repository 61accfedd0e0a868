import * as vscode from 'vscode';
import { Connection, ssoLoginCommandLine } from '../../core/aws/connection';
import { UserError } from '../../core/aws/errors';
import { ExtensionServices } from '../services';
import { ExplorerProvider } from '../tree/explorerProvider';
import { ConnectionNode, DataStreamsNode, LoadMoreNode } from '../tree/nodes';
import { DeliveryStreamNode, ObjectsFolderNode } from '../tree/firehoseNodes';

const COMMON_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1',
  'eu-north-1', 'eu-south-1', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1', 'ap-southeast-2', 'sa-east-1',
];

export function registerConnectionCommands(services: ExtensionServices, explorer: ExplorerProvider): void {
  services.registerCommand('kinesis.refresh', (arg?: unknown) => {
    if (arg instanceof DeliveryStreamNode || arg instanceof ObjectsFolderNode) return explorer.refreshDeliveryStream(arg);
    const c = (arg as { connection?: Connection } | undefined)?.connection;
    services.clients.invalidate(c?.id);
    explorer.refresh(c?.id);
  });

  services.registerCommand('kinesis.loadMore', (node: LoadMoreNode) => explorer.loadMore(node));

  services.registerCommand('kinesis.filterStreams', async (arg?: unknown, opts?: { filter?: string }) => {
    const node = arg instanceof DataStreamsNode || arg instanceof ConnectionNode ? arg : undefined;
    const connection = node?.connection ?? (await services.connections.list())[0];
    const filter =
      opts?.filter ??
      (await vscode.window.showInputBox({
        title: 'Filter data streams',
        prompt: 'Show streams whose name contains this text (empty clears the filter)',
        value: explorer.filterOf(connection.id) ?? '',
      }));
    if (filter === undefined) return;
    explorer.setFilter(connection.id, filter.trim() || undefined);
  });

  services.registerCommand('kinesis.clearFilter', (arg?: unknown) => {
    const c = (arg as { connection?: Connection } | undefined)?.connection;
    if (c) explorer.setFilter(c.id, undefined);
  });

  services.registerCommand('kinesis.addEndpoint', async (opts?: { name?: string; endpoint?: string; region?: string }) => {
    const endpoint =
      opts?.endpoint ??
      (await vscode.window.showInputBox({
        title: 'Add custom endpoint (1/3)',
        prompt: 'Endpoint URL, for example LocalStack',
        value: 'http://localhost:4566',
        validateInput: (v) => (/^https?:\/\/[^\s/]+/.test(v.trim()) ? undefined : 'Enter an http:// or https:// URL.'),
        ignoreFocusOut: true,
      }))?.trim();
    if (!endpoint) return;
    const name =
      opts?.name ??
      (await vscode.window.showInputBox({
        title: 'Add custom endpoint (2/3)',
        prompt: 'A name for this connection',
        value: new URL(endpoint).port === '4566' ? 'LocalStack' : new URL(endpoint).host,
        validateInput: (v) => (v.trim() ? undefined : 'A name is required.'),
        ignoreFocusOut: true,
      }))?.trim();
    if (!name) return;
    const region = opts?.region ?? (await vscode.window.showQuickPick(COMMON_REGIONS, { title: 'Add custom endpoint (3/3): region' }));
    if (!region) return;
    let keys: { accessKeyId: string; secretAccessKey: string } | undefined;
    if (!opts) {
      const choice = await vscode.window.showQuickPick(
        [
          { label: 'No keys', description: 'emulators accept any key', value: false },
          { label: 'Static access key…', description: 'kept in VS Code secret storage only', value: true },
        ],
        { title: `Credentials for ${name}` },
      );
      if (!choice) return;
      if (choice.value) {
        const accessKeyId = await vscode.window.showInputBox({ title: `Access key ID for ${name}`, ignoreFocusOut: true });
        if (!accessKeyId) return;
        const secretAccessKey = await vscode.window.showInputBox({ title: `Secret access key for ${name}`, password: true, ignoreFocusOut: true });
        if (!secretAccessKey) return;
        keys = { accessKeyId, secretAccessKey };
      }
    }
    const conn = await services.connections.addEndpoint({ name, endpoint, region }, keys);
    services.clients.invalidate(conn.id);
    services.log.info(`Added endpoint connection ${name} at ${endpoint}${keys ? ' (with stored keys)' : ''}`);
    return conn.id;
  });

  services.registerCommand('kinesis.removeEndpoint', async (arg?: unknown) => {
    const c = (arg as { connection?: Connection } | undefined)?.connection;
    if (!c || c.kind !== 'endpoint') throw new UserError('Choose a custom endpoint in the Kinesis view to remove it.');
    const ok = await vscode.window.showWarningMessage(`Remove connection "${c.name}"?`, { modal: true, detail: 'Its stored keys are deleted too. Streams on the endpoint are not touched.' }, 'Remove');
    if (ok !== 'Remove') return;
    await services.connections.removeEndpoint(c);
    services.clients.invalidate(c.id);
  });

  services.registerCommand('kinesis.chooseRegions', async (arg?: unknown) => {
    const c = (arg as { connection?: Connection } | undefined)?.connection;
    const profiles = await services.connections.profiles();
    const profile = c?.kind === 'profile' ? c.profile : (await vscode.window.showQuickPick(profiles.map((p) => p.name), { title: 'Profile' }));
    if (!profile) return;
    const shown = new Set((await services.connections.list()).filter((x) => x.kind === 'profile' && x.profile === profile).map((x) => x.region));
    const picks = await vscode.window.showQuickPick(
      [...new Set([...shown, ...COMMON_REGIONS])].map((r) => ({ label: r, picked: shown.has(r) })),
      { canPickMany: true, title: `Regions to show for ${profile}` },
    );
    if (!picks?.length) return;
    await services.connections.setProfileRegions(profile, picks.map((p) => p.label));
  });

  services.registerCommand('kinesis.ssoLogin', async (profile?: unknown) => {
    const name = typeof profile === 'string' && profile ? profile : undefined;
    if (name && !(await services.connections.profiles()).some((p) => p.name === name)) {
      throw new UserError(`There is no AWS profile named "${name}" in ~/.aws/config.`, 'Check the profile name, then refresh the Kinesis view.');
    }
    const line = ssoLoginCommandLine(name);
    if (!line) {
      throw new UserError(
        `The profile name "${name}" has characters a terminal would interpret, so it is not typed into one.`,
        'Run `aws sso login --profile` with the name quoted for your shell yourself.',
      );
    }
    const term = vscode.window.createTerminal({ name: `AWS SSO: ${name ?? 'default'}` });
    term.show();
    term.sendText(line);
  });

  services.registerCommand('kinesis.showLog', () => services.log.channel.show());

  services.registerCommand('kinesis.copyLocalEndpoint', async () => {
    const url = await services.local.endpoint();
    await vscode.env.clipboard.writeText(url);
    vscode.window.showInformationMessage(`Local Kinesis endpoint ${url} copied. Use it with --endpoint-url in the AWS CLI.`);
    explorer.refresh('local');
  });

  services.registerCommand('kinesis.openSettings', () => vscode.commands.executeCommand('workbench.action.openSettings', 'kinesis.'));
  services.registerCommand('kinesis.openWalkthrough', () =>
    vscode.commands.executeCommand('workbench.action.openWalkthrough', `${services.context.extension.id}#kinesis.gettingStarted`, false),
  );
}
