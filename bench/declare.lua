-- wrk script: POST /api/v1/declarations, today's declaration of one
-- person sent again and again (each replaces the last: a write, the
-- colour recomputed).  TOKEN comes from the environment (bench/run.sh).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"name":"王小华","id_type":"resident_id","id_number":"11010519491231002X","temperature":36.5,"symptoms":[],"travel":[],"contact":false}'
