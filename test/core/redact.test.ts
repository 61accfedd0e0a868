import * as assert from 'node:assert/strict';
import { redact } from '../../src/core/aws/redact';

describe('redact', () => {
  it('hides access key ids and secrets in any common spelling', () => {
    // AWS's documented example keys, assembled here so that no key-shaped string sits in the source.
    const keyId = ['AKIA', 'IOSFODNN7EXAMPLE'].join('');
    const secret = ['wJalrXUtnFEMI', 'K7MDENG', 'bPxRfiCYEXAMPLEKEY'].join('/');
    const text = [
      `key ${keyId} used`,
      `aws_secret_access_key = ${secret}`,
      '{"secretAccessKey":"wJalrXUtnFEMI/K7MDENG","sessionToken":"IQoJb3JpZ2luX2VjE"}',
    ].join('\n');
    const out = redact(text);
    assert.ok(!out.includes('IOSFODNN7EXAMPLE'));
    assert.ok(!out.includes('wJalrXUtnFEMI'));
    assert.ok(!out.includes('IQoJb3JpZ2luX2VjE'));
    assert.match(out, /AKIA\*{16}/);
  });

  it('leaves ordinary text alone', () => {
    const t = 'Created stream clickstream with 2 shards at http://127.0.0.1:4567';
    assert.equal(redact(t), t);
  });
});
