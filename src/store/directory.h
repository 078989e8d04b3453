#pragma once
// What the stores share about customers and organisations: the words a
// search looks in, and the uniqueness checks every backend makes.
#include <string>
#include <vector>

#include "core/customer.h"

namespace sb {

// " ada lovelace ada bigco com c-77 ": the record's searchable words (name,
// addresses or domains, external id), each with a space before it, so that
// a word's prefix is found as " " + prefix.
std::string directory_text(const Customer& c);
std::string directory_text(const Organization& o);
// Whether every word of `words` (search_words) starts a word of `text`.
bool directory_matches(const std::string& text, const std::vector<std::string>& words);

}  // namespace sb
