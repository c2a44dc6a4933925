/**
 * Publishes one message on a topic, atomically with its backlog entry:
 * takes the topic's next offset, appends the message to the topic's stream
 * (trimmed to about `size` entries, with id `0-<offset>`), refreshes the keys'
 * expiry, and publishes. A topic whose epoch key is gone (expired, or Redis
 * lost its data) starts a new epoch from offset 1, so receivers can tell a
 * reset from a gap.
 *
 * KEYS: seq, epoch, log, pub/sub channel (declared so a cluster routes the
 *       script to the channel's shard)
 * ARGV: origin, kind, body, new epoch id, backlog size, ttl ms,
 *       publish command (PUBLISH or SPUBLISH)
 * Returns the offset.
 */
export const FANOUT_SCRIPT = `
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  epoch = ARGV[4]
  redis.call('SET', KEYS[2], epoch)
  redis.call('DEL', KEYS[1], KEYS[3])
end
local offset = redis.call('INCR', KEYS[1])
local message = 'RT1\\t' .. epoch .. '\\t' .. offset .. '\\t' .. ARGV[1] .. '\\t' .. ARGV[2] .. '\\n' .. ARGV[3]
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '0-' .. offset, 'm', message)
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
redis.call('PEXPIRE', KEYS[3], ARGV[6])
redis.call(ARGV[7], KEYS[4], message)
return offset
`;
