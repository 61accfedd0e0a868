import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { listProfiles, regionFor, defaultProfileName } from '../../src/core/connections/profiles';
import { ClientFactory } from '../../src/core/aws/clientFactory';
import { Connection } from '../../src/core/aws/connection';
import { describeError } from '../../src/core/aws/errors';
import { LocalEndpointManager } from '../../src/core/local/localEndpointManager';
import { StreamService } from '../../src/core/kinesis/streamService';
import { StreamListLoader } from '../../src/core/kinesis/streamListLoader';
import { startKinesalite, freePort } from '../support/endpoints';

describe('AWS profiles from the shared files', () => {
  const saved = { ...process.env };
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kinesis-aws-'));
    writeFileSync(
      join(dir, 'config'),
      [
        '[default]', 'region = eu-west-1', '',
        '[profile dev]', 'region = us-west-2', '',
        '[profile sso-admin]', 'sso_session = corp', 'sso_account_id = 111122223333', 'sso_role_name = Admin', 'region = eu-central-1', '',
        '[sso-session corp]', 'sso_start_url = https://corp.awsapps.com/start', 'sso_region = eu-central-1', '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'credentials'), ['[default]', 'aws_access_key_id = AKIDEXAMPLE', 'aws_secret_access_key = not-a-real-secret', '', '[ci]', 'aws_access_key_id = AKIDEXAMPLE2', 'aws_secret_access_key = x'].join('\n'));
    process.env.AWS_CONFIG_FILE = join(dir, 'config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('lists profiles of both files, SSO marked, default first, no secrets', async () => {
    const profiles = await listProfiles();
    assert.deepEqual(profiles.map((p) => p.name), ['default', 'ci', 'dev', 'sso-admin']);
    assert.equal(profiles.find((p) => p.name === 'sso-admin')!.sso, true);
    assert.equal(profiles.find((p) => p.name === 'dev')!.region, 'us-west-2');
    assert.equal(profiles.find((p) => p.name === 'default')!.source, 'both');
    assert.ok(!JSON.stringify(profiles).includes('not-a-real-secret'));
  });

  it('takes the region from the profile, else AWS_REGION, else us-east-1', async () => {
    const ci = (await listProfiles()).find((p) => p.name === 'ci');
    assert.equal(regionFor(ci, {}), 'us-east-1');
    assert.equal(regionFor(ci, { AWS_REGION: 'ap-south-1' }), 'ap-south-1');
    assert.equal(defaultProfileName({ AWS_PROFILE: 'dev' }), 'dev');
  });

  it('explains a profile that does not exist', async () => {
    const factory = new ClientFactory({ localEndpoint: async () => '', endpointCredentials: async () => undefined });
    const conn: Connection = { kind: 'profile', id: 'profile:ghost:eu-west-1', profile: 'ghost', region: 'eu-west-1' };
    const client = await factory.kinesisClient(conn);
    const err = await new StreamService(client).listStreamsPage().catch((e) => e);
    const f = describeError(err, { operation: 'list streams', profile: 'ghost' });
    assert.match(f.message, /profile "ghost" has no usable credentials/);
    assert.match(f.action ?? '', /AWS_CONFIG_FILE/);
    factory.dispose();
  });
});

describe('ClientFactory and the local endpoint', () => {
  it('creates one client per connection and region, lazily, and the local endpoint on first use', async () => {
    const local = new LocalEndpointManager(() => ({}));
    let resolved = 0;
    const factory = new ClientFactory({
      localEndpoint: () => {
        resolved++;
        return local.endpoint();
      },
      endpointCredentials: async () => undefined,
    });
    assert.equal(local.isEmbeddedRunning, false, 'nothing starts before use');
    const conn: Connection = { kind: 'local', id: 'local', region: 'us-east-1' };
    const [a, b] = await Promise.all([factory.kinesisClient(conn), factory.kinesisClient(conn)]);
    assert.equal(a, b);
    assert.equal(resolved, 1);
    const other = await factory.kinesisClient(conn, 'eu-west-1');
    assert.notEqual(other, a);
    assert.equal(local.isEmbeddedRunning, true);
    const url = await local.currentEndpoint();
    assert.match(url!, /^http:\/\/127\.0\.0\.1:\d+$/);
    await new StreamService(a).create('lazy', { shardCount: 1 });
    assert.deepEqual((await new StreamService(a).listAllStreams()).map((s) => s.name), ['lazy']);
    factory.dispose();
    await local.dispose();
  });

  it('points at an external endpoint, and says so plainly when nothing answers there', async () => {
    const ep = await startKinesalite();
    let external = ep.endpoint;
    const local = new LocalEndpointManager(() => ({ externalEndpoint: external }));
    assert.equal(await local.endpoint(), ep.endpoint);
    assert.equal(local.isEmbeddedRunning, false);
    external = `http://127.0.0.1:${await freePort()}`;
    await assert.rejects(local.endpoint(), /No Kinesis endpoint answers at .* Start it|No Kinesis endpoint answers/);
    external = 'not a url';
    await assert.rejects(local.endpoint(), /is not an http\(s\) URL/);
    await ep.close();
  });

  it('keeps streams across restarts with a data folder', async () => {
    const dataPath = mkdtempSync(join(tmpdir(), 'kinesis-data-'));
    const port = await freePort();
    const first = new LocalEndpointManager(() => ({ dataPath, port }));
    const factory = new ClientFactory({ localEndpoint: () => first.endpoint(), endpointCredentials: async () => undefined });
    const conn: Connection = { kind: 'local', id: 'local', region: 'us-east-1' };
    await new StreamService(await factory.kinesisClient(conn)).create('kept', { shardCount: 1 });
    factory.dispose();
    await first.dispose();
    const second = new LocalEndpointManager(() => ({ dataPath, port }));
    const factory2 = new ClientFactory({ localEndpoint: () => second.endpoint(), endpointCredentials: async () => undefined });
    const names = (await new StreamService(await factory2.kinesisClient(conn)).listAllStreams()).map((s) => s.name);
    assert.deepEqual(names, ['kept']);
    factory2.dispose();
    await second.dispose();
  });
});

describe('StreamListLoader (the tree\'s pages)', () => {
  it('shows the first page at once, loads more on demand, and fills in details', async () => {
    const ep = await startKinesalite();
    const svc = new StreamService(ep.client);
    const names = Array.from({ length: 25 }, (_, i) => `s-${String(i).padStart(2, '0')}`);
    for (const [i, n] of names.entries()) await svc.create(n, { shardCount: 1 + (i % 3) });
    for (const n of names) await svc.waitFor(n, 'ACTIVE', { intervalMs: 20 });
    const details: string[] = [];
    const loader = new StreamListLoader(svc, { pageSize: 10, onDetails: (d) => details.push(`${d.name}:${d.openShardCount}`) });
    let state = await loader.ensureFirstPage();
    assert.equal(state.streams.length, 10);
    assert.equal(state.hasMore, true);
    state = await loader.loadNextPage();
    assert.equal(state.streams.length, 20);
    state = await loader.loadNextPage();
    assert.equal(state.streams.length, 25);
    assert.equal(state.hasMore, false);
    for (let i = 0; i < 50 && details.length < 25; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(details.includes('s-02:3'), details.join(','));
    assert.equal(loader.state.streams.find((s) => s.name === 's-04')!.openShardCount, 2);
    await ep.close();
  });
});
