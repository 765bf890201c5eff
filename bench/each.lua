-- wrk script: each request another line of the file FROM, in turn, the
-- threads starting at different places.  AS=session: the line is a
-- session token, sent as the Authorization of a GET of the URL's path.
-- AS=code: the line is a code token, POSTed as {"token","place"} the way
-- a checkpoint verifies it, as the checker CHECKER_TOKEN.  All from the
-- environment (bench/run.sh).
local lines = {}
for line in io.lines(os.getenv("FROM")) do
	lines[#lines + 1] = line
end
local as_code = os.getenv("AS") == "code"
local n = 0

if as_code then
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/json"
	wrk.headers["Authorization"] = "Bearer " .. os.getenv("CHECKER_TOKEN")
end

local threads = 0
function setup(thread)
	threads = threads + 1
	thread:set("start", threads * 97)
end

function init(args)
	n = start or 0
end

function request()
	n = n % #lines + 1
	if as_code then
		return wrk.format(nil, nil, nil,
		    '{"token":"' .. lines[n] .. '","place":"bench gate 1"}')
	end
	wrk.headers["Authorization"] = "Bearer " .. lines[n]
	return wrk.format()
end
