import * as assert from 'node:assert/strict';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ClientFactory } from '../../src/core/aws/clientFactory';
import { EndpointConnection, ssoLoginCommandLine } from '../../src/core/aws/connection';
import { canonicalEndpoint, EndpointKeyStore, SecretStore } from '../../src/core/aws/endpointKeys';
import { startKinesalite, TestEndpoint } from '../support/endpoints';
import { RecordingHost, startRecordingHost } from '../support/recordingHost';

/** VS Code's SecretStorage is not available in plain Node: a Map stands in for it (the only stand-in here). */
class MemorySecrets implements SecretStore {
  readonly map = new Map<string, string>();
  async get(k: string) {
    return this.map.get(k);
  }
  async store(k: string, v: string) {
    this.map.set(k, v);
  }
  async delete(k: string) {
    this.map.delete(k);
  }
}

describe('Endpoint keys are bound to the endpoint URL', () => {
  let kinesis: TestEndpoint;
  let usersHost: RecordingHost;
  let otherHost: RecordingHost;
  const userKeys = { accessKeyId: 'USERKEYID', secretAccessKey: 'user-secret' };

  before(async () => {
    kinesis = await startKinesalite();
    usersHost = await startRecordingHost(kinesis.endpoint);
    otherHost = await startRecordingHost(kinesis.endpoint);
  });
  after(async () => {
    await usersHost.close();
    await otherHost.close();
    await kinesis.close();
  });

  it('a workspace endpoint with the name of the user\'s endpoint but another URL does not get the user\'s keys', async () => {
    const secrets = new MemorySecrets();
    const store = new EndpointKeyStore(secrets);
    const mine: EndpointConnection = { kind: 'endpoint', id: 'endpoint:prod', name: 'prod', endpoint: usersHost.url, region: 'us-east-1' };
    await store.store(mine, userKeys);
    // What a workspace's .vscode/settings.json turns the connection into: same name (and id), another host.
    const redefined: EndpointConnection = { ...mine, endpoint: otherHost.url };

    const clients = new ClientFactory({ localEndpoint: async () => kinesis.endpoint, endpointCredentials: (c) => store.get(c) });
    await (await clients.kinesisClient(mine)).send(new ListStreamsCommand({}));
    await (await clients.kinesisClient(redefined)).send(new ListStreamsCommand({}));
    clients.dispose();

    assert.deepEqual(usersHost.requests.map((r) => r.keyId), ['USERKEYID'], 'the user\'s own endpoint is signed with the stored keys');
    assert.equal(otherHost.requests.length, 1);
    assert.notEqual(otherHost.requests[0].keyId, 'USERKEYID', 'the other host never sees the user\'s key');
    assert.equal(await store.get(redefined), undefined);
  });

  it('stored keys carry their URL: a secret copied under another name+URL is still refused', async () => {
    const secrets = new MemorySecrets();
    const store = new EndpointKeyStore(secrets);
    await store.store({ name: 'prod', endpoint: 'https://kinesis.example.com' }, userKeys);
    const [[, value]] = [...secrets.map];
    // A key name for another URL holding the first URL's keys is ignored on read.
    await new EndpointKeyStore({ ...secrets, get: async () => value, store: async () => undefined, delete: async () => undefined }).get({ name: 'prod', endpoint: 'https://evil.example.net' })
      .then((k) => assert.equal(k, undefined));
    assert.deepEqual(await store.get({ name: 'prod', endpoint: 'https://KINESIS.example.com/' }), userKeys, 'the same URL, spelled differently, still gets its keys');
  });

  it('keys stored under the name alone (earlier versions) move to the user\'s own URL only', async () => {
    const secrets = new MemorySecrets();
    secrets.map.set('kinesis.endpoint.keys.endpoint:prod', JSON.stringify(userKeys));
    const store = new EndpointKeyStore(secrets);
    const mine = { name: 'prod', endpoint: usersHost.url };
    assert.equal(await store.get({ name: 'prod', endpoint: otherHost.url }), undefined, 'not before adoption');
    await store.adoptLegacy(mine);
    assert.deepEqual(await store.get(mine), userKeys);
    assert.equal(await store.get({ name: 'prod', endpoint: otherHost.url }), undefined, 'nor after it, for another URL');
    assert.equal(secrets.map.has('kinesis.endpoint.keys.endpoint:prod'), false, 'the name-only entry is gone');
  });

  it('refuses URLs whose host a user-name, query or odd scheme could hide', () => {
    assert.equal(canonicalEndpoint('http://user:pass@evil.example.net'), undefined);
    assert.equal(canonicalEndpoint('file:///etc/passwd'), undefined);
    assert.equal(canonicalEndpoint('not a url'), undefined);
    assert.equal(canonicalEndpoint('https://Kinesis.Example.com:8443/api/'), 'https://kinesis.example.com:8443/api');
  });
});

describe('SSO sign-in command line', () => {
  it('puts plain profile names on the line and refuses names a shell would interpret', () => {
    assert.equal(ssoLoginCommandLine('dev-admin.eu'), 'aws sso login --profile dev-admin.eu');
    assert.equal(ssoLoginCommandLine(undefined), 'aws sso login');
    for (const bad of ['x; rm -rf ~', 'x && curl evil', '$(id)', 'a b', '`id`', "o'neil", 'x|y', 'x\nid', '-p']) {
      assert.equal(ssoLoginCommandLine(bad), undefined, bad);
    }
  });
});
