#pragma once
// The mail adapter's way into intake: parses a raw RFC 5322 message and hands
// what it read to Intake::take_mail. Used by POST /api/v1/mail and by the
// IMAP poller. Thread-safe as Intake is.
#include <string>
#include <string_view>
#include <vector>

#include "intake/intake.h"

namespace sb::mail {

struct IngestResult {
  intake::MailOutcome outcome;
  std::vector<std::string> problems;  // what the parser could not read
};

// A message without a Message-ID is known by "sha256:<hex>" of its bytes.
// Errors are intake's (503 when the store is unavailable, ...).
Result<IngestResult> ingest(intake::Intake& intake, std::string_view raw, const std::string& mailbox);

}  // namespace sb::mail
