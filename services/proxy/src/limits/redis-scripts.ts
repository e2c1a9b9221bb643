/**
 * The cluster-wide limit scripts (Redis Lua, atomic). Windows are the standalone limiter's: 61
 * one-second slots (a hash field per second), so an event counts for 60-61 s and never more than the
 * limit is admitted in any 60 s; time is Redis' own (`TIME`), so replicas' clocks do not matter.
 */

/**
 * admit: KEYS = rpm hash, tpm hash, spend string; ARGV = rpm limit (0: none), tpm limit (0: none),
 * budget USD (-1: none), reservation USD, spend seed USD (the control plane's figure, used when the
 * spend key does not exist yet). Returns {0} (admitted, counted, reserved) or {kind, used, limit, ms}
 * with kind 1 rpm, 2 tpm, 3 budget; `used`/`limit` as strings (Lua numbers become integers).
 */
export const ADMIT_LUA = `
local t = redis.call('TIME')
local sec = tonumber(t[1])
local ms = sec * 1000 + math.floor(tonumber(t[2]) / 1000)
local rpm, tpm, budget, reserve = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local function window(key, limit)
  local all = redis.call('HGETALL', key)
  local sum, slots = 0, {}
  for i = 1, #all, 2 do
    local s = tonumber(all[i])
    if s < sec - 60 then
      redis.call('HDEL', key, all[i])
    else
      local n = tonumber(all[i + 1])
      sum = sum + n
      slots[#slots + 1] = { s, n }
    end
  end
  if sum < limit then return sum, 0 end
  table.sort(slots, function(a, b) return a[1] < b[1] end)
  local left = sum
  for _, sl in ipairs(slots) do
    left = left - sl[2]
    if left < limit then return sum, (sl[1] + 61) * 1000 - ms end
  end
  return sum, 61000
end
if budget >= 0 then
  local spent = tonumber(redis.call('GET', KEYS[3]) or ARGV[5])
  if spent >= budget then return { 3, tostring(spent), tostring(budget), 0 } end
end
if rpm > 0 then
  local used, wait = window(KEYS[1], rpm)
  if wait > 0 then return { 1, tostring(used), tostring(rpm), wait } end
end
if tpm > 0 then
  local used, wait = window(KEYS[2], tpm)
  if wait > 0 then return { 2, tostring(used), tostring(tpm), wait } end
end
if rpm > 0 then
  redis.call('HINCRBY', KEYS[1], sec, 1)
  redis.call('EXPIRE', KEYS[1], 62)
end
if budget >= 0 then
  if redis.call('EXISTS', KEYS[3]) == 0 then redis.call('SET', KEYS[3], ARGV[5]) end
  if reserve > 0 then redis.call('INCRBYFLOAT', KEYS[3], ARGV[4]) end
  redis.call('EXPIRE', KEYS[3], 604800)
end
return { 0 }
`;

/**
 * settle: KEYS = tpm hash, spend string; ARGV = tokens (integer), spend delta USD (real cost minus the
 * reservation: usually negative). The spend key is only adjusted if it exists (a vanished key is seeded
 * again from the control plane's figure, which already holds settled spend).
 */
export const SETTLE_LUA = `
local sec = tonumber(redis.call('TIME')[1])
local tokens = tonumber(ARGV[1])
if tokens > 0 then
  redis.call('HINCRBY', KEYS[1], sec, tokens)
  redis.call('EXPIRE', KEYS[1], 62)
end
if tonumber(ARGV[2]) ~= 0 and redis.call('EXISTS', KEYS[2]) == 1 then redis.call('INCRBYFLOAT', KEYS[2], ARGV[2]) end
return 0
`;
