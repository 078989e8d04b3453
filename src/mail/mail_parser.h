#pragma once
// Inbound e-mail, parsed with GMime 3: RFC 5322 headers (RFC 2047 words
// decoded), MIME trees (multipart, quoted-printable, base64, any charset to
// UTF-8), the text body (text/plain preferred; HTML turned into text with
// libxml2's forgiving HTML parser), attachments' metadata, threading headers,
// and the signs of automatic mail (RFC 3834 Auto-Submitted, Precedence,
// X-Autoreply) and of bounces.
//
// Never fails and never trusts the input: a message that does not parse
// still yields what could be read (and `problems` says what went wrong);
// size, MIME depth, part count and header length are bounded.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ticket.h"

namespace sb::mail {

struct MailLimits {
  std::size_t max_bytes = 25u << 20;   // larger messages are cut here (and flagged)
  int max_depth = 8;                   // MIME nesting
  int max_parts = 200;                 // leaf parts looked at
  std::size_t max_header = 16u << 10;  // one header value, after decoding
  std::size_t max_text = 1u << 20;     // the body text kept
  bool keep_attachment_bytes = false;  // fill ParsedMail::attachment_bytes (to serve one)
};

struct ParsedMail {
  std::string message_id;               // without angle brackets; "" when absent
  std::string in_reply_to;              // the first id in In-Reply-To
  std::vector<std::string> references;  // References, oldest first
  std::string from_address;             // lower-cased
  std::string from_name;
  std::string subject;                  // UTF-8
  std::string text;                     // UTF-8 body text
  std::vector<Attachment> attachments;
  // With MailLimits::keep_attachment_bytes: each attachment's decoded
  // content, in the order of `attachments` (an attached message as it was
  // written).
  std::vector<std::string> attachment_bytes;
  std::optional<Time> date;
  bool auto_submitted = false;  // an automatic message: never answered automatically
  bool bounce = false;          // a delivery failure report
  std::vector<std::string> problems;  // what could not be read, and limits hit
};

ParsedMail parse_mail(std::string_view raw, const MailLimits& limits = {});

// Text from HTML: scripts and styles dropped, block elements on their own
// lines, entities decoded, whitespace collapsed.
std::string html_to_text(std::string_view html);

// Splits an mbox file (lines "From " start messages; ">From " unquoted).
std::vector<std::string> split_mbox(std::string_view mbox);

}  // namespace sb::mail
