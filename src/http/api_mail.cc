// POST /api/v1/mail?mailbox=NAME: one raw RFC 5322 message into e-mail intake
// (mail/ingest.h, then intake): 201 with what it made, 200 for a duplicate.
#include "http/api.h"
#include "http/api_helpers.h"
#include "mail/ingest.h"

namespace sb::http {

using namespace detail;

Response Api::post_mail(Request& r) {
  auto it = r.query.find("mailbox");
  const std::string mailbox = it == r.query.end() || it->second.empty() ? "api" : it->second;
  if (mailbox.size() > 200) throw Fail{Error::Invalid("mailbox", "'mailbox' is longer than 200 characters")};
  if (r.body.empty()) throw Fail{Error::Malformed("the request body must be the raw message (message/rfc822)")};
  const mail::IngestResult in = ok_or_throw(mail::ingest(intake_, r.body, mailbox));
  json problems = json::array();
  for (const std::string& p : in.problems) problems.push_back(p);
  return Response{in.outcome.outcome == "duplicate" ? 200 : 201,
                  {{"outcome", in.outcome.outcome},
                   {"ticket_id", in.outcome.ticket ? json(in.outcome.ticket->value) : json(nullptr)},
                   {"problems", std::move(problems)}},
                  {}};
}

}  // namespace sb::http
