-- Shared by the scripts below: the user ids of the loaded population, one per line in the file named by the
-- first script argument (wrk ... -s get.lua URL -- ids.txt), and the indexes of their userNames.
local M = {}

function M.load(path)
  local ids = {}
  for line in io.lines(path) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  return ids
end

-- wrk.format with the command line's headers kept (a script that passes its own header table would drop
-- -H "Authorization: ..." otherwise).
function M.headers(extra)
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

return M
