-- GET the URL given to wrk (headers from -H), counting only 2xx answers as done.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
