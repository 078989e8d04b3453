#pragma once
// Text into HTML or XML (pages, SVG): & < > " ' escaped.
#include <string>
#include <string_view>

namespace sb::http {

std::string html_escape(std::string_view s);

}  // namespace sb::http
