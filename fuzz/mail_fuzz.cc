// libFuzzer target: the inbound mail parser must never crash, hang or leak,
// whatever the bytes (see scripts/fuzz).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mail/mail_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sb::mail::MailLimits limits;
  limits.max_bytes = 1 << 20;
  const sb::mail::ParsedMail m = sb::mail::parse_mail(std::string_view(reinterpret_cast<const char*>(data), size), limits);
  // Nothing read from the message may carry a line break into a header-like field.
  if (m.subject.find('\n') != std::string::npos || m.from_name.find('\n') != std::string::npos) __builtin_trap();
  (void)sb::mail::split_mbox(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
