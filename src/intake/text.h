#pragma once
// Ticket text as every store can keep it: valid UTF-8 with no NUL byte
// (PostgreSQL's text holds neither invalid UTF-8 nor NUL; SQLite would keep
// both and hand them back to browsers and mail clients).
#include <string>
#include <string_view>

namespace sb::intake {

// True when `text` is valid UTF-8 (no overlong forms, surrogates or code
// points past U+10FFFF) and holds no NUL.
bool is_clean_text(std::string_view text);

// `text` with every byte that does not start or continue a valid UTF-8
// sequence replaced by U+FFFD and every NUL by a space; clean text comes back
// unchanged.
std::string clean_text(std::string_view text);

}  // namespace sb::intake
