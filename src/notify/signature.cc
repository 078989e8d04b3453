#include "notify/signature.h"

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace sb::notify {
namespace {

void init_sodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw std::runtime_error("libsodium failed to initialise");
}

std::string to_hex(const unsigned char* data, std::size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.pop_back();
  return out;
}

}  // namespace

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  init_sodium();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  return to_hex(mac, sizeof mac);
}

std::string signature_header(std::string_view secret, std::int64_t unix_seconds, std::string_view body) {
  const std::string t = std::to_string(unix_seconds);
  std::string signed_part = t + ".";
  signed_part.append(body);
  return "t=" + t + ",v1=" + hmac_sha256_hex(secret, signed_part);
}

bool verify_signature(std::string_view header, std::string_view secret, std::string_view body) {
  std::string_view t, v1;
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    if (item.starts_with("t=")) t = item.substr(2);
    if (item.starts_with("v1=")) v1 = item.substr(3);
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  if (t.empty() || v1.size() != 64) return false;
  std::string signed_part(t);
  signed_part += ".";
  signed_part.append(body);
  const std::string expected = hmac_sha256_hex(secret, signed_part);
  return sodium_memcmp(expected.data(), v1.data(), 64) == 0;
}

std::string new_webhook_secret() {
  init_sodium();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  return "whsec_" + to_hex(bytes, sizeof bytes);
}

}  // namespace sb::notify
