/**
 * Publishes one message on a topic, atomically with its backlog entry:
 * takes the topic's next offset, appends the message to the topic's stream
 * (trimmed to about `size` entries, with id `0-<offset>`), refreshes the keys'
 * expiry (the backlog's `ttl`; the position's, which outlives it so that
 * clients can resume from it), and publishes. A topic whose epoch key is gone (expired, or Redis
 * lost its data) starts a new epoch from offset 1, so receivers can tell a
 * reset from a gap.
 *
 * Before that, it drops repeats of the message's push id (nothing is
 * published, and 0 is returned):
 * - a caller's id (`id ttl` > 0): its key is SET NX for `id ttl` ms, so the
 *   same id on the same topic is published once within the window, whichever
 *   instance sends it and however often;
 * - a retry of a message whose first attempt may have run (`scan` > 0): the
 *   last `scan` entries of the backlog are searched for its id.
 *
 * KEYS: seq, epoch, log, pub/sub channel (declared so a cluster routes the
 *       script to the channel's shard), id key
 * ARGV: origin, kind, body, new epoch id, backlog size, ttl ms,
 *       publish command (PUBLISH or SPUBLISH), push id, id ttl ms, scan,
 *       position ttl ms
 * Returns the offset, or 0 for a repeat.
 */
export const FANOUT_SCRIPT = `
if ARGV[9] ~= '0' then
  if not redis.call('SET', KEYS[5], '1', 'NX', 'PX', ARGV[9]) then return 0 end
end
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  epoch = ARGV[4]
  redis.call('SET', KEYS[2], epoch)
  redis.call('DEL', KEYS[1], KEYS[3])
elseif ARGV[10] ~= '0' then
  local needle = '\\t' .. ARGV[8] .. '\\n'
  for _, entry in ipairs(redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', ARGV[10])) do
    local message = entry[2][2]
    local stop = string.find(message, '\\n', 1, true)
    if stop and string.find(string.sub(message, 1, stop), needle, 1, true) then return 0 end
  end
end
local offset = redis.call('INCR', KEYS[1])
local message = 'RT1\\t' .. epoch .. '\\t' .. offset .. '\\t' .. ARGV[1] .. '\\t' .. ARGV[2] .. '\\t' .. ARGV[8] .. '\\n' .. ARGV[3]
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '0-' .. offset, 'm', message)
redis.call('PEXPIRE', KEYS[1], ARGV[11])
redis.call('PEXPIRE', KEYS[2], ARGV[11])
redis.call('PEXPIRE', KEYS[3], ARGV[6])
redis.call(ARGV[7], KEYS[4], message)
return offset
`;
