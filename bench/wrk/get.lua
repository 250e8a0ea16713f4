-- GET /scim/v2/Users/{id} over the loaded population: wrk -s get.lua URL -- ids.txt
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("@(.*/)") .. "?.lua"
local common = require("ids")
local ids

function init(args)
  ids = common.load(args[1])
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  return wrk.format("GET", "/scim/v2/Users/" .. ids[math.random(#ids)])
end
