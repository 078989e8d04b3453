#include "mail/ingest.h"

#include <glib.h>

#include "mail/mail_parser.h"

namespace sb::mail {
namespace {

std::string sha256_hex(std::string_view data) {
  gchar* hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, reinterpret_cast<const guchar*>(data.data()), data.size());
  std::string out(hex);
  g_free(hex);
  return out;
}

}  // namespace

Result<IngestResult> ingest(intake::Intake& intake, std::string_view raw, const std::string& mailbox) {
  ParsedMail m = parse_mail(raw);
  intake::InboundMail in;
  in.message_id = m.message_id.empty() ? "sha256:" + sha256_hex(raw) : m.message_id;
  in.in_reply_to = std::move(m.in_reply_to);
  in.references = std::move(m.references);
  in.from_address = std::move(m.from_address);
  in.from_name = std::move(m.from_name);
  in.subject = std::move(m.subject);
  in.text = std::move(m.text);
  in.attachments = std::move(m.attachments);
  in.auto_submitted = m.auto_submitted;
  in.bounce = m.bounce;
  in.raw = std::string(raw.substr(0, MailLimits{}.max_bytes));
  auto outcome = intake.take_mail(in, mailbox);
  if (!outcome) return outcome.error();
  return IngestResult{std::move(*outcome), std::move(m.problems)};
}

}  // namespace sb::mail
