import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { FixtureState } from '../fixtures/fixture-state.js';
import { hostileFrames, seeded, sendAndCount } from '../support/hostile-frames.js';
import { PLATFORMS } from '../support/test-app.js';
import { rawUpgrade } from '../support/raw-http.js';
import { assertNoErrorLogs, startWatchedApp, type WatchedApp } from '../support/watched-app.js';
import { TestClient, type Frame } from '../support/ws-client.js';

/**
 * The abuse suite: hostile frames from anonymous sockets (no cookie, no
 * Origin). Every app here logs into a CaptureLogger, and every test fails if
 * anything was logged at error level. Nothing is measured by time: the
 * assertions are on counts, bytes and codes, and a bystander still gets its
 * Pong.
 */

const MAX_FRAME = 64 * 1024;
/** A rate no test here reaches, for the tests that are not about the rate. */
const ROOMY = { burst: 1_000_000, perSecond: 1_000_000 };

/** `[[...[1]...]]`: `depth` levels of arrays. */
function nested(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

/** As many keys `1` as fit in one frame of `MAX_FRAME` bytes, and the frame. */
function widestFrame(action: string, tag: string): { text: string; keys: number } {
  const head = `{"action":"${action}","tag":"${tag}","payload":{"exchange":"widgets","routing_keys":[`;
  const keys = Math.floor((MAX_FRAME - head.length - 4) / 2) + 1;
  const text = `${head}${Array(keys).fill('1').join(',')}]}}`;
  assert.ok(Buffer.byteLength(text) <= MAX_FRAME);
  return { text, keys };
}

function keys(count: number, prefix = 'k'): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}${index}`);
}

function size(frame: Frame): number {
  return Buffer.byteLength(JSON.stringify(frame));
}

describe('abuse: work per frame is bounded', () => {
  let server: WatchedApp;
  // NOTE: eight frames of 64 KiB sent at once are read in one go, before the
  // first is answered: more than the default receiveQueueLimit (four). And
  // 32,730 keys are more elements than maxElements lets be parsed at all
  // (the next suite): here the keys' own limit is what answers.
  before(async () => (server = await startWatchedApp({ messageRate: ROOMY, receiveQueueLimit: 8 * MAX_FRAME, maxElements: 40_000 })));
  after(() => server.close());
  afterEach(() => assertNoErrorLogs([server]));

  it('answers a Subscribe or Unsubscribe of 32,730 keys in one 64 KiB frame with one TooManyKeys, doing none of them', async () => {
    const attacker = await TestClient.connect(server.ws);
    for (const action of ['Subscribe', 'Unsubscribe']) {
      const { text, keys: count } = widestFrame(action, action);
      assert.ok(count > 32_700, `${count} keys in one frame`);
      attacker.send(text);
      await attacker.barrier();
      assert.deepEqual(
        attacker.frames.filter(frame => frame.tag === action),
        [
          {
            event: 'Error',
            tag: action,
            payload: { exchange: 'widgets', max: 100, error: 'TooManyKeys', message: `routing_keys holds ${count} keys; a frame may carry at most 100` },
          },
        ],
      );
    }
    assert.deepEqual((await attacker.call('ListSubscriptions')).payload.channels, []);
    attacker.close();
  });

  it('answers maxKeysPerFrame keys with one reply per key, in order', async () => {
    const client = await TestClient.connect(server.ws);
    client.send({ action: 'Subscribe', tag: 'full', payload: { exchange: 'widgets', routing_keys: keys(100) } });
    client.send({ action: 'Unsubscribe', tag: 'off', payload: { exchange: 'widgets', routing_keys: keys(100) } });
    await client.barrier();
    const sub = client.frames.filter(frame => frame.tag === 'full');
    assert.deepEqual(sub.map(frame => [frame.event, frame.payload.error, frame.payload.routing_key]), keys(100).map(key => ['Error', 'SubscriptionDenied', key]));
    const unsub = client.frames.filter(frame => frame.tag === 'off');
    assert.deepEqual(unsub.map(frame => [frame.event, frame.payload.routing_key]), keys(100).map(key => ['Unsubscribed', key]));
    client.close();
  });

  it('still answers a bystander while eight widest frames are answered', async () => {
    const [attacker, bystander] = [await TestClient.connect(server.ws), await TestClient.connect(server.ws)];
    for (let n = 0; n < 8; n++) attacker.send(widestFrame('Subscribe', `w${n}`).text);
    assert.equal((await bystander.call('Ping')).event, 'Pong');
    await attacker.barrier();
    assert.equal(attacker.frames.filter(frame => frame.payload?.error === 'TooManyKeys').length, 8);
    attacker.close();
    bystander.close();
  });

  it('refuses a tag that is not a short string, a number or null with one InvalidPayload that does not echo it', async () => {
    const client = await TestClient.connect(server.ws);
    const refused = [{ any: ['json'] }, [1], true, 'x'.repeat(129), 'x'.repeat(2048)];
    for (const tag of refused) {
      client.send({ action: 'Subscribe', tag, payload: { exchange: 'widgets', routing_keys: keys(100) } });
    }
    await client.barrier();
    const answers = client.frames.slice(1, -1);
    assert.deepEqual(
      answers,
      refused.map(() => ({
        event: 'Error',
        payload: { error: 'InvalidPayload', message: 'tag must be a string of at most 128 characters, a number or null' },
      })),
    );
    for (const tag of ['x'.repeat(128), 7, -0.5, null]) {
      const answer = client.after(frame => 'tag' in frame && frame.tag === tag);
      client.send({ action: 'Ping', tag });
      assert.equal((await answer).event, 'Pong', `tag ${JSON.stringify(tag)} is echoed`);
    }
    client.send({ id: 'i'.repeat(129), action: 'ping' });
    assert.deepEqual(await client.after(frame => frame.event === 'Error'), {
      event: 'Error',
      payload: { error: 'InvalidPayload', message: 'id must be a string of at most 128 characters or a number' },
    });
    client.close();
  });

  it('echoes no more than a short excerpt of an invalid exchange, key, channel or action', async () => {
    const client = await TestClient.connect(server.ws);
    const long = 'x'.repeat(20_000);
    const replies = [
      await client.call('Subscribe', { exchange: long, routing_key: 1 }),
      await client.call('Subscribe', { exchange: 'widgets', routing_key: long }),
      await client.call('Subscribe', { exchange: 'widgets', routing_key: { deep: [long] } }),
      await client.call('Unsubscribe', { exchange: long, routing_keys: [1, 2] }),
      await client.call('Unsubscribe', { channel: long }),
      await client.call('Unsubscribe', { exchange: 'widgets', routing_keys: [long] }),
      await client.call(long),
    ];
    assert.deepEqual(
      replies.map(reply => reply.payload.error),
      ['InvalidPayload', 'InvalidPayload', 'InvalidPayload', 'InvalidPayload', 'InvalidPayload', 'InvalidPayload', 'InvalidAction'],
    );
    for (const reply of replies) assert.ok(size(reply) < 400, `a short reply: ${JSON.stringify(reply).slice(0, 200)}`);
    assert.equal(replies[1]!.payload.routing_key, null);
    client.send({ id: 'r', action: long });
    const ring = await client.next(frame => frame.id === 'r');
    assert.equal(ring.status, 404);
    assert.ok(size(ring) < 400);
    client.close();
  });
});

describe('abuse: deep nesting and unanswerable frames', () => {
  let server: WatchedApp;
  before(async () => (server = await startWatchedApp({ messageRate: ROOMY })));
  after(() => server.close());
  afterEach(() => assertNoErrorLogs([server]));

  it('answers frames nested 30,000 deep (in a tag, a routing key, a route input) with NestingTooDeep, from five connections', async () => {
    const deep = nested(30_000);
    const frames = [
      `{"action":"Ping","tag":${deep}}`,
      `{"action":"Subscribe","tag":"s","payload":{"exchange":"widgets","routing_key":${deep}}}`,
      `{"id":"c","action":"call-route","uri":"/routes/query","input":{"a":${deep}}}`,
      `{"action":"Ping","tag":${'['.repeat(30_000)}`,
    ];
    const clients = await Promise.all(Array.from({ length: 5 }, () => TestClient.connect(server.ws)));
    for (const client of clients) for (const frame of frames) client.send(frame);
    const bystander = await TestClient.connect(server.ws);
    assert.equal((await bystander.call('Ping')).event, 'Pong');
    for (const client of clients) {
      await client.barrier();
      assert.deepEqual(
        client.frames.slice(1, -1),
        frames.map(() => ({ event: 'Error', payload: { error: 'NestingTooDeep', message: 'Frames may nest arrays and objects at most 16 levels deep' } })),
      );
      client.close();
    }
    bystander.close();
  });

  it('answers a frame of more than maxElements (1,000) with one TooManyElements, unparsed, and keeps the connection', async () => {
    const client = await TestClient.connect(server.ws);
    const hello = (keys: number) => {
      const extra = Array.from({ length: keys }, (_, n) => `"k${n}":${n}`).join(',');
      return `{"action":"SayHello","tag":"v${keys}","payload":{"name":"n","times":1,${extra}}}`;
    };
    // The frame and its 3 keys, the payload, name, times: 7, and the keys.
    client.send(hello(993));
    assert.equal((await client.next(frame => frame.tag === 'v993')).event, 'HelloThere');
    const refused = [hello(994), widestFrame('Subscribe', 'w').text, `{"action":"Ping","tag":"s","payload":${JSON.stringify(Array(5000).fill('s'))}}`];
    for (const text of refused) client.send(text);
    await client.barrier();
    assert.deepEqual(
      client.frames.slice(2, -1),
      refused.map(() => ({
        event: 'Error',
        payload: { error: 'TooManyElements', message: 'Frames may hold at most 1000 elements: arrays, objects and the items in them' },
      })),
    );
    assert.equal(client.socket.readyState, client.socket.OPEN);
    client.close();
  });

  it('parses a frame 16 levels deep, the frame itself being one, and refuses 17', async () => {
    const client = await TestClient.connect(server.ws);
    client.send(`{"action":"Later","tag":"d16","payload":{"value":${nested(14)}}}`);
    assert.deepEqual((await client.next(frame => frame.tag === 'd16')).payload, { value: JSON.parse(nested(14)) });
    client.send(`{"action":"Later","tag":"d17","payload":{"value":${nested(15)}}}`);
    await client.barrier();
    assert.equal(client.frames.filter(frame => frame.tag === 'd17').length, 0);
    assert.equal(client.frames.at(-2)!.payload.error, 'NestingTooDeep');
    client.close();
  });

  it('gives every hostile frame exactly one answer (or one per key), and keeps the connection', async () => {
    const client = await TestClient.connect(server.ws);
    const long = 'x'.repeat(5000);
    const tooMany = keys(101);
    // [frame, answers expected with its tag or id]
    const tagged: Array<[Record<string, unknown>, number]> = [
      [{ action: 'Subscribe', payload: 'text' }, 1],
      [{ action: 'Subscribe', payload: [1] }, 1],
      [{ action: 'Subscribe', payload: { exchange: '' } }, 1],
      [{ action: 'Subscribe', payload: { exchange: long } }, 1],
      [{ action: 'Subscribe', payload: { exchange: 'nope', routing_key: 7 } }, 1],
      [{ action: 'Subscribe', payload: { exchange: 'widgets', routing_key: {} } }, 1],
      [{ action: 'Subscribe', payload: { exchange: 'widgets', routing_keys: [] } }, 1],
      [{ action: 'Subscribe', payload: { exchange: 'widgets', routing_keys: [null, {}, [], '', long, true, 7] } }, 7],
      [{ action: 'Subscribe', payload: { exchange: 'widgets', routing_keys: tooMany } }, 1],
      [{ action: 'Subscribe', payload: { exchange: 'widgets', routing_keys: keys(100) } }, 100],
      [{ action: 'Unsubscribe', payload: 'text' }, 1],
      [{ action: 'Unsubscribe', payload: { channel: long } }, 1],
      [{ action: 'Unsubscribe', payload: { channel: '\u0000' } }, 1],
      [{ action: 'Unsubscribe', payload: { exchange: long } }, 1],
      [{ action: 'Unsubscribe', payload: { exchange: 'widgets', routing_keys: tooMany } }, 1],
      [{ action: 'Unsubscribe', payload: { exchange: 'widgets', routing_keys: [null, {}, 'a'] } }, 3],
      [{ action: 'Unsubscribe', payload: { exchange: 'widgets', routing_key: {} } }, 1],
      [{ action: 'Unsubscribe', payload: { exchange: 'widgets' } }, 1],
      [{ action: 'Unsubscribe', payload: {} }, 1],
      [{ action: 'ListSubscriptions', payload: [long] }, 1],
      [{ action: long }, 1],
      [{ action: 5 }, 1],
      [{ action: 'call-route', uri: '/routes/query' }, 1],
      [{ action: 'SayHello', payload: { name: JSON.parse(nested(10)), times: long } }, 1],
      [{ action: 'Ping', payload: 'text', __proto__: { polluted: true } }, 1],
      [{ action: 'Later', payload: { value: long } }, 1],
    ];
    const ring: Array<Record<string, unknown>> = [
      { action: 'call-route', uri: long },
      { action: 'call-route', uri: '//evil.example/' },
      { action: 'call-route', uri: '/\u0000\r\nX: y' },
      { action: 'call-route', uri: '/routes/query', input: { a: JSON.parse(nested(12)), b: long } },
      { action: 'call-route', uri: '/routes/query', input: { k: 'a'.repeat(40_000) } },
      { action: 'call-route', uri: '/routes/echo', method: 'POST', input: { big: 'b'.repeat(60_000) } },
      { action: 'call-route', uri: '/routes/query', method: 'TRACE' },
      { action: 'call-route', uri: '/routes/query', method: {} },
      { action: 'call-route', uri: '/routes/query', input: [1] },
      { action: long },
      {},
      { action: 'Subscribe' },
    ];
    const untagged = [
      'not json',
      '[1]',
      '',
      '"\\',
      `{"action":"Ping","tag":${nested(30_000)}}`,
      `{"action":"Ping","payload":${nested(16)}}`,
      `{"action":"Ping","tag":${'{"a":'.repeat(20)}1${'}'.repeat(20)}}`,
      '{"action":"Ping","tag":{"a":1}}',
      `{"action":"Ping","tag":"${'t'.repeat(129)}"}`,
      '{"action":"Ping","tag":true}',
      `{"id":"${'i'.repeat(200)}","action":"ping"}`,
    ];
    tagged.forEach(([frame, _], index) => client.send({ ...frame, tag: `h${index}` }));
    ring.forEach((frame, index) => client.send({ ...frame, id: `r${index}` }));
    for (const text of untagged) client.send(text);
    client.socket.send(Buffer.from([0xde, 0xad]), { binary: true });
    await client.barrier();

    tagged.forEach(([frame, expected], index) => {
      const answers = client.frames.filter(candidate => candidate.tag === `h${index}`);
      assert.equal(answers.length, expected, `${JSON.stringify(frame).slice(0, 120)} got ${answers.length} answers`);
    });
    ring.forEach((frame, index) => {
      const answers = client.frames.filter(candidate => candidate.id === `r${index}`);
      assert.equal(answers.length, 1, `${JSON.stringify(frame).slice(0, 120)} got ${answers.length} answers`);
      assert.equal(typeof answers[0]!.status, 'number');
    });
    const unsolicited = client.frames.filter(frame => !('tag' in frame) && !('id' in frame) && frame.event !== 'Welcome');
    assert.deepEqual(
      unsolicited.map(frame => frame.payload.error),
      ['InvalidJSON', 'InvalidJSON', 'InvalidJSON', 'InvalidJSON', 'NestingTooDeep', 'NestingTooDeep', 'NestingTooDeep', 'InvalidPayload', 'InvalidPayload', 'InvalidPayload', 'InvalidPayload', 'BinaryNotSupported'],
    );
    assert.equal(client.socket.readyState, client.socket.OPEN);
    client.close();
  });
});

describe('abuse: random hostile frames', () => {
  let server: WatchedApp;
  // Each connection pipelines 100 frames, some of 40 KB: more than the default
  // receiveQueueLimit lets one client pile up (close 4002, receive-queue.spec.ts).
  before(async () => (server = await startWatchedApp({ messageRate: ROOMY, receiveQueueLimit: 16 << 20 })));
  after(() => server.close());
  afterEach(() => assertNoErrorLogs([server]));

  it('answers 600 seeded random hostile frames on three connections as they must be (npm run fuzz:frames runs longer)', async () => {
    const random = seeded(1);
    const clients = await Promise.all([0, 1, 2].map(() => TestClient.connect(server.ws)));
    for (let round = 0; round < 2; round++) {
      await Promise.all(clients.map((client, index) => sendAndCount(client, hostileFrames(random, 100, `c${index}r${round}f`))));
    }
    for (const client of clients) client.close();
  });
});

describe('abuse: the rate charges work, not frames', () => {
  let server: WatchedApp;
  // Next to no refill, so that what a test can do is what the burst buys; charged by size and
  // keys only (frame-work.spec charges measured work), so the counts hold on a loaded machine.
  before(async () => (server = await startWatchedApp({ messageRate: { burst: 200, perSecond: 0.001 }, workUnitsPerMs: 0 })));
  after(() => server.close());
  afterEach(() => assertNoErrorLogs([server]));

  it('charges one unit per routing key: two frames of 100 keys spend the burst of 200', async () => {
    const client = await TestClient.connect(server.ws);
    const subscribe = (tag: string) => client.send({ action: 'Subscribe', tag, payload: { exchange: 'widgets', routing_keys: keys(100) } });
    subscribe('a');
    subscribe('b');
    // NOTE: a frame's keys are charged at its turn, after the sizes of the
    // frames that came before its turn: a third frame sent now would take the
    // unit that b's last key needs.
    await client.next(frame => frame.tag === 'b' && client.frames.filter(each => each.tag === 'b').length === 100);
    subscribe('c');
    assert.deepEqual(await client.whenClosed(), { code: 1008, reason: 'Rate limit exceeded' });
    assert.deepEqual(
      ['a', 'b', 'c'].map(tag => client.frames.filter(frame => frame.tag === tag).length),
      [100, 100, 0],
    );
    assert.deepEqual(client.frames.at(-1), { event: 'Error', payload: { error: 'RateLimited', message: 'Message rate exceeded' } });
  });

  it('closes a connection that goes over its rate before Welcome at once, dropping what waited', async () => {
    const held = await TestClient.open(server.ws, { headers: { 'x-hold': '1' } });
    const pad = 'p'.repeat(MAX_FRAME - 200);
    for (let n = 0; n < 4; n++) held.send({ action: 'Ping', tag: n, payload: { pad } });
    assert.deepEqual(await held.whenClosed(), { code: 1008, reason: 'Rate limit exceeded' });
    assert.deepEqual(held.frames, [{ event: 'Error', payload: { error: 'RateLimited', message: 'Message rate exceeded' } }]);
    server.app.get(FixtureState).releaseHeld();
  });

  it('charges one unit per started KiB: three frames of 64 KiB are answered, the fourth is not', async () => {
    const client = await TestClient.connect(server.ws);
    const pad = 'p'.repeat(MAX_FRAME - 200);
    for (let n = 0; n < 4; n++) client.send({ action: 'Ping', tag: n, payload: { pad } });
    assert.equal((await client.whenClosed()).code, 1008);
    assert.deepEqual(client.frames.filter(frame => frame.event === 'Pong').map(frame => frame.tag), [0, 1, 2]);
  });

  it('charges a call-route ten units: twenty calls spend the burst of 200', async () => {
    const client = await TestClient.connect(server.ws);
    for (let n = 0; n < 20; n++) {
      client.send({ id: `c${n}`, action: 'call-route', uri: '/routes/greet/x' });
      assert.equal((await client.next(frame => frame.id === `c${n}`)).status, 200);
    }
    client.send({ id: 'over', action: 'ping' });
    assert.equal((await client.whenClosed()).code, 1008);
    assert.deepEqual(client.frames.at(-1), { event: 'Error', payload: { error: 'RateLimited', message: 'Message rate exceeded' } });
    assert.equal(client.frames.filter(frame => frame.id === 'over').length, 0);
  });

  it('charges the replies of an Unsubscribe of everything, one unit each after the first', async () => {
    const client = await TestClient.connect(server.ws);
    // 1 unit for the frame, 98 for the keys after the first: 101 left.
    client.send({ action: 'Subscribe', tag: 'on', payload: { exchange: 'rooms', routing_keys: keys(99) } });
    // 1 unit for the frame, then 98 for its replies after the first (charged
    // once they are known, so they weigh on the frames after it): 2 left.
    client.send({ action: 'Unsubscribe', tag: 'off', payload: {} });
    await client.barrier(); // 1 left
    for (let n = 0; n < 5; n++) client.send({ action: 'Ping', tag: `p${n}` });
    assert.equal((await client.whenClosed()).code, 1008);
    assert.equal(client.frames.filter(frame => frame.tag === 'on' && frame.event === 'Subscribed').length, 99);
    assert.equal(client.frames.filter(frame => frame.tag === 'off' && frame.event === 'Unsubscribed').length, 99);
    assert.deepEqual(client.frames.filter(frame => frame.tag?.startsWith('p')).map(frame => frame.tag), ['p0']);
  });
});

for (const platform of PLATFORMS) {
  describe(`abuse: upgrade requests platform-ws cannot route (${platform})`, () => {
    let server: WatchedApp;
    let port: number;
    before(async () => {
      server = await startWatchedApp({}, platform);
      port = Number(new URL(server.http).port);
    });
    after(() => server.close());
    afterEach(() => assertNoErrorLogs([server]));

    it('closes them with no response at all, never with bytes that are not HTTP', async () => {
      for (const target of ['//', '//evil.example/', '/./', '/a/../', '/nope', '/?socket_connection_id=x/../']) {
        const exchange = await rawUpgrade(port, target);
        if (target.startsWith('/?')) assert.equal(exchange.statusLine, 'HTTP/1.1 101 Switching Protocols', target);
        else assert.equal(exchange.bytes, '', `${target}: closed without a response`);
      }
      assert.equal((await rawUpgrade(port, '/', 'bad host')).bytes, '', 'a Host that makes no URL');
      assert.equal((await rawUpgrade(port, '/')).statusLine, 'HTTP/1.1 101 Switching Protocols');
      assert.equal((await rawUpgrade(port, `ws://127.0.0.1:${port}/`)).statusLine, 'HTTP/1.1 101 Switching Protocols', 'absolute form');
      const client = await TestClient.connect(server.ws);
      assert.equal((await client.call('Ping')).event, 'Pong');
      client.close();
    });
  });
}
