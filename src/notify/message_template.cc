#include "notify/message_template.h"

#include <algorithm>

namespace sb::notify {
namespace {

// Calls on_text for literal text and on_name for each placeholder's name.
template <class Text, class Name>
void scan(const std::string& text, Text on_text, Name on_name) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find("{{", pos);
    const std::size_t close = open == std::string::npos ? std::string::npos : text.find("}}", open + 2);
    if (close == std::string::npos) {
      on_text(text.substr(pos));
      return;
    }
    on_text(text.substr(pos, open - pos));
    std::string name = text.substr(open + 2, close - open - 2);
    const auto first = name.find_first_not_of(' ');
    const auto last = name.find_last_not_of(' ');
    on_name(first == std::string::npos ? std::string() : name.substr(first, last - first + 1));
    pos = close + 2;
  }
}

}  // namespace

std::vector<std::string> unknown_placeholders(const std::string& text, const std::vector<std::string>& known) {
  std::vector<std::string> out;
  scan(text, [](const std::string&) {}, [&](const std::string& name) {
    if (std::find(known.begin(), known.end(), name) == known.end()) out.push_back(name);
  });
  return out;
}

std::string render(const std::string& text, const TemplateVars& vars) {
  std::string out;
  scan(text, [&](const std::string& s) { out += s; }, [&](const std::string& name) {
    if (auto it = vars.find(name); it != vars.end()) out += it->second;
  });
  return out;
}

}  // namespace sb::notify
