-- POST /api/v1/logs: a new log with a fresh UUID on every request (never a replay).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

function request()
   return wrk.format("POST", nil, nil, log_json())
end
