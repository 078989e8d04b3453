#include "intake/model_updater.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace sb::intake {

namespace {
constexpr const char* kHistoryKey = "triage.model_checks";
constexpr std::size_t kHistoryKept = 50;

nlohmann::json figures_json(const std::optional<triage::ModelFigures>& f) {
  if (!f) return nullptr;
  return {{"examples", f->examples},
          {"accuracy", f->accuracy},
          {"macro_f1", f->macro_f1},
          {"coverage", f->coverage},
          {"confident", f->confident},
          {"precision", f->precision}};
}
}  // namespace

std::vector<Lesson> latest_decisions(const std::vector<Correction>& corrections) {
  std::map<TicketId, const Correction*> latest;
  for (const Correction& c : corrections) {
    auto& slot = latest[c.ticket];
    if (!slot || slot->id < c.id) slot = &c;
  }
  std::vector<Lesson> out;
  out.reserve(latest.size());
  for (const auto& [ticket, c] : latest) out.push_back({c->id, c->at, {c->subject, c->body, c->label}});
  std::sort(out.begin(), out.end(), [](const Lesson& a, const Lesson& b) { return a.id < b.id; });
  return out;
}

std::vector<int> copies_by_recency(const std::vector<Lesson>& lessons, Duration half_life, double recent_weight) {
  if (lessons.empty()) return {};
  Time newest = lessons.front().at;
  for (const Lesson& l : lessons) newest = std::max(newest, l.at);
  std::vector<double> weights;
  for (const Lesson& l : lessons) {
    const double age = static_cast<double>((newest - l.at).count());
    weights.push_back(1 + (recent_weight - 1) * std::exp2(-age / static_cast<double>(half_life.count())));
  }
  const double lightest = *std::min_element(weights.begin(), weights.end());
  std::vector<int> copies;
  for (double w : weights) copies.push_back(std::max(1, static_cast<int>(std::lround(w / lightest))));
  return copies;
}

Result<std::vector<Correction>> read_corrections(
    const std::function<Result<std::vector<Correction>>(std::int64_t after, int limit)>& page) {
  constexpr int kPage = 1000;
  std::vector<Correction> all;
  for (std::int64_t after = 0;;) {
    auto part = page(after, kPage);
    if (!part) return part.error();
    if (part->empty()) break;
    after = part->back().id;
    const bool last = static_cast<int>(part->size()) < kPage;
    for (Correction& c : *part) all.push_back(std::move(c));
    if (last) break;
  }
  return all;
}

std::string corrected_field(triage::Predicts predicts) {
  switch (predicts) {
    case triage::Predicts::kTeam: return "team";
    case triage::Predicts::kCategory: return "category";
    default: return "";
  }
}

namespace {
nlohmann::json check_json(const ModelCheck& c) {
  return {{"model", c.model},
          {"at", format_time(c.at)},
          {"file", c.file},
          {"accepted", c.accepted},
          {"reason", c.reason},
          {"candidate", figures_json(c.candidate)},
          {"serving", figures_json(c.serving)},
          {"trained_through", c.trained_through},
          {"provenance", c.provenance},
          {"seconds", c.seconds}};
}
}  // namespace

std::string to_json_text(const ModelCheck& c) { return check_json(c).dump(); }

Result<std::vector<ModelCheck>> ModelUpdater::check_candidates() {
  std::lock_guard lock(mu_);
  std::vector<ModelCheck> out;
  const auto settings = gate_.settings();
  for (const triage::ModelSettings& m : settings->models) {
    if (m.path.empty()) continue;
    const std::string file = m.path + ".candidate";
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) continue;
    ModelCheck c = check(m, file);
    if (!c.accepted) {
      std::filesystem::rename(file, file + ".refused", ec);
      spdlog::warn("triage model '{}': candidate {} refused: {}", m.name, file, c.reason);
    } else {
      spdlog::info("triage model '{}': candidate {} now serves: {}", m.name, file, c.reason);
    }
    record(c);
    out.push_back(std::move(c));
  }
  if (out.empty()) {
    std::string where;
    for (const triage::ModelSettings& m : settings->models) {
      if (!m.path.empty()) where += (where.empty() ? "" : ", ") + m.path + ".candidate";
    }
    return Error::Conflict("no_candidate", where.empty() ? "no triage model is configured"
                                                         : "no candidate model to check (looked for " + where + ")");
  }
  return out;
}

ModelCheck ModelUpdater::check(const triage::ModelSettings& m, const std::string& file) {
  const auto started = std::chrono::steady_clock::now();
  ModelCheck c;
  c.model = m.name;
  c.at = system_now();
  c.file = file;
  auto finish = [&](bool accepted, std::string reason) {
    c.accepted = accepted;
    c.reason = std::move(reason);
    c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return c;
  };
  auto loaded = triage::Classifier::load(file);
  if (!loaded) return finish(false, loaded.error().message);
  auto candidate = std::make_shared<const triage::Classifier>(std::move(*loaded));
  c.trained_through = candidate->options().trained_through;
  c.provenance = candidate->options().provenance;
  const std::string field = corrected_field(m.predicts);
  if (field.empty()) return finish(false, "only team and category models learn from corrections");

  // Held out from both: corrections neither model learnt from, so neither is
  // scored on its own lessons.
  const std::int64_t seen = std::max(c.trained_through, m.model ? m.model->options().trained_through : 0);
  auto corrections = read_corrections([&](std::int64_t after, int limit) {
    return service_.list_corrections(field, std::max(after, seen), limit);
  });
  if (!corrections) return finish(false, "cannot read the corrections: " + corrections.error().message);
  std::vector<triage::Example> held;
  for (Lesson& l : latest_decisions(*corrections)) held.push_back(std::move(l.example));
  if (held.size() < options_.holdout) {
    return finish(false, "needs at least " + std::to_string(options_.holdout) +
                             " corrections neither it nor the serving model learnt from; there are " +
                             std::to_string(held.size()) + " (train with --holdout, or wait for more)");
  }
  c.candidate = triage::score_model(*candidate, held, m.min_confidence);
  if (m.model) c.serving = triage::score_model(*m.model, held, m.min_confidence);
  const triage::Verdict verdict = triage::judge(*c.candidate, c.serving, options_.tolerance);
  if (!verdict.accepted) return finish(false, verdict.reason);
  std::error_code ec;
  std::filesystem::rename(file, m.path, ec);
  if (ec) return finish(false, "cannot put it in place of " + m.path + ": " + ec.message());
  gate_.replace_model(m.name, std::move(candidate));
  return finish(true, verdict.reason);
}

void ModelUpdater::record(const ModelCheck& c) {
  auto saved = service_.change_setting(kHistoryKey, [&](const std::optional<std::string>& now) -> Result<std::string> {
    nlohmann::json list = now ? nlohmann::json::parse(*now, nullptr, false) : nlohmann::json::array();
    if (!list.is_array()) list = nlohmann::json::array();
    list.insert(list.begin(), check_json(c));
    if (list.size() > kHistoryKept) list.erase(list.begin() + kHistoryKept, list.end());
    return list.dump();
  });
  if (!saved) spdlog::error("triage model check not recorded: {}", saved.error().message);
}

std::string ModelUpdater::history_json() {
  auto saved = service_.find_setting(kHistoryKey);
  if (!saved || !*saved) return "[]";
  const nlohmann::json list = nlohmann::json::parse(**saved, nullptr, false);
  return list.is_array() ? list.dump() : "[]";
}

}  // namespace sb::intake
