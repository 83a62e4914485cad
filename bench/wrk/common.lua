-- Shared by every bench script (loaded with dofile): counters per thread, the done() hook that
-- prints one JSON line for bench/wrk_runner.py, and helpers to build valid SATGAS logs.
--
-- Environment (read in each thread):
--   BENCH_SEED        distinct per run, so two runs never generate the same UUIDs
--   BENCH_MAX_PER_THREAD  stop a thread after this many responses (cold bursts); 0 = no limit
--   BENCH_COUNT_CREATED   1: count '"status":"created"' items in each response body (batches)

local threads = {}
local next_id = 0

function setup(thread)
   next_id = next_id + 1
   thread:set("thread_id", next_id)
   table.insert(threads, thread)
end

ok, non2xx, created, responses = 0, 0, 0, 0
local max_per_thread = tonumber(os.getenv("BENCH_MAX_PER_THREAD") or "0") or 0
local count_created = os.getenv("BENCH_COUNT_CREATED") == "1"

function init(args)
   local seed = tonumber(os.getenv("BENCH_SEED") or "0") or 0
   math.randomseed(seed * 1009 + (thread_id or 0) * 7919 + math.floor(os.clock() * 1e6))
   for _ = 1, 10 do math.random() end
   if init_script then init_script(args) end
end

function response(status, headers, body)
   responses = responses + 1
   if status >= 200 and status < 300 then
      ok = ok + 1
      if count_created and body then
         local _, n = string.gsub(body, '"status"%s*:%s*"created"', "")
         created = created + n
      end
   else
      non2xx = non2xx + 1
      if non2xx <= 3 then
         io.stderr:write(string.format("wrk: HTTP %d: %s\n", status, string.sub(body or "", 1, 300)))
      end
   end
   if max_per_thread > 0 and responses >= max_per_thread then
      wrk.thread:stop()
   end
end

function done(summary, latency, requests)
   local t_ok, t_non2xx, t_created = 0, 0, 0
   for _, thread in ipairs(threads) do
      t_ok = t_ok + (thread:get("ok") or 0)
      t_non2xx = t_non2xx + (thread:get("non2xx") or 0)
      t_created = t_created + (thread:get("created") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"duration_us":%d,"requests":%d,"ok":%d,"non2xx":%d,"created":%d,' ..
      '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,"bytes":%d,' ..
      '"latency_us":{"mean":%.1f,"max":%d,"p50":%d,"p90":%d,"p95":%d,"p99":%d}}\n',
      summary.duration, summary.requests, t_ok, t_non2xx, t_created,
      e.connect, e.read, e.write, e.timeout, summary.bytes,
      latency.mean, latency.max, latency:percentile(50), latency:percentile(90),
      latency:percentile(95), latency:percentile(99)))
end

-- Helpers for request bodies ---------------------------------------------------------------

function uuid4()
   local b = {}
   for i = 1, 16 do b[i] = math.random(0, 255) end
   b[7] = bit.bor(bit.band(b[7], 0x0f), 0x40)
   b[9] = bit.bor(bit.band(b[9], 0x3f), 0x80)
   return string.format("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", unpack(b))
end

-- Points well inside Kota Malang (Klojen, Lowokwaru, Blimbing, Sukun, Kedungkandang).
local spots = {{112.6326, -7.9771}, {112.6145, -7.9525}, {112.6585, -7.9330}, {112.6150, -7.9950},
               {112.6500, -7.9900}}
local activities = {"drain_cleaning", "culvert_cleaning", "channel_normalisation", "waste_removal"}

local function wib(t)
   return os.date("!%Y-%m-%dT%H:%M:%S", t + 7 * 3600) .. "+07:00"
end

-- The fields of a work log as a table of JSON fragments; started 1–72 h ago, one hour long.
function log_fields()
   local spot = spots[math.random(#spots)]
   local lon = spot[1] + (math.random() - 0.5) * 8e-4
   local lat = spot[2] + (math.random() - 0.5) * 8e-4
   local started = os.time() - math.random(3600, 72 * 3600)
   return {
      id = uuid4(),
      activity = activities[math.random(#activities)],
      started_at = wib(started),
      finished_at = wib(started + 3600),
      point = string.format('{"type":"Point","coordinates":[%.6f,%.6f]}', lon, lat),
      length_m = math.random(50, 800) / 10,
      sediment_m3 = math.random(0, 300) / 100,
      waste_kg = math.random(0, 1200) / 10,
      workers = math.random(2, 8),
   }
end

-- A log as the SATGAS API takes it.
function log_json()
   local f = log_fields()
   return string.format(
      '{"id":"%s","activity":"%s","started_at":"%s","finished_at":"%s","geometry":%s,' ..
      '"length_m":%.1f,"sediment_m3":%.2f,"waste_kg":%.1f,"workers":%d}',
      f.id, f.activity, f.started_at, f.finished_at, f.point, f.length_m, f.sediment_m3, f.waste_kg, f.workers)
end

-- The same log as an OGC API - Features item (GeoJSON Feature) for the pygeoapi peer.
function feature_json()
   local f = log_fields()
   return string.format(
      '{"type":"Feature","id":"%s","geometry":%s,"properties":{"activity":"%s","started_at":"%s",' ..
      '"finished_at":"%s","length_m":%.1f,"sediment_m3":%.2f,"waste_kg":%.1f,"workers":%d}}',
      f.id, f.point, f.activity, f.started_at, f.finished_at, f.length_m, f.sediment_m3, f.waste_kg, f.workers)
end
