-- wrk script: POST /api/v1/declarations, today's declaration of one
-- person sent again and again (each replaces the last: a write, the
-- colour recomputed).  TOKEN comes from the environment (bench/run.sh):
-- the first of its people, who declared with this passport.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"name":"Bench Person","id_type":"passport","id_number":"E0000001","nationality":"USA","temperature":36.5,"symptoms":[],"travel":[],"contact":false}'
