// Tokens: issue (the secret shown once), list, revoke; and who am I.
#include "http/api.h"

#include "http/api_helpers.h"
#include "http/auth.h"

namespace sb::http {

using namespace detail;

Response Api::create_token(Request& r) {
  const json body = parse_body(r);
  const TokenRequest req = ok_or_throw(parse_token_request(body, resolve_team()));
  for (TeamId t : req.teams) {
    if (!ok_or_throw(service_.find_team(t))) throw Fail{Error::Invalid("teams", "team " + std::to_string(t.value) + " does not exist")};
  }
  const std::string token = new_token();
  TokenRecord record{hash_token(token), req.role, req.agent, {}};
  record.teams = req.teams;
  if (req.expires_in_seconds) record.expires_at = service_.clock()() + std::chrono::seconds(*req.expires_in_seconds);
  ok_or_throw(service_.add_token(record));
  // The secret is shown here once; only its hash is stored.
  json out = to_json(record);
  out.erase("created_at");
  out["token"] = token;
  return created(std::move(out));
}

Response Api::list_tokens(Request&) {
  json tokens = json::array();
  for (const TokenRecord& t : ok_or_throw(service_.list_tokens())) tokens.push_back(to_json(t));
  return ok({{"tokens", std::move(tokens)}});
}

Response Api::revoke_token(Request& r) {
  return ok(to_json(ok_or_throw(service_.revoke_token(r.params.at("id")))));
}

// Who the token belongs to, for the dashboard's sign-in.
Response Api::me(Request& r) {
  json agent = nullptr;
  if (r.principal.agent) {
    auto found = ok_or_throw(service_.find_agent(*r.principal.agent));
    if (found) agent = {{"id", found->agent.id.value}, {"name", found->agent.name}};
  }
  json teams = json::array();
  for (TeamId t : r.principal.teams) {
    auto team = ok_or_throw(service_.find_team(t));
    if (team) teams.push_back({{"id", t.value}, {"name", team->name}});
  }
  return ok({{"role", to_string(r.principal.role)}, {"agent", agent}, {"teams", std::move(teams)}});
}

}  // namespace sb::http
