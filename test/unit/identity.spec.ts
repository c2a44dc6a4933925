import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createConnectionId,
  createSocketKey,
  digestsEqual,
  isWellFormedToken,
  readCookie,
  serializeSocketKeyCookie,
  signSocketKey,
  socketDigest,
  socketKeyId,
  verifySignedSocketKey,
} from '../../src/identity/index.js';

describe('identity', () => {
  it('makes 64-hex keys and ids, different every time', () => {
    const [a, b] = [createSocketKey(), createSocketKey()];
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.notEqual(a, b);
    assert.match(createConnectionId(), /^[0-9a-f]{64}$/);
  });

  it('names a socket key by an id that needs the secret, and is never the cookie signature', () => {
    const key = '0123456789abcdef0123456789abcdef';
    const id = socketKeyId('an-example-secret-0123', key);
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(socketKeyId('an-example-secret-0123', key), id);
    assert.notEqual(socketKeyId('another-secret-0123456', key), id);
    const signature = signSocketKey(key, 'an-example-secret-0123').split('.')[1]!;
    assert.notEqual(Buffer.from(signature, 'base64url').toString('hex'), id);
  });

  it('digests with HMAC-SHA256 keyed by the socket key (RFC 4231 test case 2)', () => {
    assert.equal(
      socketDigest('Jefe', 'what do ya want for nothing?'),
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    assert.notEqual(socketDigest('k'.repeat(20), 'id-one-0123456789'), socketDigest('k'.repeat(20), 'id-two-0123456789'));
  });

  it('compares digests by value and length', () => {
    assert.equal(digestsEqual('abc', 'abc'), true);
    assert.equal(digestsEqual('abc', 'abd'), false);
    assert.equal(digestsEqual('abc', 'abcd'), false);
  });

  it('accepts only well-formed client tokens', () => {
    assert.equal(isWellFormedToken('a'.repeat(16)), true);
    assert.equal(isWellFormedToken('short'), false);
    assert.equal(isWellFormedToken('a'.repeat(129)), false);
    assert.equal(isWellFormedToken('has space in it!!'), false);
    assert.equal(isWellFormedToken(undefined), false);
  });

  it('verifies a signed key and refuses a tampered key, signature or secret', () => {
    const key = createSocketKey();
    const signed = signSocketKey(key, 'secret-secret-secret');
    assert.equal(verifySignedSocketKey(signed, 'secret-secret-secret'), key);
    assert.equal(verifySignedSocketKey(signed, 'another-secret-value'), undefined);
    const otherKey = createSocketKey();
    assert.equal(verifySignedSocketKey(`${otherKey}.${signed.split('.')[1]}`, 'secret-secret-secret'), undefined);
    assert.equal(verifySignedSocketKey(`${key}.AAAA`, 'secret-secret-secret'), undefined);
    assert.equal(verifySignedSocketKey('garbage', 'secret-secret-secret'), undefined);
    assert.equal(verifySignedSocketKey(undefined, 'secret-secret-secret'), undefined);
  });

  it('reads one cookie among several and writes HttpOnly, SameSite, Path attributes', () => {
    assert.equal(readCookie('a=1; realtime_sk=x.y; b=2', 'realtime_sk'), 'x.y');
    assert.equal(readCookie('a=1', 'realtime_sk'), undefined);
    assert.equal(
      serializeSocketKeyCookie('realtime_sk', 'k.s', { secure: true, sameSite: 'Strict' }),
      'realtime_sk=k.s; Path=/; HttpOnly; SameSite=Strict; Secure',
    );
  });
});
