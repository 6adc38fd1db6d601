-- The load mix of `manage.py bench`, for wrk (see bench/load.py): the same people and pages
-- as locustfile.py, sent by a load generator written in C, so that the generator does not take the
-- CPU the app is measured on.
--
-- Each connection is a person: after each answer it waits 100–500 ms (think time), then picks a task
-- by weight: the dashboard (leader, 3), the calendar (staff, 3), the activity form (staff, 2), recording
-- a done activity with three figures (staff: GET the form, then POST it; 1) and the roll-up API
-- (leader, 3). The configuration (sessions, codes, ids) comes from the file named by BENCH_WRK_CONFIG,
-- one `key=value` per line, lists separated by commas.
--
-- Right answers are a 200 (a page, the API) and a redirect away from the login page (a saved POST).
-- Anything else counts as an error, like a socket error or a timeout: a lost login, a server error,
-- or a form sent back with its fields marked invalid (wrk cannot tell which request an answer belongs
-- to, so a POST that did not save is recognised by the marks on the page it answers with).

local function read_config(path)
  local config = {}
  for line in io.lines(path) do
    local key, value = line:match("^([%w_]+)=(.*)$")
    if key then
      local items = {}
      for item in value:gmatch("[^,]+") do
        items[#items + 1] = item
      end
      config[key] = items
    end
  end
  return config
end

local config = read_config(os.getenv("BENCH_WRK_CONFIG"))
local threads = {}
local TASKS = { "dashboard", "dashboard", "dashboard", "calendar", "calendar", "calendar", "form", "form",
  "save", "api", "api", "api" }
local NAMES = { "dashboard", "calendar", "form", "post", "api" }

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

local pending = {}  -- requests owed after the one just sent (the POST after its form)
counts, bad, redirects = {}, 0, 0  -- globals: done() reads them from each thread
local saved = 0

local function pick(list)
  return list[math.random(#list)]
end

local function cookie(kind)
  local session = pick(config[kind .. "_sessions"])
  local csrf = config[kind .. "_csrf"][1]
  return "sessionid=" .. session .. "; csrftoken=" .. csrf
end

local function get(path, kind, name)
  counts[name] = counts[name] + 1
  return wrk.format("GET", path, { ["Cookie"] = cookie(kind) })
end

local function post_activity()
  saved = saved + 1
  local figures = {}
  local indicators = config.indicators
  for _ = 1, 3 do
    figures[#figures + 1] = "fig_" .. pick(indicators) .. "=" .. math.random(1, 30)
  end
  local body = table.concat({
    "csrfmiddlewaretoken=" .. config.staff_csrf[1],
    "type=" .. pick(config.type_ids),
    "title=" .. "load-" .. id .. "-" .. saved,
    "work_point=", "status=done", "planned_start=", "planned_end=", "planned_month=",
    "actual_start=" .. config.today[1] .. "T09%3A30",
    "actual_end=", "place=load", "organiser=", "description=",
    table.concat(figures, "&"),
  }, "&")
  counts.post = counts.post + 1
  return wrk.format("POST", "/activities/new/", {
    ["Cookie"] = cookie("staff"),
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end

function init(args)
  math.randomseed(os.time() + id * 7919)
  for _, name in ipairs(NAMES) do
    counts[name] = 0
  end
end

function delay()
  return math.random(tonumber(config.wait_ms[1]), tonumber(config.wait_ms[2]))
end

function request()
  if #pending > 0 then
    return table.remove(pending, 1)()
  end
  local task = pick(TASKS)
  if task == "dashboard" then
    return get("/reports/" .. pick(config.dashboard_codes) .. "/", "leader", "dashboard")
  elseif task == "calendar" then
    return get("/activities/calendar/", "staff", "calendar")
  elseif task == "form" then
    return get("/activities/new/", "staff", "form")
  elseif task == "save" then
    pending[#pending + 1] = post_activity
    return get("/activities/new/", "staff", "form")
  else
    return get("/api/v1/rollup/" .. pick(config.api_codes) .. "/" .. config.year[1] .. "/", "leader", "api")
  end
end

function response(status, headers, body)
  if status == 302 then
    local location = headers["Location"] or ""
    if location:find("/accounts/login/", 1, true) then
      bad = bad + 1
    else
      redirects = redirects + 1  -- a POST saved
    end
  elseif status ~= 200 or body:find("is-invalid", 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total_bad, saved_total, per_name = 0, 0, {}
  for _, thread in ipairs(threads) do
    total_bad = total_bad + (thread:get("bad") or 0)
    saved_total = saved_total + (thread:get("redirects") or 0)
    local thread_counts = thread:get("counts") or {}
    for _, name in ipairs(NAMES) do
      per_name[name] = (per_name[name] or 0) + (thread_counts[name] or 0)
    end
  end
  local errors = summary.errors
  local socket_errors = errors.connect + errors.read + errors.write + errors.timeout
  local parts = {}
  for _, name in ipairs(NAMES) do
    parts[#parts + 1] = string.format('"%s": %d', name, per_name[name])
  end
  io.write(string.format(
    'BENCH_WRK {"requests": %d, "duration_us": %d, "socket_errors": %d, "status_errors": %d, ' ..
    '"unexpected": %d, "saved": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.0f, ' ..
    '"per_name": {%s}}\n',
    summary.requests, summary.duration, socket_errors, errors.status, total_bad, saved_total,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    table.concat(parts, ", ")))
end
