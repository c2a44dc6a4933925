import { nestedText } from './client-frame.arbitraries.js';

/** The default `maxMessageSize`: the largest frame a client may send. */
export const MAX_MESSAGE_SIZE = 64 * 1024;

/**
 * A frame that asks the fixture app for as much work as the default limits
 * allow one frame: the largest size (64 KiB), the most keys
 * (`maxKeysPerFrame`, 100), the deepest nesting (`maxDepth`, 16), or the most
 * replies (an `Unsubscribe` of 100 held channels).
 */
export interface WorstFrame {
  name: string;
  /** The frame's text, answered with `tag` (Myxi style) or `tag` as its Ring id. */
  build(tag: string): string;
  /** What the rate charges for it, at most (protocol section 7). */
  units: number;
}

/** Pads a frame to just under `MAX_MESSAGE_SIZE` bytes with a `pad` string where `@@pad@@` stands. */
function padded(template: string, tag: string): string {
  const text = template.replace('@@tag@@', JSON.stringify(tag));
  return text.replace('@@pad@@', 'p'.repeat(MAX_MESSAGE_SIZE - Buffer.byteLength(text) + '@@pad@@'.length - 8));
}

const keys = JSON.stringify(Array.from({ length: 100 }, (_, n) => `k${n}`));
/** Siblings 16 levels deep, the frame's object being the first: as many as fit in 64 KiB. */
const deepest = (() => {
  const leaf = nestedText(13);
  const count = Math.floor((MAX_MESSAGE_SIZE - 200) / (leaf.length + 1));
  return `[${Array(count).fill(leaf).join(',')}]`;
})();
/** An object of as many short keys as fit in 64 KiB. */
const widest = (() => {
  const entries: string[] = [];
  for (let n = 0, size = 0; size < MAX_MESSAGE_SIZE - 300; n++) {
    const entry = `"k${n}":${n}`;
    entries.push(entry);
    size += entry.length + 1;
  }
  return `{"name":"n","times":1,${entries.join(',')}}`;
})();

/** The frames that cost the server most within the default limits, each on its own. */
export const WORST_FRAMES: readonly WorstFrame[] = [
  {
    name: 'Subscribe of 100 keys (100 authorizations and replies)',
    build: tag => `{"action":"Subscribe","tag":${JSON.stringify(tag)},"payload":{"exchange":"rooms","routing_keys":${keys}}}`,
    units: 100,
  },
  {
    // NOTE: charged once its replies are known; 100 channels held at most.
    name: 'Unsubscribe of everything (up to 100 replies)',
    build: tag => `{"action":"Unsubscribe","tag":${JSON.stringify(tag)},"payload":{}}`,
    units: 100,
  },
  { name: 'Ping of 64 KiB', build: tag => padded('{"action":"Ping","tag":@@tag@@,"payload":{"pad":"@@pad@@"}}', tag), units: 64 },
  {
    name: 'echo of 64 KiB nested 16 deep',
    build: tag => `{"action":"Later","tag":${JSON.stringify(tag)},"payload":{"value":${deepest}}}`,
    units: 64,
  },
  {
    name: 'validated payload of 64 KiB of keys',
    build: tag => `{"action":"SayHello","tag":${JSON.stringify(tag)},"payload":${widest}}`,
    units: 64,
  },
  {
    name: 'call-route POST of 64 KiB',
    build: tag => padded('{"id":@@tag@@,"action":"call-route","uri":"/routes/echo","method":"post","input":{"big":"@@pad@@"}}', tag),
    units: 64 + 9,
  },
  { name: 'call-route GET', build: tag => `{"id":${JSON.stringify(tag)},"action":"call-route","uri":"/routes/greet/x"}`, units: 1 + 9 },
];
