/** The default `maxMessageSize`: the largest frame a client may send. */
export const MAX_MESSAGE_SIZE = 64 * 1024;

/**
 * A frame that asks the fixture app for as much work as the default limits
 * allow one frame: the largest size (64 KiB), the most keys
 * (`maxKeysPerFrame`, 100), the deepest nesting (`maxDepth`, 16), the most
 * elements (`maxElements`, 1,000), or the most replies (an `Unsubscribe` of
 * 100 held channels).
 */
export interface WorstFrame {
  name: string;
  /** The frame's text, answered with `tag` (Myxi style) or `tag` as its Ring id. */
  build(tag: string): string;
  /** What the rate charges for it before its work is measured (protocol section 7). */
  units: number;
}

/** Pads a frame to just under `MAX_MESSAGE_SIZE` bytes with a `pad` string where `@@pad@@` stands. */
function padded(template: string, tag: string): string {
  const text = template.replace('@@tag@@', JSON.stringify(tag));
  return text.replace('@@pad@@', 'p'.repeat(MAX_MESSAGE_SIZE - Buffer.byteLength(text) + '@@pad@@'.length - 8));
}

const keys = JSON.stringify(Array.from({ length: 100 }, (_, n) => `k${n}`));
/**
 * 16 levels deep (the frame's object being the first) around one string of
 * escaped lone surrogates as long as fits in 64 KiB: of everything a 64 KiB
 * frame within the limits may hold, what costs most to parse and to encode
 * again (some 0.3 ms and 1.6 ms; a flat string, 0.05 ms and 0.4 ms).
 */
const deepest = (value: (text: string) => string) => {
  const around = (inner: string) => `${'['.repeat(14)}${inner}${']'.repeat(14)}`;
  const frame = (escapes: number) => value(around(`"${'\\ud800'.repeat(escapes)}"`));
  const overhead = Buffer.byteLength(frame(0)) + 200;
  return frame(Math.floor((MAX_MESSAGE_SIZE - overhead) / 6));
};
/** An object of as many short keys as `maxElements` (1,000) allows: the frame, its 3 keys, the payload, `name`, `times`, and these. */
const widest = `{"name":"n","times":1,${Array.from({ length: 1000 - 7 }, (_, n) => `"k${n}":${n}`).join(',')}}`;

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
    name: 'echo of 64 KiB nested 16 deep, escaped lone surrogates',
    build: tag => deepest(value => `{"action":"Later","tag":${JSON.stringify(tag)},"payload":{"value":${value}}}`),
    units: 64,
  },
  {
    name: 'validated payload of 1,000 elements (993 keys)',
    build: tag => `{"action":"SayHello","tag":${JSON.stringify(tag)},"payload":${widest}}`,
    units: Math.ceil(Buffer.byteLength(`{"action":"SayHello","tag":"h99999","payload":${widest}}`) / 1024),
  },
  {
    name: 'call-route POST of 64 KiB',
    build: tag => padded('{"id":@@tag@@,"action":"call-route","uri":"/routes/echo","method":"post","input":{"big":"@@pad@@"}}', tag),
    units: 64 + 9,
  },
  { name: 'call-route GET', build: tag => `{"id":${JSON.stringify(tag)},"action":"call-route","uri":"/routes/greet/x"}`, units: 1 + 9 },
];
