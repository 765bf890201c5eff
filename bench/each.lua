-- wrk script: each request another line of the file FROM, in turn, the
-- threads starting at different places.  The first word of a line is a
-- token; the sample file (bench/gen.c) has the person's name and ID
-- number after it.  All from the environment (bench/run.sh):
--   AS=session   a GET of the URL's path with the token as Authorization
--   AS=code      the token is a code, POSTed as {"token","place"} the way
--                a checkpoint verifies it, as the checker CHECKER_TOKEN
--   AS=declare   the person's own declaration of today, POSTed with the
--                name and ID number (each replaces the day's last)
--   AS=checkin   a check-in, at the venues of the file VENUES in turn
local function words(file)
	local t = {}
	for line in io.lines(file) do
		local w = {}
		for x in line:gmatch("%S+") do
			w[#w + 1] = x
		end
		t[#t + 1] = w
	end
	return t
end

local lines = words(os.getenv("FROM"))
local as = os.getenv("AS") or "session"
local venues = as == "checkin" and words(os.getenv("VENUES")) or nil
local n, v = 0, 0

if as ~= "session" then
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/json"
end
if as == "code" then
	wrk.headers["Authorization"] = "Bearer " .. os.getenv("CHECKER_TOKEN")
end

local threads = 0
function setup(thread)
	threads = threads + 1
	thread:set("start", threads * 97)
end

function init(args)
	n = start or 0
	v = n
end

function request()
	n = n % #lines + 1
	local w = lines[n]
	if as == "code" then
		return wrk.format(nil, nil, nil,
		    '{"token":"' .. w[1] .. '","place":"bench gate 1"}')
	end
	wrk.headers["Authorization"] = "Bearer " .. w[1]
	if as == "declare" then
		return wrk.format(nil, nil, nil, '{"name":"' .. w[2] ..
		    '","id_type":"resident_id","id_number":"' .. w[3] ..
		    '","temperature":36.5,"symptoms":[],"travel":[],' ..
		    '"contact":false}')
	elseif as == "checkin" then
		v = v % #venues + 1
		return wrk.format(nil, nil, nil,
		    '{"venue_token":"' .. venues[v][1] .. '"}')
	end
	return wrk.format()
end
