// The Lua scripts the Redis stores run, each one round trip on Redis's own clock, and their SHA-1s
// for EVALSHA. Node only (node:crypto), like every file of fetchline-http/redis.
import { createHash } from 'node:crypto'
import { CUBIC } from '../features/stores.js'

// Deletes KEYS[1] only while it holds ARGV[1]: a lock's owner releases only its own lock, and a
// rejected token is dropped only if nobody stored a newer one meanwhile.
const COMPARE_AND_DELETE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`

// Sliding window log on a sorted set, on Redis's clock (so the instances' clocks do not matter):
// drop entries older than the window; if fewer than the limit remain, add this call and answer 0,
// otherwise answer the ms until the oldest entry leaves the window.
const SLIDING_WINDOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - interval)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], interval)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = tonumber(oldest[2]) + interval - now
if wait < 1 then wait = 1 end
return wait`

// The breaker's state and its news in one round trip: the key is written before anyone hears the
// news, so an instance that reads it on hearing it finds it.
const OPEN_AND_PUBLISH = `redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return redis.call('PUBLISH', ARGV[3], ARGV[4])`
const CLOSE_AND_PUBLISH = `redis.call('DEL', KEYS[1]) return redis.call('PUBLISH', ARGV[1], ARGV[2])`

// GCRA (and the adaptive rate) in one hash per key, on Redis's clock: `tat` is when the next slot
// is due; `wmax` and `cut` (present once the vendor throttled) give the CUBIC rate, as
// `cubicRate` in src/features/stores.ts. Redis 7 replicates a script's effects, so TIME may precede writes
// without redis.replicate_commands() (needed before 5.0 only).
const CUBIC_LUA = `
local function rateNow(rate, interval, wmax, start, cut, now)
  if not wmax then return rate end
  local c = rate * ${CUBIC.scale}
  local k = ((wmax - start) / c) ^ (1 / 3)
  local d = (now - cut) / interval - k
  local r = c * d * d * d + wmax
  if r > rate then r = rate end
  if r < 1 then r = 1 end
  return r, c, k
end
-- How long the key must outlive now: past the last reserved slot, and past full recovery.
local function keep(rate, interval, tat, wmax, cut, now, c, k)
  local ms = tat - now + interval
  if wmax and wmax < rate then
    local full = cut + (k + ((rate - wmax) / c) ^ (1 / 3)) * interval - now + interval
    if full > ms then ms = full end
  end
  return math.max(1, math.ceil(ms))
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local rate, interval = tonumber(ARGV[1]), tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[1], 'tat', 'wmax', 'start', 'cut')
local tat, wmax, start, cut = tonumber(s[1]) or now, tonumber(s[2]), tonumber(s[3]), tonumber(s[4])
local current, c, k = rateNow(rate, interval, wmax, start, cut, now)
`

// Reserves the next slot unless it is more than maxWait away: { taken, wait ms, Redis now in ms }.
const GCRA_RESERVE = `${CUBIC_LUA}
local burst, maxWait = tonumber(ARGV[3]), tonumber(ARGV[4])
local spacing = interval / current
if tat < now then tat = now end
local wait = tat - (burst - 1) * spacing - now
if wait < 0 then wait = 0 end
if wait > maxWait then return {0, string.format('%.3f', wait), string.format('%.3f', now)} end
tat = tat + spacing
redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', tat))
redis.call('PEXPIRE', KEYS[1], keep(rate, interval, tat, wmax, cut, now, c, k))
return {1, string.format('%.3f', wait), string.format('%.3f', now)}`

// The vendor throttled a call reserved at ARGV[3]: cut the rate, once per cut (calls reserved
// before the last cut went out at the old rate, their 429s are no news).
const GCRA_THROTTLED = `${CUBIC_LUA}
if cut and tonumber(ARGV[3]) < cut then return 0 end
local cutAt = string.format('%.3f', now)
local w = current * ${CUBIC.margin}
if wmax and current < wmax then w = w * ${(1 + CUBIC.beta) / 2} end
local s2 = current * ${CUBIC.beta}
redis.call('HSET', KEYS[1], 'wmax', string.format('%.3f', w), 'start', string.format('%.3f', s2), 'cut', cutAt)
local c2 = rate * ${CUBIC.scale}
local k2 = ((w - s2) / c2) ^ (1 / 3)
redis.call('PEXPIRE', KEYS[1], keep(rate, interval, tat, w, now, now, c2, k2))
return 1`

// cache(): one hash per resource, one field per credential identity. Redis 7.0 has no per-field
// TTL (HPEXPIRE is 7.4), so the hash lives as long as its longest-lived field: HSET, then PEXPIRE
// only when this field outlives what is left of the key (PTTL is -1 on a new hash).
const CACHE_SET = `redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local ttl = tonumber(ARGV[3])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1`

// Drops field ARGV[1] only while its value's own expiry ({"e":<epoch ms>,…}) is at or before
// ARGV[2]: a fresh value another instance wrote after this one read the expired one stays.
const CACHE_DROP_EXPIRED = `local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
local e = tonumber(string.match(v, '^{"e":(%d+)'))
if e and e <= tonumber(ARGV[2]) then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0`

export type Script = { source: string; sha: string }
const script = (source: string): Script => ({ source, sha: createHash('sha1').update(source).digest('hex') })
export const SCRIPTS = {
  compareAndDelete: script(COMPARE_AND_DELETE),
  slidingWindow: script(SLIDING_WINDOW),
  openAndPublish: script(OPEN_AND_PUBLISH),
  closeAndPublish: script(CLOSE_AND_PUBLISH),
  gcraReserve: script(GCRA_RESERVE),
  gcraThrottled: script(GCRA_THROTTLED),
  cacheSet: script(CACHE_SET),
  cacheDropExpired: script(CACHE_DROP_EXPIRED),
}
