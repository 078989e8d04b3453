#pragma once
// Polling an IMAP mailbox with libcurl. Each round: UID SEARCH for messages
// without our keyword, fetch each, hand it to `ingest` (which commits the
// ticket, or recognises a message it has seen), then mark it with the
// keyword (and \Seen). Nothing is ever deleted or moved. If the process dies
// between the commit and the flag, the next round fetches the message again
// and the intake's Message-ID dedupe makes nothing twice.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"

namespace sb::mail {

struct ImapMailbox {
  std::string name;      // the intake's mailbox name (dedupe scope)
  std::string url;       // imap://host:port/INBOX or imaps://...
  std::string username;
  std::string password;
  std::chrono::milliseconds poll{std::chrono::seconds(30)};
};

inline constexpr const char* kDoneKeyword = "$SwitchboardDone";

// One IMAP command on the mailbox; the untagged answer lines.
Result<std::string> imap_command(const ImapMailbox& box, const std::string& command);
Result<std::vector<std::uint64_t>> imap_unprocessed(const ImapMailbox& box);
Result<std::string> imap_fetch(const ImapMailbox& box, std::uint64_t uid);
Status imap_mark_done(const ImapMailbox& box, std::uint64_t uid);

class ImapPoller {
 public:
  // `ingest` returns ok once the message is committed (or known); an error
  // leaves the message unflagged for the next round.
  using Ingest = std::function<Status(const std::string& raw)>;
  ImapPoller(ImapMailbox box, Ingest ingest);
  ~ImapPoller();
  void start();
  void stop();
  // One round; returns how many messages were taken in.
  Result<int> poll_once();

 private:
  ImapMailbox box_;
  Ingest ingest_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace sb::mail
