// LEMON lives in this file alone (its headers clash with glib's MIN/MAX,
// which the e-mail code will bring in).
#include "routing/batch_optimal.h"

#include <lemon/list_graph.h>
#include <lemon/network_simplex.h>

#include <map>

namespace sb {

std::int64_t mismatch_cost(const AgentState& a, const TicketNeeds& needs, const BatchWeights& w) {
  std::int64_t surplus = 0;
  for (SkillLevel n : needs.skills) surplus += a.level(n.skill) - n.level;
  const std::int64_t unused = static_cast<std::int64_t>(a.skills.size()) - static_cast<std::int64_t>(needs.skills.size());
  return w.skill * (surplus + std::max<std::int64_t>(unused, 0));
}

ScoreParts BatchOptimal::score(const AgentState& a, const TicketNeeds& needs) const {
  ScoreParts parts = greedy_.score(a, needs);
  parts.emplace_back("mismatch_cost", static_cast<double>(mismatch_cost(a, needs)));
  return parts;
}

std::vector<BatchAssignment> assign_batch(const AgentPool& pool, const std::vector<BatchTicket>& tickets,
                                          const BatchWeights& w) {
  using Graph = lemon::ListDigraph;
  Graph g;
  Graph::ArcMap<std::int64_t> cap(g), cost(g);
  const Graph::Node source = g.addNode(), sink = g.addNode();
  auto arc = [&](Graph::Node from, Graph::Node to, std::int64_t capacity, std::int64_t c) {
    const Graph::Arc a = g.addArc(from, to);
    cap[a] = capacity;
    cost[a] = c;
    return a;
  };

  // One node per (agent, channel) with free slots that some ticket can use.
  std::map<std::pair<AgentId, Channel>, Graph::Node> slots;
  auto slot_node = [&](const AgentState& a, Channel c) {
    auto [it, inserted] = slots.try_emplace({a.id, c});
    if (inserted) {
      it->second = g.addNode();
      const auto i = static_cast<std::size_t>(c);
      for (int k = 0; k < a.capacity[i] - a.load[i]; ++k) {
        arc(it->second, sink, 1, w.load * (a.load[i] + k) * 100 / std::max(a.capacity[i], 1));
      }
    }
    return it->second;
  };

  struct Candidate {
    Graph::Arc arc;
    TicketId ticket;
    AgentId agent;
    int proficiency;
    std::int64_t cost;
  };
  std::vector<Candidate> candidates;
  std::int64_t max_cost = 0;
  std::vector<std::vector<std::pair<const AgentState*, std::int64_t>>> per_ticket(tickets.size());
  for (std::size_t t = 0; t < tickets.size(); ++t) {
    const TicketNeeds& needs = tickets[t].needs;
    const AgentPool::Bucket* walk = needs.skills.empty() ? pool.bucket(needs.team, needs.channel, kAnySkill) : nullptr;
    bool possible = true;
    for (SkillLevel n : needs.skills) {
      const AgentPool::Bucket* b = pool.bucket(needs.team, needs.channel, n.skill);
      if (!b) {
        possible = false;
        break;
      }
      if (!walk || b->size() < walk->size()) walk = b;
    }
    if (!possible || !walk) continue;
    const std::uint64_t mask = skill_mask(needs.skills);
    for (const AgentPool::Entry& e : *walk) {
      if (static_cast<int>(per_ticket[t].size()) >= w.candidates_per_ticket) break;
      if ((e.skill_mask & mask) != mask || !e.agent->meets(needs.skills) || needs.excludes(e.id)) continue;
      const std::int64_t c = mismatch_cost(*e.agent, needs, w);
      per_ticket[t].emplace_back(e.agent, c);
      max_cost = std::max(max_cost, c);
    }
  }
  // Leaving a ticket unassigned costs more than any assignment could.
  const std::int64_t unassigned_base = (max_cost + w.load * 200 + 1) * 4;
  for (std::size_t t = 0; t < tickets.size(); ++t) {
    const Graph::Node tn = g.addNode();
    arc(source, tn, 1, 0);
    const std::int64_t value = w.priority * static_cast<std::int64_t>(tickets[t].priority) +
                               w.wait_per_second * (tickets[t].waited.count() / 1000);
    arc(tn, sink, 1, unassigned_base + value);
    for (const auto& [agent, c] : per_ticket[t]) {
      const Graph::Arc a = arc(tn, slot_node(*agent, tickets[t].needs.channel), 1, c);
      candidates.push_back({a, tickets[t].id, agent->id, proficiency(*agent, tickets[t].needs), c});
    }
  }

  lemon::NetworkSimplex<Graph, std::int64_t, std::int64_t> solver(g);
  solver.upperMap(cap).costMap(cost).stSupply(source, sink, static_cast<std::int64_t>(tickets.size()));
  std::vector<BatchAssignment> out;
  if (solver.run() != lemon::NetworkSimplex<Graph, std::int64_t, std::int64_t>::OPTIMAL) return out;
  for (const Candidate& c : candidates) {
    if (solver.flow(c.arc) > 0) out.push_back({c.ticket, c.agent, c.proficiency, c.cost});
  }
  return out;
}

std::vector<BatchAssignment> BatchOptimal::assign_batch(const AgentPool& pool,
                                                       const std::vector<BatchTicket>& tickets) const {
  return sb::assign_batch(pool, tickets);
}

}  // namespace sb
