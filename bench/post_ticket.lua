-- wrk script: POST /api/v1/tickets with a realistic body; counts statuses.
-- The token comes from the environment (SWITCHBOARD_TOKEN).
local token = os.getenv("SWITCHBOARD_TOKEN")
local counter = 0
local channels = {"email", "email", "email", "web", "chat", "phone"}

-- Several nodes (SWITCHBOARD_NODES=host:port,host:port,...): each wrk thread
-- sends to one of them in turn, so every node takes its share of requests.
local nodes = os.getenv("SWITCHBOARD_NODES")
if nodes and nodes ~= "" then
  local addrs = {}
  for hostport in string.gmatch(nodes, "[^,]+") do
    local host, port = string.match(hostport, "([^:]+):(%d+)")
    addrs[#addrs + 1] = wrk.lookup(host, port)[1]
  end
  local threads = 0
  setup = function(thread)
    threads = threads + 1
    thread.addr = addrs[(threads - 1) % #addrs + 1]
  end
end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"subject":"printer on floor %d offline","body":"the printer does not answer since this morning, ' ..
    'please help","channel":"%s","team":"Service Desk","priority":"normal",' ..
    '"requester":{"email":"user%d@example.com","name":"User"},"required_skills":{"incident":1}}',
    counter % 9, channels[counter % #channels + 1], counter % 500)
  return wrk.format("POST", "/api/v1/tickets",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end

local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  io.write(string.format("durable creates/s: %.0f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency p50 %.2f ms, p99 %.2f ms\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
