#include "http/auth.h"

#include <sodium.h>

#include <optional>
#include <stdexcept>
#include <vector>

namespace sb::http {
namespace {

void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

std::string base64url(const unsigned char* data, std::size_t n) {
  std::string out(sodium_base64_encoded_len(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), data, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

constexpr std::string_view kCursorPrefix = "after:";

}  // namespace

std::string new_token() {
  ensure_sodium();
  unsigned char secret[32];
  randombytes_buf(secret, sizeof secret);
  return "sb_" + base64url(secret, sizeof secret);
}

std::string hash_token(std::string_view token) {
  ensure_sodium();
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                     nullptr, 0);
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

bool same_hash(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string encode_cursor(std::int64_t after_id) {
  const std::string plain = std::string(kCursorPrefix) + std::to_string(after_id);
  return base64url(reinterpret_cast<const unsigned char*>(plain.data()), plain.size());
}

namespace {
// The text a cursor carries, or nothing when it is not one of ours.
std::optional<std::string> cursor_text(std::string_view cursor) {
  ensure_sodium();
  std::vector<unsigned char> bin(cursor.size() + 1);
  std::size_t len = 0;
  if (cursor.empty() || cursor.size() > 96 ||
      sodium_base642bin(bin.data(), bin.size(), cursor.data(), cursor.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  const std::string plain(bin.begin(), bin.begin() + static_cast<std::ptrdiff_t>(len));
  if (plain.rfind(kCursorPrefix, 0) != 0) return std::nullopt;
  return plain.substr(kCursorPrefix.size());
}

std::optional<std::int64_t> digits_of(const std::string& digits) {
  if (digits.empty() || digits.size() > 19 || digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  try {
    return std::stoll(digits);
  } catch (const std::out_of_range&) {
    return std::nullopt;
  }
}
}  // namespace

std::optional<std::string> decode_base64(std::string_view text) {
  ensure_sodium();
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), "\r\n",
                        &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 &&
      sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), "\r\n",
                        &len, &end, sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0) {
    return std::nullopt;
  }
  if (end != text.data() + text.size()) return std::nullopt;
  out.resize(len);
  return out;
}

Result<std::int64_t> decode_cursor(std::string_view cursor) {
  const Error bad = Error::Invalid("cursor", "'cursor' is not a cursor this server issued");
  auto text = cursor_text(cursor);
  if (!text || text->size() > 18) return bad;
  auto id = digits_of(*text);
  if (!id) return bad;
  return *id;
}

std::string encode_cursor(KeyedCursor after) {
  const std::string plain = std::string(kCursorPrefix) + std::to_string(after.key) + "." + std::to_string(after.id);
  return base64url(reinterpret_cast<const unsigned char*>(plain.data()), plain.size());
}

Result<KeyedCursor> decode_keyed_cursor(std::string_view cursor) {
  const Error bad = Error::Invalid("cursor", "'cursor' is not a cursor this server issued for this order");
  auto text = cursor_text(cursor);
  const std::size_t dot = text ? text->find('.') : std::string::npos;
  if (dot == std::string::npos) return bad;
  auto key = digits_of(text->substr(0, dot));
  auto id = digits_of(text->substr(dot + 1));
  if (!key || !id || *id <= 0) return bad;
  return KeyedCursor{*key, *id};
}

}  // namespace sb::http
