#include "triage/csv.h"

#include <fstream>
#include <sstream>

namespace sb::triage {

Result<std::size_t> Table::column(const std::string& name, const std::string& field) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  std::string known;
  for (const std::string& h : header) known += (known.empty() ? "" : ", ") + h;
  return Error::Invalid(field, "no column '" + name + "' (columns: " + known + ")");
}

Result<Table> read_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::Invalid("data", path + ": cannot read the file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();

  Table table;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, field_started = false;
  int line = 1, row_line = 1;
  auto end_row = [&]() -> Status {
    row.push_back(std::move(field));
    field.clear();
    field_started = false;
    if (row.size() == 1 && row[0].empty()) {  // blank line
      row.clear();
      return Status::Ok();
    }
    if (table.header.empty()) {
      table.header = std::move(row);
    } else if (row.size() != table.header.size()) {
      return Error::Invalid("data", path + ":" + std::to_string(row_line) + ": " + std::to_string(row.size()) +
                                        " fields, the header has " + std::to_string(table.header.size()));
    } else {
      table.rows.push_back(std::move(row));
    }
    row.clear();
    return Status::Ok();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      if (auto s = end_row(); !s) return s.error();
      row_line = ++line;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) return Error::Invalid("data", path + ":" + std::to_string(row_line) + ": unterminated quoted field");
  if (!field.empty() || !row.empty()) {
    if (auto s = end_row(); !s) return s.error();
  }
  if (table.header.empty()) return Error::Invalid("data", path + ": the file is empty");
  return table;
}

}  // namespace sb::triage
