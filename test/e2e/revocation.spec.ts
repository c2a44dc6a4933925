import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixtureModule } from '../fixtures/fixture.module.js';
import type { User } from '../fixtures/fixture.handlers.js';
import { connectPage } from '../support/page-socket.js';
import { actAs, post, socketKeyCookie, startApp, subscribePage, subscriptionsOf, type PageIdentity, type TestApp } from '../support/test-app.js';
import { assertRevoked, TestClient } from '../support/ws-client.js';

/** The raw key inside a signed cookie (`realtime_sk=<key>.<signature>`), as a non-browser client sends it. */
function rawKey(cookie: string): string {
  const value = decodeURIComponent(cookie.slice('realtime_sk='.length));
  return value.slice(0, value.lastIndexOf('.'));
}


describe('ending realtime access (in memory)', () => {
  let server: TestApp;
  before(async () => (server = await startApp(fixtureModule({ userId: (user: User) => user.name }))));
  after(() => server.close());

  const held = (page: PageIdentity, headers?: Record<string, string>) => subscriptionsOf(server, page, headers);
  /** Pushes to each channel, then checks that the client got none of them (frames on a socket keep their order). */
  const assertNoPushes = async (client: TestClient, channels: string[]) => {
    await post(server, `/push/${channels.join(',')}`, { message: 'after' });
    await client.barrier();
    assert.deepEqual(client.frames.filter(frame => frame.channel), []);
  };

  it('revoke() at sign-out closes every page of the key (4004), drops what they held, and rotates the cookie', async () => {
    const first = await subscribePage(server, ['rv-news']);
    const second = await subscribePage(server, ['rv-sports'], first.cookie);
    // A page of the same browser whose socket is not open: its digest is found through the key's index.
    const unopened = await subscribePage(server, ['rv-weather'], first.cookie);
    const stranger = await subscribePage(server, ['rv-news']);
    const [a, b, c] = [await connectPage(server, first), await connectPage(server, second), await connectPage(server, stranger)];

    const signOut = await fetch(`${server.http}/signout`, { method: 'POST', headers: { cookie: first.cookie } });
    assert.equal(signOut.status, 201);
    assert.deepEqual(await signOut.json(), { localConnections: 2 });
    const fresh = socketKeyCookie(signOut);
    assert.ok(fresh && fresh !== first.cookie, 'the sign-out response sets a new socket-key cookie');
    assert.match(signOut.headers.getSetCookie().join('\n'), /^realtime_sk=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/m);
    assert.equal(signOut.headers.getSetCookie().filter(cookie => cookie.startsWith('realtime_sk=')).length, 1);
    await assertRevoked(a);
    await assertRevoked(b);

    // Another browser is untouched.
    await post(server, '/push/rv-news', { message: 'still here' });
    await c.next(frame => frame.channel === 'rv-news');

    // The old key now counts as none: a fresh key (and cookie), nothing of the old pages.
    const leftover = await held(unopened);
    assert.deepEqual(leftover.channels, []);
    assert.ok(leftover.cookie && leftover.cookie !== first.cookie, 'a request with the old cookie is given a new one');
    const overHeader = await held(first, { 'x-realtime-socket-key': rawKey(first.cookie), 'x-realtime-connection-id': first.connectionId });
    assert.deepEqual(overHeader.channels, [], 'the X-Realtime-Socket-Key header of a route call counts as none too');
    const again = await connectPage(server, first);
    assert.deepEqual(again.welcome.payload, { id: first.connectionId, channels: [], positions: {} });
    assert.deepEqual((await again.call('ListSubscriptions')).payload, { subscriptions: {}, channels: [] });
    await assertNoPushes(again, ['rv-news', 'rv-sports', 'rv-weather']);

    // The new cookie works as any other: no new cookie, and pages subscribe as before.
    const renewed = await subscribePage(server, ['rv-news'], fresh);
    assert.equal((await held(renewed)).cookie, undefined);
    assert.deepEqual((await held(renewed)).channels, ['rv-news']);
    for (const client of [again, c]) client.close();
  });

  it('revoke() on a request that carries no socket key ends nothing and sets no cookie', async () => {
    const signOut = await fetch(`${server.http}/signout`, { method: 'POST' });
    assert.deepEqual(await signOut.json(), { localConnections: 0 });
    assert.equal(socketKeyCookie(signOut), undefined);
  });

  it('revoke() from a realtime handler closes the calling socket with the others of its key', async () => {
    const page = await subscribePage(server, ['rv-handler']);
    const other = await subscribePage(server, ['rv-handler-2'], page.cookie);
    const [caller, sibling] = [await connectPage(server, page), await connectPage(server, other)];
    caller.send({ action: 'SignOut', tag: 'out' });
    await assertRevoked(caller);
    await assertRevoked(sibling);
    assert.deepEqual((await held(other)).channels, []);
  });

  it('a socket that connects with a revoked key gets a throwaway one: its route calls act for that, not the old key', async () => {
    const page = await subscribePage(server, ['rv-route']);
    await fetch(`${server.http}/signout`, { method: 'POST', headers: { cookie: page.cookie } });
    const client = await connectPage(server, page);
    const reply = await client.callRoute('get', '/subscriptions');
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { channels: [] });
    assert.equal((await client.callRoute('get', '/subscribe?channels=rv-route-2')).status, 200);
    // What the route subscribed reaches this socket (its own throwaway identity), and never the old key's digest.
    await post(server, '/push/rv-route-2', { message: 'mine' });
    await client.next(frame => frame.channel === 'rv-route-2');
    assert.deepEqual((await held(page)).channels, []);
    client.close();
  });

  it('disconnect({ client }) ends one page; the key stays valid', async () => {
    const page = await subscribePage(server, ['dc-one']);
    const sibling = await subscribePage(server, ['dc-two'], page.cookie);
    const [a, b] = [await connectPage(server, page), await connectPage(server, sibling)];
    const receipt = await fetch(`${server.http}/disconnect/client`, { method: 'POST', headers: actAs(page) });
    assert.deepEqual(await receipt.json(), { localConnections: 1 });
    assert.equal(socketKeyCookie(receipt), undefined, 'no new key: the old one is still good');
    await assertRevoked(a);
    const back = await connectPage(server, page);
    assert.deepEqual(back.welcome.payload.channels, [], 'its subscriptions are gone');
    await post(server, '/push/dc-two', { message: 'sibling' });
    await b.next(frame => frame.channel === 'dc-two');
    // The same page can be subscribed again, with the same cookie.
    const resubscribed = await fetch(`${server.http}/subscribe?channels=dc-three`, { headers: actAs(page) });
    assert.equal(socketKeyCookie(resubscribed), undefined);
    await post(server, '/push/dc-three', { message: 'again' });
    await back.next(frame => frame.channel === 'dc-three');
    for (const client of [back, b]) client.close();
  });

  it('disconnect({ connectionId }) ends every socket with that id, whatever its key', async () => {
    const page = await subscribePage(server, ['dc-id']);
    const owner = await connectPage(server, page);
    const impostor = await connectPage(server, { connectionId: page.connectionId });
    const bystander = await connectPage(server, await subscribePage(server, ['dc-id']));
    const receipt = await post(server, `/disconnect/connection/${page.connectionId}`, {});
    assert.deepEqual(receipt, { localConnections: 2 });
    await assertRevoked(owner);
    await assertRevoked(impostor);
    assert.deepEqual((await held(page)).channels, []);
    await bystander.barrier();
    bystander.close();
  });

  it('disconnect({ socketKeyOf }) ends every page of the key, open or not, without revoking it', async () => {
    const page = await subscribePage(server, ['dk-a']);
    const unopened = await subscribePage(server, ['dk-b'], page.cookie);
    const client = await connectPage(server, page);
    const receipt = await fetch(`${server.http}/disconnect/key`, { method: 'POST', headers: { cookie: page.cookie } });
    assert.deepEqual(await receipt.json(), { localConnections: 1 });
    await assertRevoked(client);
    assert.deepEqual(await held(unopened), { channels: [], cookie: undefined });
    const back = await connectPage(server, page);
    assert.deepEqual(back.welcome.payload.channels, []);
    back.close();
  });

  it('disconnect({ user }) ends every socket signed in as the user (the userId option), and every page of their keys', async () => {
    const alicePage = await subscribePage(server, ['du-room']);
    const aliceOther = await subscribePage(server, ['du-other'], alicePage.cookie);
    const aliceElsewhere = await subscribePage(server, ['du-room']);
    const bobPage = await subscribePage(server, ['du-room']);
    const byGuard = await connectPage(server, alicePage, { headers: { 'x-token': 'alice' } });
    const byAction = await connectPage(server, aliceElsewhere);
    assert.equal((await byAction.call('Authenticate', { token: 'good-token' })).event, 'Authenticated');
    const bob = await connectPage(server, bobPage, { headers: { 'x-token': 'bob' } });
    const anonymous = await TestClient.connect(server.ws);

    assert.deepEqual(await post(server, '/disconnect/user/alice', {}), { localConnections: 2 });
    await assertRevoked(byGuard);
    await assertRevoked(byAction);
    for (const page of [alicePage, aliceOther, aliceElsewhere]) assert.deepEqual((await held(page)).channels, []);
    assert.deepEqual((await held(bobPage)).channels, ['du-room']);
    await post(server, '/push/du-room', { message: 'for bob' });
    await bob.next(frame => frame.channel === 'du-room');
    await anonymous.barrier();
    for (const client of [bob, anonymous]) client.close();
  });

  it('refuses a target it cannot act on, naming what it takes', async () => {
    assert.deepEqual(await post(server, '/disconnect/user/nobody', {}), { localConnections: 0 });
    const { ChannelService } = await import('nestjs-realtime');
    const channels = server.app.get(ChannelService);
    await assert.rejects(channels.disconnect({} as never), { name: 'TypeError', message: /takes \{ client \}, \{ connectionId \}/ });
    await assert.rejects(channels.revoke({ connectionId: 'c'.repeat(64), digest: 'd'.repeat(64) }), {
      name: 'TypeError',
      message: /needs a client that knows its socket key/,
    });
  });
});

describe('re-checking server-made family subscriptions (reauthorizeServerSubscriptions)', () => {
  it('with the option, drops a route-made family subscription the authorizer now refuses, from the socket and the digest', async () => {
    const server = await startApp(fixtureModule({ reauthorizeInterval: 100, reauthorizeServerSubscriptions: true }));
    try {
      const page = await subscribePage(server, ['widgets:1', 'widgets:2', 'plain']);
      const client = await connectPage(server, page);
      await post(server, '/revoke/2', {});
      const dropped = await client.next(frame => frame.event === 'Unsubscribed');
      assert.deepEqual(dropped.payload, { exchange_name: 'widgets', routing_key: '2', channel: 'widgets:2', auto: true });
      assert.deepEqual((await subscriptionsOf(server, page)).channels, ['plain', 'widgets:1']);
      await post(server, '/push/widgets:2,widgets:1', { message: 'x' });
      await client.next(frame => frame.channel === 'widgets:1');
      await client.barrier();
      assert.equal(client.frames.filter(frame => frame.channel === 'widgets:2').length, 0);
      client.close();
    } finally {
      await server.close();
    }
  });

  it('without it (the default), only what the client subscribed itself is asked about again', async () => {
    const server = await startApp(fixtureModule({ reauthorizeInterval: 100 }));
    try {
      const page = await subscribePage(server, ['widgets:2']);
      const client = await connectPage(server, page);
      assert.equal((await client.call('Subscribe', { exchange: 'widgets', routing_key: 1234 })).event, 'Subscribed');
      await post(server, '/revoke/2', {});
      await post(server, '/revoke/1234', {});
      // The pass that drops the client's own subscription has gone over this connection.
      await client.next(frame => frame.event === 'Unsubscribed' && frame.payload.channel === 'widgets:1234');
      assert.deepEqual((await subscriptionsOf(server, page)).channels, ['widgets:2']);
      assert.deepEqual((await client.call('ListSubscriptions')).payload.channels, ['widgets:2']);
      client.close();
    } finally {
      await server.close();
    }
  });
});
