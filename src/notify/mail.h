#pragma once
// Outbound e-mail, built with GMime: RFC 5322 headers (non-ASCII encoded per
// RFC 2047), a UTF-8 text/plain body with a safe transfer encoding, CRLF line
// ends for SMTP. Every automatic message carries Auto-Submitted:
// auto-generated (RFC 3834) so that well-behaved auto-responders stay quiet.
// Header values that come from users pass through header_text(), which turns
// CR, LF and other control characters into spaces: user data can never start
// a header of its own.
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace sb::notify {

struct OutboundMail {
  std::string from;        // "Name <addr>" or "addr" (from config)
  std::string to_name;     // user data
  std::string to_address;  // checked with is_plain_address
  std::string subject;     // user data allowed
  std::string body;        // UTF-8 text
  std::string message_id;  // without angle brackets, e.g. "sb.t12.e34.ab12@example.com"
  std::string in_reply_to; // optional, without angle brackets
  std::vector<std::string> references;  // the thread, oldest first, without angle brackets (default: in_reply_to)
  // Written by the system (confirmations): Auto-Submitted: auto-generated.
  // An agent's reply is a person's message and carries none.
  bool automatic = true;
  // Files sent with it (multipart/mixed, base64): name, type, bytes.
  struct File {
    std::string name, content_type, content;
  };
  std::vector<File> files;
  std::string ticket_ref;  // X-Switchboard-Ticket
  Time date;
};

// The whole message as it goes over SMTP (CRLF line ends).
std::string build_mail(const OutboundMail& mail);
// Control characters (CR, LF, TAB, ...) replaced by spaces; trimmed.
std::string header_text(const std::string& s);
// A bare addr-spec with one '@', no spaces, no control characters, no
// <>(),;:" and at most 254 characters.
bool is_plain_address(const std::string& s);
// The address part of "Name <addr>" or "addr"; empty if there is none.
std::string address_of(const std::string& mailbox);
// The domain of an address ("example.com" of "a@example.com").
std::string domain_of(const std::string& address);

}  // namespace sb::notify
