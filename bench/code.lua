-- wrk script: GET the URL's path as each of the signed-in people in the
-- file SESSIONS (one session token a line), in turn.  SESSIONS comes from
-- the environment (bench/run.sh).
local sessions = {}
for line in io.lines(os.getenv("SESSIONS")) do
	sessions[#sessions + 1] = line
end
local n = 0

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
	n = n % #sessions + 1
	wrk.headers["Authorization"] = "Bearer " .. sessions[n]
	return wrk.format()
end
