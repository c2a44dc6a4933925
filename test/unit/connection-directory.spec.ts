import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionDirectory, type LocalConnection } from '../../src/channels/connection.directory.js';
import type { AccessMatch } from '../../src/channels/realtime-transport.interface.js';

function connection(connectionId: string, keyId: string, digest: string, user?: { id: string }): LocalConnection {
  return { connectionId, keyId, digest, user, write: () => undefined, stopReading: () => undefined, fail: () => undefined };
}

describe('ConnectionDirectory', () => {
  const userIdOf = (user: unknown) => (user as { id?: string } | undefined)?.id;
  const directory = new ConnectionDirectory();
  const ada = connection('page-1', 'key-1', 'digest-1', { id: 'ada' });
  const adaAgain = connection('page-2', 'key-1', 'digest-2', { id: 'ada' });
  const anonymous = connection('page-1', 'key-2', 'digest-3');
  for (const each of [ada, adaAgain, anonymous]) directory.add(each);
  const find = (match: unknown) => directory.find(match as AccessMatch, userIdOf);

  it('finds sockets by digest, connection id, key id and user id', () => {
    assert.deepEqual(find({ digest: 'digest-2' }), [adaAgain]);
    assert.deepEqual(find({ connectionId: 'page-1' }), [ada, anonymous]);
    assert.deepEqual(find({ keyId: 'key-1' }), [ada, adaAgain]);
    assert.deepEqual(find({ user: 'ada' }), [ada, adaAgain]);
  });

  it('finds nothing for a match of no known shape (a control message from another version)', () => {
    for (const match of [{}, { user: '' }, { user: 42 }, { digest: null }, { somethingElse: 'x' }]) {
      assert.deepEqual(find(match), [], JSON.stringify(match));
    }
  });

  it('forgets a socket once it closed', () => {
    directory.delete(adaAgain);
    assert.deepEqual(find({ user: 'ada' }), [ada]);
  });
});
