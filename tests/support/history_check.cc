#include "tests/support/history_check.h"

#include <algorithm>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

namespace sb::testing {
namespace {

using json = nlohmann::json;

bool terminal(const std::string& status) { return status == "solved" || status == "closed"; }

struct Held {
  std::optional<std::int64_t> holder;
  std::string status = "new";
  std::string channel;
};

class Replay {
 public:
  explicit Replay(const std::vector<Agent>& agents) {
    for (const Agent& a : agents) agents_[a.id.value] = &a;
  }

  void run(const std::vector<Event>& events, HistoryStats& stats) {
    std::int64_t expected = 1;
    for (const Event& e : events) {
      if (e.seq != expected) problem("event " + std::to_string(e.seq) + " follows " + std::to_string(expected - 1));
      expected = e.seq + 1;
      const json doc = json::parse(e.data, nullptr, false);
      const json& d = doc.is_object() && doc.contains("data") ? doc["data"] : json::object();
      apply(e, d, stats);
    }
  }

  void end(const std::vector<Ticket>& stored, HistoryStats& stats) {
    std::map<std::pair<std::int64_t, std::string>, int> load;
    for (const Ticket& t : stored) {
      const std::string id = "ticket " + std::to_string(t.id.value);
      const auto it = tickets_.find(t.id.value);
      if (it == tickets_.end()) {
        problem(id + " has no ticket.created event");
        continue;
      }
      const std::optional<std::int64_t> assignee = t.assignee ? std::optional(t.assignee->value) : std::nullopt;
      if (it->second.holder != assignee) problem(id + ": the history and the store disagree on its agent");
      if (std::string(to_string(t.status)) != it->second.status) problem(id + ": the history and the store disagree on its status");
      if (t.assignee && !is_terminal(t.status)) ++load[{t.assignee->value, std::string(to_string(t.channel))}];
    }
    for (const Ticket& t : stored) {
      if (t.assignee || is_terminal(t.status)) continue;
      ++stats.waiting;
      const std::string channel(to_string(t.channel));
      for (const auto& [id, a] : agents_) {
        const bool in_team = t.team && std::find(a->teams.begin(), a->teams.end(), *t.team) != a->teams.end();
        if (a->presence == Presence::kOnline && in_team && capacity(id, channel) - load[{id, channel}] > 0) {
          problem("ticket " + std::to_string(t.id.value) + " waits while " + a->name + " is online with room");
        }
      }
    }
  }

  std::vector<std::string> problems;

 private:
  void problem(std::string p) {
    if (problems.size() < 50) problems.push_back(std::move(p));
  }

  int capacity(std::int64_t agent, const std::string& channel) const {
    const auto a = agents_.find(agent);
    auto c = parse_enum<Channel>(channel, "channel");
    if (a == agents_.end() || !c) return 0;
    return a->second->capacity[static_cast<std::size_t>(*c)];
  }

  void take(std::int64_t agent, const Held& t, const std::string& where) {
    const int n = ++load_[{agent, t.channel}];
    if (n > capacity(agent, t.channel)) {
      problem(where + "agent " + std::to_string(agent) + " holds " + std::to_string(n) + " " + t.channel +
              " tickets, capacity " + std::to_string(capacity(agent, t.channel)));
    }
  }
  void drop(std::int64_t agent, const Held& t) { --load_[{agent, t.channel}]; }

  void apply(const Event& e, const json& d, HistoryStats& stats) {
    const std::int64_t id = e.ticket.value;
    const std::string where = "event " + std::to_string(e.seq) + " (ticket " + std::to_string(id) + "): ";
    if (e.type == EventType::kTicketCreated) {
      if (tickets_.count(id)) problem(where + "created twice");
      tickets_[id].channel = d.contains("ticket") ? d["ticket"].value("channel", "") : "";
      return;
    }
    const auto it = tickets_.find(id);
    if (it == tickets_.end()) {
      problem(where + std::string(to_string(e.type)) + " before ticket.created");
      return;
    }
    Held& t = it->second;
    if (e.type == EventType::kTicketAssigned) {
      const std::int64_t agent = d.value("agent_id", std::int64_t{0});
      if (d.value("how", "") == "accepted") {
        if (t.holder != agent) problem(where + "accepted by an agent that does not hold it");
        return;
      }
      ++stats.assignments;
      if (t.holder) problem(where + "assigned to " + std::to_string(agent) + " while held by " + std::to_string(*t.holder));
      if (t.holder && !terminal(t.status)) drop(*t.holder, t);
      t.holder = agent;
      if (!terminal(t.status)) take(agent, t, where);
    } else if (e.type == EventType::kTicketUnassigned) {
      ++stats.unassignments;
      const std::int64_t agent = d.value("agent_id", std::int64_t{0});
      if (t.holder != agent) problem(where + "unassigned from " + std::to_string(agent) + ", who did not hold it");
      if (t.holder && !terminal(t.status)) drop(*t.holder, t);
      t.holder.reset();
    } else if (e.type == EventType::kTicketStatusChanged) {
      const std::string from = d.value("from", ""), to = d.value("to", "");
      if (from != t.status) problem(where + "status from " + from + " but the history has it " + t.status);
      if (t.holder && !terminal(t.status) && terminal(to)) drop(*t.holder, t);
      if (t.holder && terminal(t.status) && !terminal(to)) take(*t.holder, t, where);
      t.status = to;
    }
  }

  std::map<std::int64_t, const Agent*> agents_;
  std::map<std::int64_t, Held> tickets_;
  std::map<std::pair<std::int64_t, std::string>, int> load_;  // (agent, channel) -> tickets held open
};

}  // namespace

std::vector<std::string> check_history(const std::vector<Event>& events, const std::vector<Agent>& agents,
                                       const std::vector<Ticket>& stored, HistoryStats* stats) {
  HistoryStats local;
  HistoryStats& s = stats ? *stats : local;
  Replay replay(agents);
  replay.run(events, s);
  replay.end(stored, s);
  return replay.problems;
}

Result<StoreHistory> read_history(Store& store) {
  StoreHistory h;
  for (std::int64_t after = 0;;) {
    auto page = store.list_events(after, 1000);
    if (!page) return page.error();
    if (page->empty()) break;
    after = page->back().seq;
    h.events.insert(h.events.end(), page->begin(), page->end());
  }
  auto agents = store.list_agents();
  if (!agents) return agents.error();
  h.agents = std::move(*agents);
  TicketQuery q;
  q.limit = 500;
  for (;;) {
    auto page = store.list_tickets(q);
    if (!page) return page.error();
    h.tickets.insert(h.tickets.end(), page->tickets.begin(), page->tickets.end());
    if (!page->more || page->tickets.empty()) break;
    q.after = page->tickets.back().id.value;
  }
  return h;
}

}  // namespace sb::testing
