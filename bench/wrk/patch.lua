-- PATCH /scim/v2/Users/{id}: replace title (RFC 7644 section 3.5.2.3) over the loaded population:
-- wrk -s patch.lua URL -- ids.txt
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("@(.*/)") .. "?.lua"
local common = require("ids")
local ids, headers
local n = 0

function init(args)
  ids = common.load(args[1])
  headers = common.headers({ ["Content-Type"] = "application/scim+json" })
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  n = n + 1
  local body = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":'
    .. '[{"op":"replace","path":"title","value":"Title ' .. n .. '"}]}'
  return wrk.format("PATCH", "/scim/v2/Users/" .. ids[math.random(#ids)], headers, body)
end
