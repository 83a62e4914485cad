-- POST /api/v1/logs/batch: BENCH_BATCH_SIZE (default 200) new logs per request, fresh UUIDs;
-- run with BENCH_COUNT_CREATED=1 so that only items the server answered "created" count.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local size = tonumber(os.getenv("BENCH_BATCH_SIZE") or "200") or 200

function request()
   local logs = {}
   for i = 1, size do logs[i] = log_json() end
   return wrk.format("POST", nil, nil, '{"logs":[' .. table.concat(logs, ",") .. ']}')
end
