#pragma once
// `switchboard import mail PATH`: sends every message in PATH (an .eml file,
// an mbox file, a Maildir, or a directory of .eml files) to a running
// server's POST /api/v1/mail, which threads, dedupes and creates tickets
// exactly as for IMAP. Safe to run twice: the mailbox's Message-IDs are
// remembered, so nothing is created twice.
#include <string>

namespace sb {

struct ImportMailCommand {
  std::string path;
  std::string url = "http://127.0.0.1:8080";
  std::string token;    // else $SWITCHBOARD_TOKEN
  std::string mailbox = "import";
  bool quiet = false;
};

int run_import_mail(const ImportMailCommand& cmd);

// `switchboard import csv FILE --map subject=title,body=body,...`: one ticket
// per row through POST /api/v1/tickets. Each row carries an external_id (a
// mapped column, or a hash of the row), so re-running the same file creates
// nothing twice. Rows the server refuses go to a reject file with the reason.
struct ImportCsvCommand {
  std::string path;
  std::string map;      // target=column,...
  std::string url = "http://127.0.0.1:8080";
  std::string token;
  std::string reject;   // default: FILE.rejects.csv
  bool quiet = false;
  // --history: rows are past tickets (docs/connectors.md): created_at (and
  // status, assignee_id when mapped; status defaults to solved) kept as they
  // were, no routing of held or solved ones, nothing sent to anyone.
  bool history = false;
};

int run_import_csv(const ImportCsvCommand& cmd);

// `switchboard import customers FILE.csv`: customers upserted through POST
// /api/v1/customers/import, 500 rows at a time: matched by external_id,
// else by an address; made when new. Columns: external_id, email (several
// separated by ';'), name, organization (by name; made when new), tier,
// language, time_zone; any other column is an attribute of that name.
// Re-runnable (a second run finds every row unchanged); refused rows go to
// the reject file with the line and the reason.
struct ImportCustomersCommand {
  std::string path;
  std::string url = "http://127.0.0.1:8080";
  std::string token;
  std::string reject;   // default: FILE.rejects.csv
  bool quiet = false;
};

int run_import_customers(const ImportCustomersCommand& cmd);

// `switchboard connect check NAME`: asks the running server to check the
// connector (POST /api/v1/connectors/NAME/check): it reaches the help desk
// with its credentials, finds its queues and teams, lists help-desk users
// without an agent. Prints errors, warnings and what it found; exit 0 when
// the connector can work, 1 when not, 2 for a bad command.
struct ConnectCheckCommand {
  std::string name;
  std::string url = "http://127.0.0.1:8080";
  std::string token;
};
int run_connect_check(const ConnectCheckCommand& cmd);

}  // namespace sb
