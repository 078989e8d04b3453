// The switchboard binary: parses the command line and dispatches.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "app/erlang_cli.h"
#include "app/simulate_cli.h"
#include "app/import_cli.h"
#include "app/serve.h"
#include "app/triage_cli.h"

int main(int argc, char** argv) {
  CLI::App app{"Switchboard: routes support tickets to the right agent."};
  app.require_subcommand(1);

  sb::ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "Serve the HTTP API (until SIGINT or SIGTERM)");
  serve_cmd->add_option("--db", serve.db,
                        "SQLite database file, or a postgresql://user@host:port/database URL (default var/switchboard.db)");
  serve_cmd->add_option("--listen", serve.listen, "Address and port, ADDR:PORT (default 127.0.0.1:8080)");
  serve_cmd->add_option("--config", serve.config, "YAML config: listen, db, teams, agents, triage, sla, notifications, mailboxes (see README)")
      ->check(CLI::ExistingFile);
  serve_cmd->add_option("--admin-token", serve.admin_token,
                        "Admin bearer token (else $SWITCHBOARD_ADMIN_TOKEN, else one is generated and printed)");
  serve_cmd->add_option("--web-dir", serve.web_dir,
                        "The dashboard's files (default: the source tree's web/, " SWITCHBOARD_WEB_DIR ")");
  serve_cmd->add_option("--drain", serve.drain_seconds,
                        "On SIGTERM: seconds of answering 503 (/healthz included) while requests in progress finish")
      ->check(CLI::Range(0.0, 300.0))
      ->capture_default_str();
  serve_cmd->add_option("--node", serve.node,
                        "Run as one of several nodes over one PostgreSQL store under this name (docs/scaling.md)");
  serve_cmd->add_option("--advertise", serve.advertise,
                        "With --node: HOST:PORT the other nodes reach this one at (default: the listen address)");
  serve_cmd->add_option("--lease-ttl", serve.lease_ttl_seconds,
                        "With --node: seconds the routing lease lasts without renewal (renewed every fifth of it)")
      ->check(CLI::Range(1.0, 600.0))
      ->capture_default_str();

  sb::TrainCommand train;
  auto* train_cmd = app.add_subcommand("train", "Train a ticket classifier (TF-IDF + logistic regression)");
  train_cmd->add_option("--data", train.data, "CSV file of labelled tickets");
  train_cmd->add_flag("--from-db", train.from_db,
                      "Learn from the corrections people made in the store (--label team|category); with --data, "
                      "from that history too");
  train_cmd->add_option("--holdout", train.holdout,
                        "With --from-db: leave out the newest N decisions (the server checks the model on them)")
      ->capture_default_str();
  train_cmd->add_option("--limit", train.limit, "With --from-db: learn from the oldest N decisions only (0: all)");
  train_cmd->add_option("--half-life", train.half_life_days,
                        "With --from-db: days after which a decision's extra weight has halved")
      ->capture_default_str();
  train_cmd->add_option("--recent-weight", train.recent_weight,
                        "With --from-db: how many times the newest decision counts (older ones fade to 1)")
      ->capture_default_str();
  train_cmd->add_option("--data-label", train.data_label, "The --data CSV's label column, when not --label");
  train_cmd->add_option("--db", train.db, "SQLite file or postgresql:// URL for --from-db (default var/switchboard.db)");
  train_cmd->add_option("--text", train.text, "Columns that make the text, title first")->capture_default_str();
  train_cmd->add_option("--label", train.label, "Column to predict")->capture_default_str();
  train_cmd->add_option("--out", train.out, "Where to write the model");
  train_cmd->add_option("--C", train.c, "Inverse regularisation strength")->capture_default_str();
  train_cmd->add_option("--ngrams", train.ngrams, "Longest word n-gram (1-3)")->capture_default_str();
  train_cmd->add_option("--min-df", train.min_df, "Drop terms in fewer documents")->capture_default_str();
  train_cmd->add_flag("--no-title-features", train.no_title_features, "Do not weigh title words apart");
  auto* title_weight = train_cmd->add_option("--title-weight", train.title_weight, "Scale of the title-word features")
                           ->capture_default_str();
  auto* ngram_weight = train_cmd->add_option("--ngram-weight", train.ngram_weight, "Scale of the features of 2+ word n-grams")
                           ->capture_default_str();
  train_cmd
      ->add_flag("--tune", train.tune,
                 "Choose --title-weight (1, 1.5, 2) and --ngram-weight (1, 0.5) by 5-fold cross-validation: best macro-F1, plain weights unless beaten by 0.005")
      ->excludes(title_weight)
      ->excludes(ngram_weight);
  train_cmd->add_flag("--unbalanced", train.unbalanced, "Do not weight classes by their rarity");
  train_cmd->add_option("--balance-power", train.balance_power, "Strength of the class weighting (weight^power)")
      ->capture_default_str();
  train_cmd->add_option("--calibrate", train.calibrate, "Calibrate confidences per label on K folds (0: off)")
      ->capture_default_str();
  train_cmd->add_option("--cv", train.cv, "Report K-fold cross-validation on the data instead of writing a model");

  sb::EvalCommand eval;
  auto* eval_cmd = app.add_subcommand("eval", "Evaluate a classifier on labelled tickets");
  eval_cmd->add_option("--model", eval.model, "Model file from 'train'")->required();
  eval_cmd->add_option("--data", eval.data, "CSV file of labelled tickets")->required();
  eval_cmd->add_option("--text", eval.text, "Columns that make the text (default: as trained)");
  eval_cmd->add_option("--label", eval.label, "Column with the true label (default: as trained)");
  eval_cmd->add_flag("--json", eval.json, "Print JSON");

  sb::ErlangCommand erlang;
  auto* erlang_cmd = app.add_subcommand("erlang", "Queue figures by Erlang C (or Erlang A with --patience)");
  erlang_cmd->add_option("--arrival-rate", erlang.arrival_rate, "Arrivals, e.g. 720/h, 12/min, 0.2/s")->required();
  erlang_cmd->add_option("--aht", erlang.aht, "Mean handle time, seconds")->required();
  erlang_cmd->add_option("--agents", erlang.agents, "Agents serving the queue")->required();
  erlang_cmd->add_option("--target", erlang.target, "Service-level target, seconds")->capture_default_str();
  erlang_cmd->add_option("--patience", erlang.patience, "Mean patience, seconds (Erlang A: callers abandon)");
  erlang_cmd->add_flag("--json", erlang.json, "Print JSON");

  sb::SimulateCommand simulate;
  auto* simulate_cmd = app.add_subcommand(
      "simulate", "Run the real routing engine on a virtual clock over a scenario (docs/simulation.md)");
  simulate_cmd->add_option("scenario", simulate.scenario, "Scenario YAML file")->required()->check(CLI::ExistingFile);
  simulate_cmd->add_option("--compare", simulate.compare,
                           "Policies to run the same arrivals through, comma-separated (e.g. "
                           "skills_best_match,round_robin,least_loaded,longest_idle)");
  simulate_cmd->add_option("--replications", simulate.replications, "Replications (default: the scenario's)");
  simulate_cmd->add_option("--threads", simulate.threads, "Replications run at once (default: every core)");
  simulate_cmd->add_option("--seed", simulate.seed, "Random seed (default: the scenario's)");
  auto* plots_opt = simulate_cmd->add_option("--plots", simulate.plots,
                                             "Directory for the SVG plots ('' for none; with --json, none unless given)")
                        ->capture_default_str();
  simulate_cmd->add_flag("--json", simulate.json, "Print JSON");

  sb::StaffingCommand staffing;
  auto* staffing_cmd = app.add_subcommand(
      "staffing", "Agents needed per interval of a forecast: Erlang C, the square-root rule, optionally simulated");
  staffing_cmd->add_option("--forecast", staffing.forecast, "CSV: start,calls[,aht_seconds] per interval")
      ->required()
      ->check(CLI::ExistingFile);
  staffing_cmd->add_option("--target", staffing.target, "Percent answered / within seconds")->capture_default_str();
  staffing_cmd->add_option("--interval-minutes", staffing.interval_minutes, "Length of an interval")->capture_default_str();
  staffing_cmd->add_option("--aht", staffing.aht, "Handle time, seconds, where the forecast has none");
  staffing_cmd->add_option("--patience", staffing.patience, "Mean patience, seconds: Erlang A abandonment beside");
  staffing_cmd->add_flag("--check", staffing.check, "Simulate each interval's staffing with the real engine");
  staffing_cmd->add_flag("--json", staffing.json, "Print JSON");

  sb::ImportMailCommand import_mail;
  auto* import_cmd = app.add_subcommand("import", "Import tickets or customers into a running server");
  import_cmd->require_subcommand(1);
  auto* import_mail_cmd = import_cmd->add_subcommand(
      "mail", "Send e-mail (an .eml file, an mbox file, a Maildir or a directory of .eml) to the server's intake");
  import_mail_cmd->add_option("path", import_mail.path, "What to import")->required();
  import_mail_cmd->add_option("--url", import_mail.url, "The server")->capture_default_str();
  import_mail_cmd->add_option("--token", import_mail.token, "Admin token (else $SWITCHBOARD_TOKEN)");
  import_mail_cmd->add_option("--mailbox", import_mail.mailbox, "Mailbox name: Message-IDs are deduplicated per mailbox")
      ->capture_default_str();
  import_mail_cmd->add_flag("--quiet", import_mail.quiet, "No progress line");

  sb::ImportCsvCommand import_csv;
  auto* import_csv_cmd = import_cmd->add_subcommand("csv", "Create a ticket per CSV row (safe to re-run)");
  import_csv_cmd->add_option("file", import_csv.path, "CSV file with a header row")->required()->check(CLI::ExistingFile);
  import_csv_cmd->add_option("--map", import_csv.map,
                             "target=column,... (targets: subject, body, requester_email, requester_name, priority, "
                             "channel, team, category, tags (';'-separated), external_id, urgency, impact; with --history: created_at, status, assignee_id)")
      ->required();
  import_csv_cmd->add_option("--url", import_csv.url, "The server")->capture_default_str();
  import_csv_cmd->add_option("--token", import_csv.token, "Admin token (else $SWITCHBOARD_TOKEN)");
  import_csv_cmd->add_option("--reject", import_csv.reject, "Where refused rows go, with the reason (default FILE.rejects.csv)");
  import_csv_cmd->add_flag("--quiet", import_csv.quiet, "No progress line");
  import_csv_cmd->add_flag("--history", import_csv.history,
                           "Rows are past tickets: map created_at (and status, assignee_id); kept as they were, "
                           "nothing sent");

  sb::ImportCustomersCommand import_customers;
  auto* import_customers_cmd = import_cmd->add_subcommand(
      "customers", "Upsert customers from a CSV file (by external_id or address; safe to re-run)");
  import_customers_cmd->add_option("file", import_customers.path,
                                   "CSV with a header: external_id, email (a;b), name, organization, tier, language, "
                                   "time_zone, and attributes by name")
      ->required()
      ->check(CLI::ExistingFile);
  import_customers_cmd->add_option("--url", import_customers.url, "The server")->capture_default_str();
  import_customers_cmd->add_option("--token", import_customers.token, "Admin token (else $SWITCHBOARD_TOKEN)");
  import_customers_cmd->add_option("--reject", import_customers.reject,
                                   "Where refused rows go, with the line and reason (default FILE.rejects.csv)");
  import_customers_cmd->add_flag("--quiet", import_customers.quiet, "No progress line");

  sb::ConnectCheckCommand connect_check;
  auto* connect_cmd = app.add_subcommand("connect", "Help-desk connectors of a running server (docs/connectors.md)");
  connect_cmd->require_subcommand(1);
  auto* connect_check_cmd = connect_cmd->add_subcommand(
      "check", "Check a connector: reaches the help desk, credentials, queues without a team, users without an agent");
  connect_check_cmd->add_option("name", connect_check.name, "The connector's name (connectors: in the config)")->required();
  connect_check_cmd->add_option("--url", connect_check.url, "The server")->capture_default_str();
  connect_check_cmd->add_option("--token", connect_check.token, "Admin token (else $SWITCHBOARD_TOKEN)");

  auto* version_cmd = app.add_subcommand("version", "Print the version");

  CLI11_PARSE(app, argc, argv);
  if (*version_cmd) {
    std::printf("switchboard %s\n", SWITCHBOARD_VERSION);
    return 0;
  }
  if (*serve_cmd) return sb::serve(serve);
  if (*train_cmd) {
    if (train.data.empty() && !train.from_db) {
      std::fprintf(stderr, "switchboard train: give --data FILE.csv or --from-db\n");
      return 2;
    }
    return sb::run_train(train);
  }
  if (*eval_cmd) return sb::run_eval(eval);
  if (*erlang_cmd) return sb::run_erlang(erlang);
  if (*simulate_cmd) {
    if (simulate.json && plots_opt->count() == 0) simulate.plots.clear();  // JSON alone writes nothing beside it
    return sb::run_simulate(simulate);
  }
  if (*staffing_cmd) return sb::run_staffing(staffing);
  if (*import_mail_cmd) return sb::run_import_mail(import_mail);
  if (*import_csv_cmd) return sb::run_import_csv(import_csv);
  if (*import_customers_cmd) return sb::run_import_customers(import_customers);
  if (*connect_check_cmd) return sb::run_connect_check(connect_check);
  return 1;
}
