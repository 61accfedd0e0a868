import * as assert from 'node:assert/strict';
import { redact } from '../../src/core/aws/redact';
import { describeError, friendlyMessage, UserError } from '../../src/core/aws/errors';

// AWS's documented example keys, assembled here so that no key-shaped string sits in the source.
const keyId = ['AKIA', 'IOSFODNN7EXAMPLE'].join('');
const secret = ['wJalrXUtnFEMI', 'K7MDENG', 'bPxRfiCYEXAMPLEKEY'].join('/');
const token = ['IQoJb3JpZ2luX2Vj', 'EXAMPLETOKEN+abc/def=='].join('');

function assertHidden(out: string, ...secrets: string[]): void {
  for (const s of secrets) assert.ok(!out.includes(s), `"${s}" is hidden in: ${out}`);
}

describe('redact', () => {
  it('hides access key ids and secrets in any common spelling', () => {
    const text = [
      `key ${keyId} used`,
      `aws_secret_access_key = ${secret}`,
      '{"secretAccessKey":"wJalrXUtnFEMI/K7MDENG","sessionToken":"IQoJb3JpZ2luX2VjE"}',
    ].join('\n');
    const out = redact(text);
    assertHidden(out, 'IOSFODNN7EXAMPLE', 'wJalrXUtnFEMI', 'IQoJb3JpZ2luX2VjE');
    assert.match(out, /AKIA\*{16}/);
  });

  it('hides secret_access_key and session_token without the aws_ prefix', () => {
    const out = redact(`secret_access_key=${secret}\nsession_token: ${token}`);
    assertHidden(out, secret, token, 'wJalrXUtnFEMI', 'IQoJb3JpZ2luX2Vj');
    assert.match(out, /secret_access_key=\*{4}/);
  });

  it('hides the security token of a pre-signed URL and of a header, and keeps the rest of the URL', () => {
    const url = `https://kinesis.us-east-1.amazonaws.com/?Action=ListStreams&X-Amz-Security-Token=${encodeURIComponent(token)}&X-Amz-Date=20261130T000000Z`;
    const out = redact(`GET ${url}\nx-amz-security-token: ${token}`);
    assertHidden(out, 'IQoJb3JpZ2luX2Vj', encodeURIComponent(token));
    assert.match(out, /X-Amz-Security-Token=\*{4}&X-Amz-Date=20261130T000000Z/);
  });

  it('hides secrets in JSON escaped inside another string', () => {
    const inner = JSON.stringify({ AccessKeyId: keyId, SecretAccessKey: secret, SessionToken: token });
    const out = redact(JSON.stringify({ message: `credentials were ${inner}` }));
    assert.ok(out.includes('\\"SecretAccessKey\\":\\"****'), out);
    assertHidden(out, 'wJalrXUtnFEMI', 'IQoJb3JpZ2luX2Vj', 'IOSFODNN7EXAMPLE');
  });

  it('hides the user-info of a URL', () => {
    const out = redact('connect ECONNREFUSED http://admin:hunter2@10.0.0.5:4566/ and https://AKIDUSER:s3cr3t%2Fx@example.com');
    assertHidden(out, 'hunter2', 's3cr3t', 'admin', 'AKIDUSER');
    assert.match(out, /http:\/\/\*{4}@10\.0\.0\.5:4566\//);
  });

  it('leaves ordinary text alone', () => {
    const t = 'Created stream clickstream with 2 shards at http://127.0.0.1:4567 (token bucket at 500 rec/s, session started)';
    assert.equal(redact(t), t);
  });

  it('is applied to the messages people see (notifications, webview replies, notebook outputs)', () => {
    // describeError/friendlyMessage build every message those show.
    const err = Object.assign(new Error(`The security token included in the request is invalid: X-Amz-Security-Token=${token}`), { name: 'SomeServiceError' });
    assertHidden(describeError(err).message, 'IQoJb3JpZ2luX2Vj');
    assertHidden(friendlyMessage(new UserError(`bad endpoint http://me:${encodeURIComponent(secret)}@host`)), 'wJalrXUtnFEMI');
  });
});
