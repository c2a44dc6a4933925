import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createSocketKey,
  presentedSocketKey,
  resolveUpgradeIdentity,
  signSocketKey,
  socketDigest,
  socketKeyId,
} from '../../src/identity/index.js';

const options = { secret: 'upgrade-secret-0123456789', socketKeyCookie: 'realtime_sk' };
const none = () => false;
const id = (char: string) => char.repeat(64);

function query(params: Record<string, string> = {}): URLSearchParams {
  return new URLSearchParams(params);
}

describe('upgrade identity', () => {
  it('takes the connection id and the key from the query before the headers', () => {
    const [fromQuery, fromHeader] = [createSocketKey(), createSocketKey()];
    const headers = { 'x-realtime-connection-id': id('b'), 'x-realtime-socket-key': fromHeader };
    const named = query({ socket_connection_id: id('a'), socket_key: fromQuery });
    const { connectionId, key } = resolveUpgradeIdentity(headers, named, options, none);
    assert.equal(connectionId, id('a'));
    assert.deepEqual(key, {
      socketKey: fromQuery,
      keyId: socketKeyId(options.secret, fromQuery),
      digest: socketDigest(fromQuery, id('a')),
      presented: true,
    });
    const byHeader = resolveUpgradeIdentity(headers, query(), options, none);
    assert.equal(byHeader.connectionId, id('b'));
    assert.equal(byHeader.key.socketKey, fromHeader);
  });

  it('reads the signed cookie when no key is named, and refuses a forged one', () => {
    const socketKey = createSocketKey();
    const cookie = `realtime_sk=${encodeURIComponent(signSocketKey(socketKey, options.secret))}`;
    assert.equal(resolveUpgradeIdentity({ cookie }, query(), options, none).key.socketKey, socketKey);
    const forged = `realtime_sk=${encodeURIComponent(signSocketKey(socketKey, 'another-secret-0123456789'))}`;
    assert.equal(resolveUpgradeIdentity({ cookie: forged }, query(), options, none).key.presented, false);
  });

  it('makes a new connection id for a malformed one, and a throwaway key for none', () => {
    const { connectionId, key } = resolveUpgradeIdentity({}, query({ socket_connection_id: 'short' }), options, none);
    assert.match(connectionId, /^[0-9a-f]{64}$/);
    assert.notEqual(connectionId, 'short');
    assert.equal(key.presented, false);
    assert.equal(key.keyId, socketKeyId(options.secret, key.socketKey));
    assert.equal(key.digest, socketDigest(key.socketKey, connectionId));
  });

  it('counts a revoked key as none, for an upgrade and for an HTTP request alike', () => {
    const socketKey = createSocketKey();
    const revoked = (keyId: string) => keyId === socketKeyId(options.secret, socketKey);
    const { key } = resolveUpgradeIdentity({}, query({ socket_key: socketKey }), options, revoked);
    assert.equal(key.presented, false);
    assert.notEqual(key.socketKey, socketKey);
    assert.equal(presentedSocketKey({ 'x-realtime-socket-key': socketKey }, options, revoked), undefined);
    assert.deepEqual(presentedSocketKey({ 'x-realtime-socket-key': socketKey }, options, none), {
      socketKey,
      keyId: socketKeyId(options.secret, socketKey),
    });
  });
});
