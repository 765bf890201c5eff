-- wrk script: POST /api/v1/verify with one code token, as a checker.
-- CHECKER_TOKEN and CODE_TOKEN come from the environment (bench/run.sh).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("CHECKER_TOKEN")
wrk.body = '{"token":"' .. os.getenv("CODE_TOKEN") .. '","place":"bench gate 1"}'
