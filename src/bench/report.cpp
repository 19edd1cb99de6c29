// The text reports: the terminal table and summary.md, which share their cells.
#include "bench/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include <fmt/ranges.h>

#include "bench/engine/engine.hpp"
#include "joule/format.hpp"
#include "report/format.hpp"

namespace joule::bench {
namespace {

using Rows = std::vector<std::vector<std::string>>;

bool finite(double x) {
  return std::isfinite(x);
}

// --- numbers for people -------------------------------------------------------

// Three significant digits, as joule's other reports print them.
std::string three_digits(double x) {
  const double magnitude = std::fabs(x);
  const int decimals = magnitude >= 100 || x == 0 ? 0 : magnitude >= 10 ? 1 : 2;
  return fmt::format("{:.{}f}", x, decimals);
}

struct Unit {
  double from;  // the smallest magnitude printed in this unit
  double size;  // in the base unit
  const char* name;
};

// The last unit whose range starts at or below `magnitude` (the first when
// the magnitude is smaller than all).
Unit unit_for(double magnitude, const std::vector<Unit>& units) {
  Unit chosen = units.front();
  for (const Unit& unit : units) {
    if (magnitude >= unit.from) chosen = unit;
  }
  return chosen;
}

const std::vector<Unit> kJouleUnits = {
    {0, 1e-3, "mJ"}, {1, 1, "J"}, {1e3, 1e3, "kJ"}, {1e6, 1e6, "MJ"}, {1e9, 1e9, "GJ"}};
const std::vector<Unit> kMillisecondUnits = {{0, 1e-3, "µs"}, {1, 1, "ms"}, {1e3, 1e3, "s"}};
// Minutes from 100 s and hours from 100 min keep three digits readable.
const std::vector<Unit> kSecondUnits = {{0, 1, "s"}, {100, 60, "min"}, {6000, 3600, "h"}};
const std::vector<Unit> kCountUnits = {
    {0, 1, ""}, {1e3, 1e3, " k"}, {1e6, 1e6, " M"}, {1e9, 1e9, " G"}};

// "12.3 kJ [11.9–12.8]": the median with its unit and, from two values on,
// the bootstrap interval in the same unit so that it reads at a glance.
std::string with_interval(const Interval& interval, const std::vector<Unit>& units) {
  if (interval.n == 0 || !finite(interval.median)) return "n/a";
  const Unit unit = unit_for(std::fabs(interval.median), units);
  std::string text = fmt::format("{} {}", three_digits(interval.median / unit.size), unit.name);
  if (interval.n > 1 && (interval.low != interval.median || interval.high != interval.median)) {
    text += fmt::format(" [{}–{}]", three_digits(interval.low / unit.size),
                        three_digits(interval.high / unit.size));
  }
  return text;
}

std::string with_interval(const std::optional<Interval>& interval, const std::vector<Unit>& units) {
  return interval ? with_interval(*interval, units) : "n/a";
}

}  // namespace

std::string format_quality(double quality) {
  if (!finite(quality)) return "n/a";
  return std::fabs(quality) < 10 ? fmt::format("{:.3f}", quality) : fmt::format("{:.4g}", quality);
}

namespace {

std::string quality_with_interval(const Interval& interval) {
  if (interval.n == 0 || !finite(interval.median)) return "n/a";
  std::string text = format_quality(interval.median);
  if (interval.n > 1 && (interval.low != interval.median || interval.high != interval.median)) {
    text += fmt::format(" [{}–{}]", format_quality(interval.low), format_quality(interval.high));
  }
  return text;
}

std::string format_amount(double count, const char* suffix) {
  if (!finite(count) || count <= 0) return "n/a";
  const Unit unit = unit_for(count, kCountUnits);
  std::string digits =
      unit.size == 1 ? fmt::format("{:.0f}", count) : three_digits(count / unit.size);
  return fmt::format("{}{}{}", digits, unit.name, suffix);
}

}  // namespace

std::string format_tier(double tier) {
  return fmt::format("{:g}", tier);
}

namespace {

std::string tier_list(const std::vector<double>& tiers) {
  std::string text;
  for (double tier : tiers) text += (text.empty() ? "" : ", ") + format_tier(tier);
  return text.empty() ? "none" : text;
}

std::string direction_words(Direction direction) {
  return direction == Direction::higher_is_better ? "higher is better" : "lower is better";
}

std::string or_unknown(const std::string& text) {
  return text.empty() ? "unknown" : text;
}

// --- the table shared by the terminal and Markdown ----------------------------

// The large batch every model ran at, or 0 when they differ (each cell then
// names its own batch).
int common_large_batch(const TaskSummary& summary) {
  int common = -1;
  for (const ModelSummary& model : summary.models) {
    if (model.large_batch == 0) continue;
    if (common == -1) common = model.large_batch;
    if (common != model.large_batch) return 0;
  }
  return common == -1 ? 0 : common;
}

// Who stopped the seeds that missed a tier: "budget" (a cap while still
// improving), "model" (a plateau), or both with their counts.
std::string missed_by(const TierSummary& tier) {
  if (tier.missed_by_budget > 0 && tier.missed_by_model > 0) {
    return fmt::format("budget {}, model {}", tier.missed_by_budget, tier.missed_by_model);
  }
  if (tier.missed_by_budget > 0) return "budget";
  if (tier.missed_by_model > 0) return "model";
  return "";
}

std::string not_reached(const TierSummary& tier) {
  const std::string who = missed_by(tier);
  return who.empty() ? "not reached" : fmt::format("not reached ({})", who);
}

std::string tier_cell(const TierSummary& tier, std::size_t seeds) {
  // Never a worse number for a seed that did not get there: say so instead.
  if (tier.seeds_reached == 0 || !tier.joules) return not_reached(tier);
  std::string text = with_interval(*tier.joules, kJouleUnits);
  if (tier.seeds_reached < seeds) text += fmt::format(" ({}/{} seeds)", tier.seeds_reached, seeds);
  return text;
}

bool any_tuned(const TaskSummary& summary) {
  return std::any_of(summary.models.begin(), summary.models.end(),
                     [](const ModelSummary& model) { return model.tuning_joules.has_value(); });
}

std::string seeds_cell(const ModelSummary& model) {
  if (model.figures_disturbed) return fmt::format("{} !", model.seeds);
  if (model.disturbed_runs > 0)
    return fmt::format("{} (+{} left out !)", model.seeds, model.disturbed_runs);
  return fmt::format("{}", model.seeds);
}

}  // namespace

Table summary_table(const TaskSummary& summary) {
  const int large = common_large_batch(summary);
  const bool tuned = any_tuned(summary);
  std::vector<std::string> header = {
      "#",      "model",        summary.task.metric, "test " + summary.task.metric,
      "params", "FLOPs/sample", "train energy",      "train time"};
  if (tuned) header.push_back("tuning energy");
  header.push_back("idle share");
  header.push_back("above idle");
  for (double tier : summary.task.tiers) header.push_back("energy to " + format_tier(tier));
  header.push_back("J/1000 batch 1");
  header.push_back(large > 0 ? fmt::format("J/1000 batch {}", large) : "J/1000 large batch");
  header.push_back("latency batch 1");
  header.push_back("seeds");

  Rows rows = {header};
  for (std::size_t i = 0; i < summary.models.size(); ++i) {
    const ModelSummary& model = summary.models[i];
    std::vector<std::string> row = {fmt::format("{}", i + 1),
                                    model.model + (summary.on_pareto_front(i) ? " *" : ""),
                                    quality_with_interval(model.quality),
                                    quality_with_interval(model.test_quality),
                                    format_amount(model.parameters, ""),
                                    format_amount(model.flops_per_sample, ""),
                                    with_interval(model.training_joules, kJouleUnits),
                                    with_interval(model.training_seconds, kSecondUnits)};
    if (tuned) row.push_back(with_interval(model.tuning_joules, kJouleUnits));
    row.push_back(finite(model.idle_share) ? report::format_percent(model.idle_share) : "n/a");
    // What the training cost beyond keeping the machine on.
    row.push_back(
        finite(model.idle_share) && finite(model.training_joules.median)
            ? fmt::format("{}", Joules{model.training_joules.median * (1 - model.idle_share)})
            : "n/a");
    for (const TierSummary& tier : model.tiers) row.push_back(tier_cell(tier, model.seeds));
    row.push_back(with_interval(model.inference_batch1_j_per_1000, kJouleUnits));
    std::string batch_cell = with_interval(model.inference_batch_j_per_1000, kJouleUnits);
    if (large == 0 && model.large_batch > 0)
      batch_cell += fmt::format(" (batch {})", model.large_batch);
    row.push_back(batch_cell);
    row.push_back(with_interval(model.latency_batch1_ms, kMillisecondUnits));
    row.push_back(seeds_cell(model));
    rows.push_back(row);
  }
  std::vector<bool> right(rows.front().size(), true);
  right[1] = false;  // model names read from the left
  return {rows, right};
}

std::vector<std::string> disturbed_notes(const TaskSummary& summary) {
  std::vector<std::string> notes;
  for (const ModelSummary& model : summary.models) {
    if (model.figures_disturbed) {
      notes.push_back(fmt::format(
          "{}: every run was disturbed by other processes using the CPU; its figures are shown "
          "but are not clean measurements",
          model.model));
    } else if (model.disturbed_runs > 0) {
      notes.push_back(fmt::format(
          "{}: {} run(s) disturbed by other processes using the CPU, left out of the figures",
          model.model, model.disturbed_runs));
    }
  }
  return notes;
}

std::string energy_line(const MeasurementSetup& provenance) {
  const std::string uncertainty =
      provenance.relative_uncertainty > 0
          ? ", " + report::format_relative(provenance.relative_uncertainty)
          : std::string();
  if (provenance.modelled) {
    return fmt::format(
        "ENERGY IS MODELLED, NOT MEASURED: only the estimator is available on this machine, so "
        "every joule below is a model of CPU time ({}{}).",
        or_unknown(provenance.energy_source), uncertainty);
  }
  return fmt::format("Energy measured: {}{}.", or_unknown(provenance.energy_source), uncertainty);
}

std::string runtime_line(const MeasurementSetup& provenance) {
  return fmt::format("BLAS: {} · threads: {} · LibTorch {} · {} · {} mode · {}",
                     or_unknown(provenance.blas),
                     provenance.threads > 0 ? fmt::format("{}", provenance.threads) : "unknown",
                     or_unknown(provenance.torch_version), or_unknown(provenance.host),
                     or_unknown(provenance.mode), or_unknown(provenance.date_utc));
}

std::string tiers_line(const TaskInfo& task) {
  std::string line = fmt::format("Tiers ({}): {}", task.metric, tier_list(task.tiers));
  if (!task.tier_note.empty()) line += " — " + task.tier_note;
  return line;
}

namespace {

// --- Markdown -------------------------------------------------------------------

// Model names and notes are text, not markup: a '|' would split a table
// cell and '<' or '&' start HTML.
std::string markdown_text(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
      case '|':
        escaped += "\\|";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '&':
        escaped += "&amp;";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

std::string markdown_table(const Rows& rows, const std::vector<bool>& right) {
  std::string out;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    out += "|";
    for (const std::string& cell : rows[r]) out += " " + markdown_text(cell) + " |";
    out += "\n";
    if (r == 0) {
      out += "|";
      for (std::size_t c = 0; c < rows[r].size(); ++c)
        out += c < right.size() && right[c] ? "---:|" : "---|";
      out += "\n";
    }
  }
  return out;
}

std::string tier_detail(const TierSummary& tier, std::size_t seeds) {
  if (tier.seeds_reached == 0 || !tier.joules) return not_reached(tier);
  std::string text = fmt::format("{} · {}", with_interval(*tier.joules, kJouleUnits),
                                 with_interval(tier.seconds, kSecondUnits));
  if (tier.epochs && finite(tier.epochs->median)) {
    const double epochs = tier.epochs->median;
    // Two significant digits below ten ("1.3"), whole epochs above ("12").
    const std::string digits =
        epochs >= 10 ? fmt::format("{:.0f}", epochs) : fmt::format("{:.2g}", epochs);
    text += fmt::format(" · {} epoch{}", digits, epochs == 1 ? "" : "s");
  }
  if (tier.seeds_reached < seeds) {
    text += fmt::format(" ({}/{} seeds; missed: {})", tier.seeds_reached, seeds, missed_by(tier));
  }
  return text;
}

}  // namespace

Table tier_table(const TaskSummary& summary) {
  Rows rows = {{"model"}};
  for (double tier : summary.task.tiers) rows[0].push_back(format_tier(tier));
  for (const ModelSummary& model : summary.models) {
    std::vector<std::string> row = {model.model};
    for (const TierSummary& tier : model.tiers) row.push_back(tier_detail(tier, model.seeds));
    rows.push_back(row);
  }
  std::vector<bool> right(rows[0].size(), true);
  right[0] = false;
  return {rows, right};
}

namespace {

std::string markdown_tiers(const TaskSummary& summary) {
  if (summary.task.tiers.empty()) return "";
  const Table table = tier_table(summary);
  return "### Energy, time and epochs to each tier\n\n" + markdown_table(table.rows, table.right) +
         "\n";
}

std::string markdown_front(const TaskSummary& summary) {
  std::string out = fmt::format("### Pareto front: {} against training energy\n\n",
                                markdown_text(summary.task.metric));
  if (summary.pareto.empty()) return out + "No model has both a quality and an energy.\n\n";
  int position = 1;
  for (std::size_t index : summary.pareto) {
    const ModelSummary& model = summary.models[index];
    out += fmt::format("{}. **{}**: {} {}, {}\n", position++, markdown_text(model.model),
                       format_quality(model.quality.median), markdown_text(summary.task.metric),
                       Joules{model.training_joules.median});
  }
  return out + "\n";
}

std::string ratio_cell(double ratio) {
  return finite(ratio) ? report::format_ratio(ratio) : std::string("n/a");
}

}  // namespace

Table variant_table(const TaskSummary& summary) {
  Rows rows = {{"model", "variant", "baseline", "batch", "energy", "latency", "seeds", "note"}};
  for (const ModelSummary& model : summary.models) {
    for (const ModelSummary::VariantRatio& variant : model.variants) {
      if (!variant.supported) {
        rows.push_back({model.model, variant.variant, variant.baseline,
                        fmt::format("{}", variant.batch), "not supported", "", "0", variant.note});
        continue;
      }
      const std::string baseline =
          variant.baseline_batch > 0
              ? fmt::format("{} at batch {}", variant.baseline, variant.baseline_batch)
              : variant.baseline;
      rows.push_back({model.model, variant.variant, baseline, fmt::format("{}", variant.batch),
                      ratio_cell(variant.energy_ratio), ratio_cell(variant.latency_ratio),
                      fmt::format("{}", variant.n), variant.note});
    }
  }
  return {rows, {false, false, false, true, true, true, true, false}};
}

Table piece_table(const TaskSummary& summary) {
  Rows rows = {{"model", "seed", "machine", "wall time"}};
  Seconds total;
  for (const ModelSummary& model : summary.models) {
    for (const ModelSummary::Piece& piece : model.pieces) {
      const bool known = finite(piece.wall.seconds);
      if (known) total += piece.wall;
      rows.push_back({model.model, fmt::format("{}", piece.seed), or_unknown(piece.machine),
                      known ? fmt::format("{}", piece.wall) : "not recorded"});
    }
  }
  if (rows.size() > 1) rows.push_back({"all", "", "", fmt::format("{}", total)});
  return {rows, {false, true, false, true}};
}

namespace {

std::string times(double ratio) {
  return "×" + three_digits(ratio);
}

std::string ratio_with_interval(const Interval& interval) {
  std::string text = times(interval.median);
  if (interval.low != interval.median || interval.high != interval.median) {
    text += fmt::format(" [{}–{}]", three_digits(interval.low), three_digits(interval.high));
  }
  return text;
}

// "×41.2 [30.1–55.0] energy, ×38.0 time", or why there is no ratio: a
// model that missed the tier is never given a worse number, only the floor
// its spent energy puts under the ratio.
std::string matched_cell(const MatchedRatio& ratio) {
  if (!ratio.energy) {
    TierSummary tier;
    tier.missed_by_budget = ratio.missed_by_budget;
    tier.missed_by_model = ratio.missed_by_model;
    const std::string missed = not_reached(tier);
    return ratio.energy_floor ? fmt::format("≥ {} energy, {}", times(*ratio.energy_floor), missed)
                              : missed;
  }
  std::string text = ratio_with_interval(*ratio.energy) + " energy";
  if (ratio.time) text += ", " + ratio_with_interval(*ratio.time) + " time";
  if (ratio.seeds_reached < ratio.seeds) {
    text += fmt::format(" ({}/{} seeds)", ratio.seeds_reached, ratio.seeds);
  }
  return text;
}

// The tiers, in order, that some ratio is at: the columns of a ratio grid.
std::vector<double> tiers_in(const std::vector<MatchedRatio>& ratios,
                             const std::vector<double>& tiers) {
  std::vector<double> columns;
  for (double tier : tiers) {
    if (std::any_of(ratios.begin(), ratios.end(),
                    [&](const MatchedRatio& ratio) { return ratio.tier == tier; })) {
      columns.push_back(tier);
    }
  }
  return columns;
}

// One row per key (in order of first appearance), one column per tier in
// `columns`; `header(tier)` names a column, `key(ratio)` a row.
template <typename Header, typename Key>
Table ratio_grid(const std::vector<MatchedRatio>& ratios, const std::vector<double>& columns,
                 const std::string& corner, Header header, Key key) {
  Rows rows = {{corner}};
  for (double tier : columns) rows[0].push_back(header(tier));
  for (const MatchedRatio& ratio : ratios) {
    auto row = std::find_if(rows.begin() + 1, rows.end(),
                            [&](const auto& r) { return r.front() == key(ratio); });
    if (row == rows.end()) {
      rows.push_back(std::vector<std::string>(columns.size() + 1, "—"));
      rows.back().front() = key(ratio);
      row = rows.end() - 1;
    }
    const auto column = std::find(columns.begin(), columns.end(), ratio.tier) - columns.begin();
    (*row)[static_cast<std::size_t>(column) + 1] = matched_cell(ratio);
  }
  std::vector<bool> right(rows[0].size(), true);
  right[0] = false;
  return {rows, right};
}

// The model every ratio at `tier` is against.
std::string reference_at(const std::vector<MatchedRatio>& ratios, double tier) {
  const auto first = std::find_if(ratios.begin(), ratios.end(),
                                  [&](const MatchedRatio& ratio) { return ratio.tier == tier; });
  return first == ratios.end() ? std::string() : first->reference;
}

}  // namespace

Table cheapest_ratio_table(const TaskSummary& summary) {
  const std::vector<MatchedRatio>& ratios = summary.matched.against_cheapest;
  const std::vector<double> columns = tiers_in(ratios, summary.task.tiers);
  Table table = ratio_grid(
      ratios, columns, "model",
      [&](double tier) {
        return fmt::format("{} (against {})", format_tier(tier), reference_at(ratios, tier));
      },
      [](const MatchedRatio& ratio) { return ratio.model; });
  // The reference's own cell, where it has a row for another tier.
  for (std::size_t column = 0; column < columns.size(); ++column) {
    const std::string reference = reference_at(ratios, columns[column]);
    for (auto& row : table.rows) {
      if (row.front() == reference) row[column + 1] = "the cheapest";
    }
  }
  return table;
}

Table recurrent_dense_table(const TaskSummary& summary) {
  const std::vector<MatchedRatio>& ratios = summary.matched.recurrent_against_dense;
  return ratio_grid(
      ratios, tiers_in(ratios, summary.task.tiers), "recurrent against dense",
      [](double tier) { return format_tier(tier); },
      [](const MatchedRatio& ratio) { return ratio.model + " against " + ratio.reference; });
}

std::string mixed_machines_line(const MeasurementSetup& provenance) {
  if (provenance.machines.size() < 2) return "";
  return fmt::format(
      "MIXED MACHINES: these results join runs taken on {} machines ({}); energy and time from "
      "different machines are not comparable one to one.",
      provenance.machines.size(), fmt::join(provenance.machines, "; "));
}

namespace {

std::string markdown_variants(const TaskSummary& summary) {
  std::string out = "### Hidden costs: inference variants as a ratio against their baseline\n\n";
  const Table table = variant_table(summary);
  if (table.rows.size() == 1) return out + "No hidden-cost variants were measured.\n\n";
  out += "Below ×1.00 the variant is cheaper (energy per 1,000 samples) or faster (latency).\n\n";
  return out + markdown_table(table.rows, table.right) + "\n";
}

std::string markdown_matched(const TaskSummary& summary) {
  const Table cheapest = cheapest_ratio_table(summary);
  if (cheapest.rows.size() == 1) return "";
  std::string out =
      "### At matched quality: energy and time to each tier against the cheapest model\n\n"
      "Each cell is a ratio of medians over seeds, with a bootstrap 95% interval that resamples "
      "both models' seeds; ×1 costs the same as the model it is against. A model that missed "
      "the tier shows the floor its spent training energy puts under the ratio.\n\n" +
      markdown_table(cheapest.rows, cheapest.right) + "\n";
  const Table recurrent = recurrent_dense_table(summary);
  if (recurrent.rows.size() == 1) return out;
  return out + "#### Recurrent against dense, the essays' comparison\n\n" +
         markdown_table(recurrent.rows, recurrent.right) + "\n";
}

std::string markdown_pieces(const TaskSummary& summary) {
  const Table table = piece_table(summary);
  if (table.rows.size() == 1) return "";
  return "### Pieces: the wall time of each (model, seed)\n\nFrom its start to its end, tuning, "
         "evaluation and inference included; each is one resumable unit of work.\n\n" +
         markdown_table(table.rows, table.right) + "\n";
}

std::string svg_link(const std::string& svg_name, const std::string& task) {
  std::string name = svg_name;
  const std::string placeholder = "{task}";
  for (std::size_t at = name.find(placeholder); at != std::string::npos;
       at = name.find(placeholder, at + task.size())) {
    name.replace(at, placeholder.size(), task);
  }
  return name;
}

std::string markdown_task(const TaskSummary& summary, const std::string& svg_name) {
  const TaskInfo& task = summary.task;
  std::string out = fmt::format("## {}\n\n", markdown_text(task.name));
  out += fmt::format(
      "Quality: {} ({}) on the validation split, which alone decides the curves, tiers, early "
      "stopping and tuning; the test column scores the same networks once, at the end. {}.\n\n",
      markdown_text(task.metric), direction_words(task.direction), markdown_text(tiers_line(task)));
  out += fmt::format("**{}**\n\n", markdown_text(summary.sentence));
  const Table table = summary_table(summary);
  out += markdown_table(table.rows, table.right);
  out +=
      "\nMedian over seeds with a bootstrap 95% interval in brackets. Ranked on total training "
      "energy (idle share included). * on the Pareto front. Energy to a tier counts only the "
      "seeds that reached it; a tier not reached says whether the budget (an epoch or time cap "
      "while still improving) or the model (no validation gain in the patience window) stopped "
      "it.\n\n";
  out += any_tuned(summary)
             ? fmt::format(
                   "Tuning: each network trained at {}x its default learning rate from the same "
                   "initial weights; the best on validation is reported, and the tuning energy is "
                   "the training energy of the others, a real cost of the model beside its "
                   "training energy (the n-gram has no learning rate to tune).\n\n",
                   fmt::join(kFullModeLearningRateFactors, "x, "))
             : "No tuning: each network trained once at its default learning rate (quick mode "
               "does not tune).\n\n";
  const std::vector<std::string> notes = disturbed_notes(summary);
  for (const std::string& note : notes) out += "- ! " + markdown_text(note) + "\n";
  if (!notes.empty()) out += "\n";
  out += markdown_tiers(summary);
  out += markdown_matched(summary);
  out += markdown_front(summary);
  out += markdown_variants(summary);
  out += markdown_pieces(summary);
  if (!svg_name.empty()) {
    out += fmt::format("![Pareto front of {}]({})\n\n", task.name, svg_link(svg_name, task.name));
  }
  return out;
}
}  // namespace

std::string terminal_table(const TaskSummary& summary, const MeasurementSetup& provenance) {
  const TaskInfo& task = summary.task;
  std::string out = fmt::format("joule bench · {} · {} ({})\n", task.name, task.metric,
                                direction_words(task.direction));
  out += energy_line(provenance) + "\n";
  if (const std::string mixed = mixed_machines_line(provenance); !mixed.empty()) {
    out += mixed + "\n";
  }
  out += runtime_line(provenance) + "\n";
  out += tiers_line(task) + "\n\n";
  if (summary.models.empty()) return out + "  no results\n\n" + summary.sentence + "\n";
  const Table table = summary_table(summary);
  out += report::render_table(table.rows, table.right);
  out +=
      "\n  Median over seeds, bootstrap 95% interval in brackets; ranked on total training "
      "energy (idle share included); * on the Pareto front.\n";
  for (const std::string& note : disturbed_notes(summary)) out += "  ! " + note + "\n";
  return out + "\n" + summary.sentence + "\n";
}

std::string markdown_report(const std::vector<TaskSummary>& summaries,
                            const MeasurementSetup& provenance, const std::string& svg_name) {
  std::string out = "# joule bench\n\n";
  if (provenance.modelled) out += "> **" + markdown_text(energy_line(provenance)) + "**\n\n";
  out += fmt::format("- Energy: {} ({})\n", provenance.modelled ? "modelled" : "measured",
                     markdown_text(or_unknown(provenance.energy_source)));
  if (provenance.relative_uncertainty > 0) {
    out += fmt::format("- Uncertainty of energy: {}\n",
                       report::format_relative(provenance.relative_uncertainty));
  }
  if (const std::string mixed = mixed_machines_line(provenance); !mixed.empty()) {
    out += "> **" + markdown_text(mixed) + "**\n\n";
  }
  out += fmt::format("- Host: {}\n", markdown_text(or_unknown(provenance.host)));
  out += fmt::format("- BLAS: {}, threads: {}\n", markdown_text(or_unknown(provenance.blas)),
                     provenance.threads > 0 ? fmt::format("{}", provenance.threads) : "unknown");
  out += fmt::format("- LibTorch: {}\n", markdown_text(or_unknown(provenance.torch_version)));
  out += fmt::format("- Mode: {}, date: {}\n\n", markdown_text(or_unknown(provenance.mode)),
                     markdown_text(or_unknown(provenance.date_utc)));
  for (const TaskSummary& summary : summaries) out += markdown_task(summary, svg_name);
  return out;
}

}  // namespace joule::bench
