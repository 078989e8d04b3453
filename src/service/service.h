#pragma once
// The application service: the one place where the engine and the store
// meet. Commands run the engine under a lock, queue the changed records for
// group commit, and return only once those records are durable; so a caller
// that gets a ticket back knows that the ticket and its assignment are
// committed. Reads go to the store (the truth), except live routing views
// (queue position, load, queues) which come from the engine.
//
// When a commit fails the engine may hold changes the store does not: the
// service fails the request (unavailable) and rebuilds the engine from the
// store before the next command.
//
// Thread-safe.
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "engine/engine.h"
#include "service/group_commit.h"
#include "store/store.h"

namespace sb {

using Clock = std::function<Time()>;
Time system_now();

struct TicketView {
  Ticket ticket;
  std::optional<std::size_t> queue_position;  // set while waiting
  std::optional<ExpectedWait> expected_wait;  // set where the engine was asked
  std::optional<Duration> first_response_left;  // business time left on the SLA clocks
  std::optional<Duration> resolution_left;
  std::optional<Duration> next_reply_left;
  std::optional<std::string> assignee_name;  // set where the engine was asked and the agent has a name
};

struct AgentView {
  Agent agent;
  ChannelCounts load{};
  std::optional<Time> last_assigned;
};

// Turns a command's events into outbox rows: sets each event's data (the
// JSON delivered) and adds the deliveries the event causes (webhooks,
// confirmation e-mails) to the batch, from each ticket's view as of the
// change. Called under the engine lock, in commit order.
class OutboxWriter {
 public:
  using Views = std::map<TicketId, TicketView>;
  virtual ~OutboxWriter() = default;
  virtual void write(std::vector<Event>& events, const Views& views, WriteBatch& batch) = 0;
};

class Service {
 public:
  Service(Store& store, EngineOptions options = {}, Clock clock = system_now);
  // Events are numbered and stored either way; the writer gives them their
  // data and deliveries. Set before start(); not owned.
  void set_outbox(OutboxWriter* writer) { outbox_ = writer; }
  // Load shedding: at most this many commands in hand at once (waiting for
  // the engine or for their commit); one more is refused with
  // Error::Overloaded (a 503 with Retry-After) before it changes anything,
  // while those in hand finish. 0: no bound.
  void set_max_commands_in_flight(int n) { max_in_flight_ = n; }
  // Commands refused so far for that reason; commands in hand now.
  std::uint64_t commands_shed() const { return shed_.load(); }
  int commands_in_flight() const { return in_flight_.load(); }

  // Rebuilds the engine from the store and commits whatever routing that
  // unblocks (agents online with room and tickets waiting).
  Status start();

  // Several nodes (docs/scaling.md): only the node holding the routing lease
  // runs commands. take_over() puts the lease's fence on every commit from
  // now on and rebuilds the engine from the store; stand_down() makes
  // commands and timers refuse (Error::NotOwner, a 503) until the next
  // take_over. A service never stood down (one node) is active and unfenced.
  Status take_over(Fence fence);
  void stand_down();
  bool active() const { return active_.load(); }

  // Records to commit with a command's changes (in the same transaction),
  // given the batch as the command left it: e.g. the receipt of the e-mail
  // that made the ticket, so that a redelivery is known for what it is.
  using Attach = std::function<void(WriteBatch&)>;
  // Records to commit with a command's changes that need its answer: e.g.
  // the Idempotency-Key record with the response, so that a crash after the
  // commit cannot let a retry create a second ticket.
  using Answer = std::function<void(WriteBatch&, const TicketView&)>;

  // `first`: the message the ticket came as, kept in its conversation in the
  // same commit (an e-mail with attachments); its ticket, id and time are set
  // here. It changes nothing on the ticket and is no comment event.
  Result<TicketView> create_ticket(Ticket draft, const Attach& attach = {}, const Answer& answer = {},
                                   std::optional<Message> first = std::nullopt);
  // A ticket from another system's history, with its own creation time,
  // status and assignee (Engine::import_ticket).
  Result<TicketView> import_ticket(Ticket draft, const Attach& attach = {});
  // A person changing tickets through the API: their changes of team or
  // category are kept as corrections (labelled examples) with the change.
  struct Editor {
    std::string by;                      // who, as the correction records it
    std::optional<TeamId> triage_team;   // a ticket leaving it was decided at the triage desk
    // A field's new value as the model's label (triage.labels mapped back).
    std::function<std::string(const std::string& field, const std::string& value)> label_of;
  };
  Result<TicketView> update_ticket(TicketId id, const TicketPatch& patch, const Editor* editor = nullptr);
  Result<std::vector<Correction>> list_corrections(const std::string& field, std::int64_t after, int limit) {
    return store_.list_corrections(field, after, limit);
  }
  Result<std::vector<Correction>> recent_corrections(Time since, int limit) {
    return store_.recent_corrections(since, limit);
  }
  Result<AgentView> create_agent(Agent draft);
  Result<AgentView> update_agent(AgentId id, const AgentPatch& patch);
  Result<Team> create_team(Team draft);
  Result<Team> update_team(TeamId id, const TeamPatch& patch);
  Result<std::optional<Team>> find_team(TeamId id);
  // The agent accepts or declines a ticket offered (or assigned) to it.
  Result<TicketView> accept(TicketId id, AgentId agent);
  Result<TicketView> decline(TicketId id, AgentId agent);
  // Adds a message to a ticket's conversation (id and time set here), in one
  // commit with what it does to the ticket (Engine::add_message).
  Result<Message> add_message(Message draft, const Attach& attach = {});
  Result<std::vector<Message>> list_messages(TicketId id) { return store_.list_messages(id); }
  Result<std::optional<std::string>> find_attachment_content(std::int64_t message_id, int index) {
    return store_.find_attachment_content(message_id, index);
  }
  // Fires the engine's due timers (offer timeouts, relaxation, sticky waits,
  // presence grace) and commits what they changed. Call it often (the server
  // does, every 100 ms); it does nothing when nothing is due.
  Status tick();
  void set_sla_policies(std::vector<sla::SlaPolicy> policies);
  // Saves `document` (the policies as JSON) in the store's settings under
  // "sla", then puts `policies` in force; nothing changes if the save fails.
  Status replace_sla_policies(std::vector<sla::SlaPolicy> policies, std::string document);
  std::vector<sla::SlaPolicy> sla_policies();
  // A setting's value (saved views, ...), read and replaced as one step:
  // `change` gets the current value (nullopt: none yet) and returns the new
  // one, or an error that leaves it as it was. Changes of settings are
  // serialised, so two callers never lose each other's change.
  Result<std::string> change_setting(const std::string& key,
                                     const std::function<Result<std::string>(const std::optional<std::string>&)>& change);
  Result<std::optional<std::string>> find_setting(const std::string& key) { return store_.find_setting(key); }
  Result<std::vector<Decision>> list_decisions(TicketId id, int limit);
  // Persists a token record; for agent tokens the agent must exist (422 agent_id).
  Status add_token(TokenRecord token);

  Result<std::optional<TicketView>> find_ticket(TicketId id);
  Result<TicketPage> list_tickets(const TicketQuery& query);
  Result<std::optional<AgentView>> find_agent(AgentId id);
  Result<std::vector<AgentView>> list_agents();
  Result<std::vector<Team>> list_teams();
  std::optional<TeamId> team_by_name(const std::string& name);
  std::vector<QueueStats> queues();
  Result<std::optional<TokenRecord>> find_token(const std::string& hash) { return store_.find_token(hash); }

  // The outbox as committed: events after `after` (seq order), and waiting
  // for more. wait_for_events returns the newest committed seq once it
  // passes `after`, or at the timeout (whatever it is then).
  Result<std::vector<Event>> list_events(std::int64_t after, int limit) { return store_.list_events(after, limit); }
  std::int64_t wait_for_events(std::int64_t after, std::chrono::milliseconds timeout);
  std::int64_t committed_event_seq();
  // Events committed since start, by type (for /metrics).
  std::array<std::uint64_t, enum_count<EventType>()> event_counts() const;
  // Wakes every wait_for_events (shutdown).
  void wake_event_waiters();
  Clock clock() const { return clock_; }

  // Records beside the engine's: they route nothing, so they are read from
  // and written to the store directly, each write in its own transaction.
  Result<std::optional<TicketId>> find_ticket_by_external_id(const std::string& external_id,
                                                             const std::string& source = "") {
    return store_.find_ticket_by_external_id(external_id, source);
  }
  // E-mail intake: a mailbox's receipts and the ticket a thread belongs to.
  Result<std::optional<MailReceipt>> find_mail_receipt(const std::string& mailbox, const std::string& message_id) {
    return store_.find_mail_receipt(mailbox, message_id);
  }
  Result<std::optional<TicketId>> find_ticket_by_message_ids(const std::vector<std::string>& ids) {
    return store_.find_ticket_by_message_ids(ids);
  }
  // A receipt that made no ticket or message (a bounce about nothing we know).
  Status keep_receipt(MailReceipt receipt);
  // Idempotency-Key records (intake/idempotency.h); keep_idempotency logs a
  // failure besides returning it.
  Result<std::optional<IdempotencyRecord>> find_idempotency(const std::string& scope, const std::string& key,
                                                            Time since) {
    return store_.find_idempotency(scope, key, since);
  }
  Status keep_idempotency(IdempotencyRecord record);
  Status purge_idempotency(Time before) { return store_.purge_idempotency(before); }
  // Tokens: every record (hashes only), and revoking one by its public id
  // (revoking twice keeps the first time); 404 when no token has that id.
  Result<std::vector<TokenRecord>> list_tokens() { return store_.list_tokens(); }
  Result<TokenRecord> revoke_token(const std::string& id);
  // The audit log: written after the change it records, read newest first.
  Status append_audit(AuditEntry entry);
  Result<std::vector<AuditEntry>> list_audit(std::int64_t before, int limit) { return store_.list_audit(before, limit); }
  // The outbox backlog (for /metrics).
  Result<std::int64_t> count_deliveries(DeliveryState state) { return store_.count_deliveries(state); }
  // Report facts and presence history (Store::scan_ticket_facts).
  Status scan_ticket_facts(Time from, Time to, ReportGroup group, FactRange range, unsigned fields,
                           const std::function<void(const TicketFact&)>& visit) {
    return store_.scan_ticket_facts(from, to, group, range, fields, visit);
  }
  Result<std::vector<PresenceChange>> presence_history(Time from, Time to) { return store_.presence_history(from, to); }

 private:
  // Runs `command` on the engine under the lock, queues its changes, and
  // waits for them to be durable. `view` reads what the caller needs from
  // the engine while the lock is still held.
  // `answer` (optional) also gets the view, to attach records that need it.
  template <class Command, class View, class AnswerHook = std::nullptr_t>
  auto apply(Command&& command, View&& view, const Attach& attach = {}, const AnswerHook& answer = nullptr)
      -> Result<decltype(view(std::declval<const Changes&>()))>;
  Status rebuild_locked();
  // For a ticket the engine does not hold live, its newest stored version.
  Status load_if_not_live_locked(TicketId id, std::optional<Ticket>& stored);
  AgentView agent_view_locked(const Agent& a) const;
  TicketView ticket_view_locked(const Ticket& t) const;
  // A batch in line for commit.
  struct Pending {
    GroupCommitter::Handle handle;
    std::int64_t last_seq = 0;  // the last event seq in it (0: none)
    std::array<std::uint64_t, enum_count<EventType>()> types{};  // events in it, by type
  };
  // Numbers the events, lets the outbox writer render them from the views
  // their tickets have now, and queues the batch.
  Pending enqueue_locked(Changes&& changes, const Attach& attach = {});
  // Waits for the batch's commit, then publishes its events to the waiters.
  Status commit_pending(Pending& pending);

  Store& store_;
  Clock clock_;
  std::mutex engine_mu_;
  std::mutex settings_mu_;  // change_setting: one read-modify-write at a time
  Engine engine_;
  bool needs_rebuild_ = false;
  std::atomic<bool> active_{true};  // written under engine_mu_
  GroupCommitter committer_;
  OutboxWriter* outbox_ = nullptr;
  std::int64_t next_event_seq_ = 1;  // under engine_mu_
  std::int64_t next_message_id_ = 1;  // under engine_mu_
  std::mutex feed_mu_;
  std::condition_variable feed_cv_;
  std::int64_t committed_seq_ = 0;   // under feed_mu_
  std::array<std::atomic<std::uint64_t>, enum_count<EventType>()> event_counts_{};
  std::uint64_t feed_generation_ = 0;
  std::atomic<int> max_in_flight_{512};
  std::atomic<int> in_flight_{0};
  std::atomic<std::uint64_t> shed_{0};
};

}  // namespace sb
