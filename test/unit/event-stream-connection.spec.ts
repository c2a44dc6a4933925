import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { EventStreamConnection } from '../../src/gateway/event-stream/event-stream.connection.js';
import { StreamPositions } from '../../src/gateway/event-stream/stream-positions.js';
import { RawEventStream } from '../support/event-stream-client.js';

const KEY = { socketKey: 'k'.repeat(32), keyId: 'key-id', digest: 'digest', presented: true };

/** A real HTTP server whose every request becomes an event stream that `script` writes to. */
function streamServer(script: (stream: EventStreamConnection) => void): Server {
  return createServer((request, response) => {
    const stream = new EventStreamConnection(response, 'connection-id-0001', KEY, request.headers, undefined, {
      sendBufferLimit: 1024 * 1024,
      maxPositions: 100,
      channels: () => [],
    });
    stream.start(1234);
    script(stream);
  });
}

describe('an event stream on a real response', () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = streamServer(stream => {
      stream.write('{"event":"Early","payload":1}');
      stream.open('{"event":"Welcome","payload":{"id":"connection-id-0001","channels":[]}}');
      stream.write(Buffer.from('{"event":"Push","channel":"news","payload":"a","offset":1,"epoch":"e1"}'));
      stream.write('{"event":"Notice","payload":"no position"}');
      stream.write(Buffer.from('{"event":"Push","channel":"sport","payload":"b","offset":9,"epoch":"e2"}'));
      stream.write('{"event":"Odd",\n"payload":"a line break"}');
      stream.close(4000, 'done');
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => new Promise<void>(resolve => server.close(() => resolve())));

  it('writes retry:, Welcome first, every frame as one event, an id: on each push with a position, and close last', async () => {
    const stream = await RawEventStream.open(url);
    await stream.ended;
    assert.equal(stream.retry, 1234);
    assert.deepEqual(
      stream.frames.map(frame => frame.event),
      ['Welcome', 'Early', 'Push', 'Notice', 'Push', 'Odd'],
      'what was written before Welcome comes right after it',
    );
    const ids = stream.events.map(event => event.id);
    assert.deepEqual(ids.map(id => id !== undefined), [false, false, true, false, true, false, false]);
    const afterNews = StreamPositions.parse(ids[2], 100)!;
    assert.equal(afterNews.positionOf('news')?.offset, 1);
    const afterSport = StreamPositions.parse(ids[4], 100)!;
    assert.equal(afterSport.positionOf('news')?.offset, 1, 'every channel is in each id');
    assert.equal(afterSport.positionOf('sport')?.offset, 9);
    assert.ok(StreamPositions.isEpoch(afterSport.positionOf('sport')!, 'e2'));
    assert.match(stream.text, /data: \{"event":"Odd",\ndata: "payload":"a line break"\}\n\n/, 'a line break splits the data');
    assert.deepEqual(stream.closeEvent, { code: 4000, reason: 'done' });
  });
});
