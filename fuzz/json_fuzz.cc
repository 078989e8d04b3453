// libFuzzer target: the API's request parsers (tickets, patches, agents,
// teams with routing, comments, webhooks, SLA settings) must answer any bytes
// with a value or an Error, never a crash (see scripts/fuzz).
#include <cstddef>
#include <cstdint>
#include <string>

#include "json/json_mapping.h"
#include "json/sla_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sb;
  const auto body = nlohmann::json::parse(reinterpret_cast<const char*>(data), reinterpret_cast<const char*>(data) + size,
                                          nullptr, false);
  if (body.is_discarded()) return 0;
  const http::TeamResolver teams = [](const std::string& name) -> std::optional<TeamId> {
    if (name == "Support") return TeamId{1};
    return std::nullopt;
  };
  (void)http::parse_ticket_create(body, teams);
  (void)http::parse_ticket_patch(body, teams);
  (void)http::parse_agent_create(body, teams);
  (void)http::parse_agent_patch(body, teams);
  (void)http::parse_team_create(body, teams);
  (void)http::parse_team_patch(body, TeamRouting{}, teams);
  (void)http::parse_presence(body);
  (void)http::parse_comment_create(body);
  (void)http::parse_webhook_create(body);
  (void)http::parse_webhook_patch(body);
  (void)http::parse_sla_settings(body, teams);
  return 0;
}
