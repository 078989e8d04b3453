#pragma once
// Webhook signatures, Stripe style: the header
//   Switchboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
// lets a receiver check that the body came from us and is recent (it
// rejects timestamps too far from its clock, against replays).
#include <cstdint>
#include <string>
#include <string_view>

namespace sb::notify {

inline constexpr const char* kSignatureHeader = "Switchboard-Signature";

std::string hmac_sha256_hex(std::string_view key, std::string_view message);
std::string signature_header(std::string_view secret, std::int64_t unix_seconds, std::string_view body);
// True when `header` carries a v1 signature of `body` made with `secret`
// (constant-time comparison). The timestamp check is the receiver's.
bool verify_signature(std::string_view header, std::string_view secret, std::string_view body);
// A fresh signing secret: "whsec_" + 64 hex digits (256 random bits).
std::string new_webhook_secret();

}  // namespace sb::notify
