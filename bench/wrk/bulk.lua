-- POST /scim/v2/Bulk creating 100 users per request (RFC 7644 section 3.7), every userName new:
-- wrk -s bulk.lua URL
local headers
local thread_tag
local n = 0
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tag", "w" .. counter)
end

function init(args)
  headers = {}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  headers["Content-Type"] = "application/scim+json"
  thread_tag = tag .. "-" .. os.time()
end

function request()
  n = n + 1
  local ops = {}
  for k = 1, 100 do
    local name = thread_tag .. "-" .. n .. "-" .. k
    ops[k] = '{"method":"POST","path":"/Users","bulkId":"b' .. k .. '","data":{"schemas":'
      .. '["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"' .. name .. '@bulk.test",'
      .. '"externalId":"' .. name .. '","name":{"givenName":"Bulk","familyName":"User' .. k .. '"},'
      .. '"emails":[{"type":"work","primary":true,"value":"' .. name .. '@bulk.test"}],"active":true}}'
  end
  local body = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":['
    .. table.concat(ops, ",") .. ']}'
  return wrk.format("POST", "/scim/v2/Bulk", headers, body)
end
