-- wrk script: POST /api/v1/verify as a checker, each request another of
-- the code tokens in the file CODES (one a line), in turn.  CHECKER_TOKEN
-- and CODES come from the environment (bench/run.sh).
local codes = {}
for line in io.lines(os.getenv("CODES")) do
	codes[#codes + 1] = line
end
local n = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("CHECKER_TOKEN")

-- Threads start at different places in the list.
local threads = 0
function setup(thread)
	threads = threads + 1
	thread:set("start", threads * 97)
end

function init(args)
	n = start or 0
end

function request()
	n = n % #codes + 1
	return wrk.format(nil, nil, nil,
	    '{"token":"' .. codes[n] .. '","place":"bench gate 1"}')
end
