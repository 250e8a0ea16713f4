-- GET /scim/v2/Users?filter=userName eq "..." over a population loaded by
-- `scimlab load --scenario bulk-merge --run-id bench --keep` (userNames bench.u000000@load.scimlab.test ...):
-- wrk -s filter_username.lua URL -- USERS
local users

function init(args)
  users = tonumber(args[1] or "10000")
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  local name = string.format("bench.u%06d%%40load.scimlab.test", math.random(0, users - 1))
  return wrk.format("GET", "/scim/v2/Users?filter=userName%20eq%20%22" .. name .. "%22")
end
