#pragma once
// `switchboard train` and `switchboard eval`.
#include <optional>
#include <string>
#include <vector>

namespace sb {

struct TrainCommand {
  std::string data;                 // CSV file; or --from-db
  std::optional<std::string> db;    // with from_db: the SQLite file
  bool from_db = false;
  int holdout = 200;                // with from_db: the newest decisions left out (the server checks on them)
  int limit = 0;                    // with from_db: only the oldest N decisions (0: all)
  double half_life_days = 90;       // with from_db: how fast a decision's extra weight fades
  double recent_weight = 2;         // with from_db: the newest decision counts this many times
  std::optional<std::string> data_label;  // the --data CSV's label column when it differs from --label
  std::string text = "title,body";  // columns joined as the text (first is the title)
  std::string label = "category";
  std::string out;
  double c = 10.0;
  int ngrams = 2;
  int min_df = 2;
  bool no_title_features = false;
  double title_weight = 1.0;
  double ngram_weight = 1.0;
  bool unbalanced = false;
  double balance_power = 1.0;
  int cv = 0;                       // k-fold cross-validation report instead of a model
  bool tune = false;                // choose title and n-gram weights by cross-validation first
  int calibrate = 5;                // folds for per-label confidence calibration (0: off)
};

struct EvalCommand {
  std::string model;
  std::string data;
  std::optional<std::string> text;   // default: the model's
  std::optional<std::string> label;  // default: the model's
  bool json = false;
};

int run_train(const TrainCommand& cmd);
int run_eval(const EvalCommand& cmd);

}  // namespace sb
