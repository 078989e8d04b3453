#include "store/directory.h"

#include <algorithm>

#include "store/store.h"

namespace sb {
namespace {

std::string words_of(const std::vector<const std::string*>& parts) {
  std::string out = " ";
  for (const std::string* p : parts) {
    for_each_word(*p, [&](std::string&& w) { out += w + " "; });
  }
  return out;
}

}  // namespace

std::string directory_text(const Customer& c) {
  std::vector<const std::string*> parts{&c.name, &c.external_id};
  for (const std::string& e : c.emails) parts.push_back(&e);
  return words_of(parts);
}

std::string directory_text(const Organization& o) {
  std::vector<const std::string*> parts{&o.name, &o.external_id};
  for (const std::string& d : o.domains) parts.push_back(&d);
  return words_of(parts);
}

bool directory_matches(const std::string& text, const std::vector<std::string>& words) {
  return std::all_of(words.begin(), words.end(),
                     [&](const std::string& w) { return text.find(" " + w) != std::string::npos; });
}

}  // namespace sb
