#pragma once
// Reads a CSV file (RFC 4180: comma-separated, "quoted" fields with "" for a
// quote, CRLF or LF line ends) with a header row.
#include <string>
#include <vector>

#include "core/status.h"

namespace sb::triage {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  // Index of a column by name; an invalid_value error on `field` when absent.
  Result<std::size_t> column(const std::string& name, const std::string& field) const;
};

// Errors name the file and line (an unterminated quote, a row with the wrong
// number of fields).
Result<Table> read_csv(const std::string& path);

}  // namespace sb::triage
