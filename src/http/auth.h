#pragma once
// Bearer tokens. A token is 32 random bytes (libsodium), shown once as
// "sb_" + base64url; only its BLAKE2b-256 hash is kept, and hashes are
// compared in constant time.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sb::http {

std::string new_token();
std::string hash_token(std::string_view token);
bool same_hash(std::string_view a, std::string_view b);

// Standard base64 (with or without padding) to bytes; nullopt when it is not.
std::optional<std::string> decode_base64(std::string_view text);

// Opaque page cursors for list endpoints.
std::string encode_cursor(std::int64_t after_id);
// 422 on field "cursor" when `cursor` was not made by encode_cursor.
Result<std::int64_t> decode_cursor(std::string_view cursor);
// A cursor of a list in another order than by id: the last item's sort key
// and id.
struct KeyedCursor {
  std::int64_t key = 0;
  std::int64_t id = 0;
};
std::string encode_cursor(KeyedCursor after);
// 422 on field "cursor" when `cursor` was not made by encode_cursor(KeyedCursor).
Result<KeyedCursor> decode_keyed_cursor(std::string_view cursor);

}  // namespace sb::http
