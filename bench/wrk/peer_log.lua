-- POST /collections/logs/items on the pygeoapi peer: the same log as a GeoJSON Feature.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

function request()
   return wrk.format("POST", nil, nil, feature_json())
end
