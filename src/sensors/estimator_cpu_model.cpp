// CPU model string -> per-vCPU min/max watts, from the embedded tables
// cpu_power_per_vcpu.csv (by microarchitecture) and cpu_power.csv (TDP).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "refdata/csv.hpp"
#include "refdata/names.hpp"
#include "sensors/estimator.hpp"
#include "support/strings.hpp"

namespace joule::sensors::estimator {

namespace {

using refdata::ReferenceTable;

constexpr double kPerVcpuUncertainty = 0.30;  // CCF's own spread between providers and datasets
constexpr double kTdpUncertainty = 0.40;      // TDP is a thermal limit, not a measurement
constexpr double kDefaultUncertainty = 0.50;  // nothing known about this CPU

const ReferenceTable& per_vcpu_table() {
  return ReferenceTable::embedded("cpu_power_per_vcpu.csv");
}

void erase_all(std::string& s, std::string_view what) {
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at)) {
    s.replace(at, what.size(), " ");
  }
}

// The longest run of letters and digits in a normalised key ("8375c" in
// "xeon platinum 8375c"). Normalising only lowercases and deletes, so a row
// can only normalise to the key if its raw name contains this run: the other
// rows need not be normalised at all (this runs on joule run's start-up path).
std::string_view longest_alnum_run(std::string_view key) {
  std::string_view best;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= key.size(); ++i) {
    if (i < key.size() && std::isalnum(static_cast<unsigned char>(key[i]))) continue;
    if (i - start > best.size()) best = key.substr(start, i - start);
    start = i + 1;
  }
  return best;
}

// The cpu_power.csv rows a model resolves to: one TDP, or, when rows of the
// same exact name disagree (ARK's EP80579 clock variants), the range of
// their TDPs with the variants named. The table holds only the rows that can
// match the model (see find_tdp_row), and the line numbers are the file's.
struct TdpRow {
  std::shared_ptr<const ReferenceTable> table;
  std::size_t row = 0;  // the first variant: code name, threads, line
  double tdp_low_w = 0;
  double tdp_high_w = 0;
  std::string variants;  // "..., 600 MHz (13 W, line 3173); ..." when ranged
  bool ranged() const { return tdp_high_w > tdp_low_w; }
  std::string_view text(std::string_view column) const { return table->text(row, column); }
  std::optional<double> number(std::string_view column) const { return table->number(row, column); }
};

// The rows of `rows` with a TDP, and whether they all state the same one.
std::optional<TdpRow> tdp_row_of(std::shared_ptr<const ReferenceTable> table,
                                 const std::vector<std::size_t>& rows) {
  std::optional<TdpRow> out;
  for (std::size_t row : rows) {
    const auto tdp = table->number(row, "tdp_w");
    if (!tdp) continue;
    if (!out) {
      out = TdpRow{table, row, *tdp, *tdp, ""};
    } else {
      out->tdp_low_w = std::min(out->tdp_low_w, *tdp);
      out->tdp_high_w = std::max(out->tdp_high_w, *tdp);
    }
  }
  if (!out || !out->ranged()) return out;
  for (std::size_t row : rows) {
    if (const auto tdp = table->number(row, "tdp_w")) {
      out->variants += fmt::format("{}{} ({} W, line {})", out->variants.empty() ? "" : "; ",
                                   table->text(row, "model"), *tdp, table->line_of(row));
    }
  }
  return out;
}

// The rows of the model by the rule for every device name
// (refdata/names.hpp), on normalised names and without prefixes: the exact
// name, else a family only one TDP answers. Rows of the same exact name that
// disagree give a range; a family whose members disagree is refused (the
// model-number rule or the generic default answers instead), never the first
// row that happens to match. Only the rows whose model contains the model's
// longest run of letters and digits are parsed: the whole 5,000-row table was
// most of joule run's start-up.
std::optional<TdpRow> find_tdp_row(std::string_view model_name) {
  if (model_name.empty()) return std::nullopt;
  const std::string key = normalise_cpu_model(model_name);
  if (key.empty()) return std::nullopt;
  const std::string_view run = longest_alnum_run(key);
  auto table = std::make_shared<const ReferenceTable>(
      ReferenceTable::embedded_rows_where("cpu_power.csv", {"model", run}));
  std::vector<std::string> names;
  names.reserve(table->size());
  for (std::size_t row = 0; row < table->size(); ++row) {
    names.push_back(normalise_cpu_model(table->text(row, "model")));
  }
  const refdata::NameMatch match =
      refdata::match_name(names, key, refdata::NameRule::exact_then_family);
  if (match.row) return tdp_row_of(table, {*match.row});
  auto found = tdp_row_of(table, match.variants);
  if (found && found->ranged() && !match.exact) return std::nullopt;
  return found;
}

// lookup_cpu_coefficients asks twice for the same model (architecture, then
// TDP): remember the last answer.
std::optional<TdpRow> tdp_row(std::string_view model_name) {
  static std::mutex mutex;
  static std::string last_model;
  static std::optional<TdpRow> last_row;
  static bool known = false;
  std::lock_guard lock(mutex);
  if (!known || last_model != model_name) {
    last_row = find_tdp_row(model_name);
    last_model = std::string(model_name);
    known = true;
  }
  return last_row;
}

// cpu_power.csv code names (Boavizta's) -> cpu_power_per_vcpu.csv
// architectures. Only server parts and the plain names CCF itself measured;
// client variants (-U, -H, -Y, Alder Lake, ...) go to the TDP model, because
// CCF's per-vCPU figures are whole-server SPECpower watts per thread.
std::optional<std::string> architecture_for_codename(std::string_view codename) {
  static const std::unordered_map<std::string_view, std::string_view> map = {
      {"Sandy Bridge", "Sandy Bridge"},
      {"Ivy Bridge", "Ivy Bridge"},
      {"Haswell", "Haswell"},
      {"Broadwell", "Broadwell"},
      {"Skylake", "Skylake"},
      {"Skylake-SP", "Skylake"},
      {"Skylake-X", "Skylake"},
      {"Skylake-W", "Skylake"},
      {"Cascade Lake", "Cascade Lake"},
      {"Cascade Lake-SP", "Cascade Lake"},
      {"Cascade Lake-AP", "Cascade Lake"},
      {"Cascade Lake-X", "Cascade Lake"},
      {"Coffee Lake", "Coffee Lake"},
      {"Ice Lake", "Ice Lake"},
      {"Ice Lake-SP", "Ice Lake"},
      {"Ice Lake-W", "Ice Lake"},
      {"Sapphire Rapids", "Sapphire Rapids"},
      {"Sapphire Rapids HBM", "Sapphire Rapids"},
      {"Emerald Rapids", "Emerald Rapids"},
      {"Granite Rapids", "Granite Rapids"},
      {"Naples", "EPYC 1st Gen"},
      {"Rome", "EPYC 2nd Gen"},
      {"Milan", "EPYC 3rd Gen"},
      {"Milan-X", "EPYC 3rd Gen"},
      {"Genoa", "EPYC 4th Gen"},
      {"Genoa-X", "EPYC 4th Gen"},
      {"Bergamo", "EPYC 4th Gen"},
      {"Graviton2", "Graviton2"},
      {"Graviton3", "Graviton3"},
      {"Graviton3E", "Graviton3E"},
      {"Graviton4", "Graviton4"},
      // Turin's row is recomputed from its 41 SPECpower runs
      // (cpu_specpower_rows.csv), not ccf-coefficients' outlier.
      {"Turin", "EPYC 5th Gen"},
      {"Turin Dense", "EPYC 5th Gen"},
  };
  auto found = map.find(codename);
  if (found == map.end()) return std::nullopt;
  return std::string(found->second);
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_word(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || c == '_';
}

// Finds "<prefix>" followed by a part number for which `accept` returns true,
// at the first place it occurs. Hand-written rather than std::regex: compiling
// two regexes cost 27M instructions, more than half of `joule run`'s start.
template <class Accept>
bool find_part_number(const std::string& key, std::string_view prefix, Accept&& accept) {
  for (std::size_t at = key.find(prefix); at != std::string::npos; at = key.find(prefix, at + 1)) {
    if (accept(std::string_view(key).substr(at + prefix.size()))) return true;
  }
  return false;
}

// Model-number rules for parts the table lacks (cloud-custom SKUs):
// Xeon Scalable "<tier> NXYY": X = generation; EPYC "7XYZ"/"9XYZ": Z = generation.
std::optional<std::string> architecture_from_model_number(const std::string& key) {
  char xeon_generation = 0;
  bool cooper_lake = false;
  for (std::string_view tier : {"xeon platinum ", "xeon gold ", "xeon silver ", "xeon bronze "}) {
    const bool found = find_part_number(key, tier, [&](std::string_view part) {
      if (part.size() < 4 || !std::all_of(part.begin(), part.begin() + 4, is_digit)) return false;
      xeon_generation = part[1];
      // H/HL suffixes of the 3rd generation are Cooper Lake, which CCF lacks.
      cooper_lake = part.size() > 4 && part[4] == 'h';
      return true;
    });
    if (found) break;
  }
  if (xeon_generation != 0) {
    if (cooper_lake) return std::nullopt;
    switch (xeon_generation) {
      case '1':
        return "Skylake";
      case '2':
        return "Cascade Lake";
      case '3':
        return "Ice Lake";
      case '4':
        return "Sapphire Rapids";
      case '5':
        return "Emerald Rapids";
      default:
        return std::nullopt;
    }
  }
  char series = 0;
  char generation = 0;
  find_part_number(key, "epyc ", [&](std::string_view part) {
    if (part.size() < 4 || part[0] < '7' || part[0] > '9' || !is_word(part[1]) ||
        !is_word(part[2]) || !is_digit(part[3])) {
      return false;
    }
    series = part[0];
    generation = part[3];
    return true;
  });
  if (series == '7' && generation == '1') return "EPYC 1st Gen";
  if (series == '7' && generation == '2') return "EPYC 2nd Gen";
  if (series == '7' && generation == '3') return "EPYC 3rd Gen";
  if ((series == '9' || series == '8') && generation == '4') return "EPYC 4th Gen";
  if (series == '9' && generation == '5') return "EPYC 5th Gen";
  return std::nullopt;
}

// The table spells some architectures with a vendor prefix in one dataset
// ("AMD EPYC 2nd Gen", "AWS Graviton2") and without in the other.
std::string canonical_architecture(std::string_view name) {
  for (std::string_view prefix : {"AMD ", "AWS "}) {
    if (name.starts_with(prefix)) name.remove_prefix(prefix.size());
  }
  return std::string(name);
}

// The per-vCPU row for an architecture, in a fixed preference order: the CCF
// app values first (what deployed CCF reports, so numbers compare), then the
// 2026 regeneration for architectures the app lacks; AWS, then GCP, Azure.
std::optional<std::size_t> per_vcpu_row(std::string_view architecture) {
  const auto& table = per_vcpu_table();
  for (std::string_view dataset : {"CCF-app", "ccf-coefficients-2026"}) {
    for (std::string_view provider : {"aws", "gcp", "azure"}) {
      for (std::size_t row = 0; row < table.size(); ++row) {
        if (table.text(row, "dataset") == dataset && table.text(row, "provider") == provider &&
            table.text(row, "kind") == "cpu" &&
            canonical_architecture(table.text(row, "architecture")) == architecture) {
          return row;
        }
      }
    }
  }
  return std::nullopt;
}

std::size_t default_row() {
  const auto& table = per_vcpu_table();
  for (std::size_t row = 0; row < table.size(); ++row) {
    if (table.text(row, "dataset") == "CCF-app" && table.text(row, "provider") == "aws" &&
        table.text(row, "architecture").starts_with("UNKNOWN")) {
      return row;
    }
  }
  throw refdata::DataError(table.origin(), 0, 0,
                           "expected a CCF-app aws 'UNKNOWN' CPU row (the generic default)");
}

std::string display_name(std::string_view model_name) {
  return model_name.empty() ? std::string("unknown CPU (no 'model name' in cpuinfo)")
                            : fmt::format("'{}'", model_name);
}

}  // namespace

std::string_view to_string(CoefficientSource source) {
  switch (source) {
    case CoefficientSource::per_vcpu_table:
      return "per-vcpu-table";
    case CoefficientSource::tdp_table:
      return "tdp-table";
    case CoefficientSource::generic_default:
      return "generic-default";
  }
  return "generic-default";
}

namespace {

// Plain predicates rather than std::regex: normalise_cpu_model runs over every
// row of cpu_power.csv at discovery, which is on `joule run`'s start-up path.
bool all_of_chars(std::string_view s, bool (*allowed)(char)) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!allowed(c)) return false;
  }
  return true;
}
bool is_digit_or_dot(char c) {
  return is_digit(c) || c == '.';
}
bool is_digit_or_lower(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z');
}

// "12th", "3rd": Intel's "12th Gen" prefix.
bool is_ordinal(std::string_view word) {
  if (word.size() < 3) return false;
  auto suffix = word.substr(word.size() - 2);
  return (suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th") &&
         all_of_chars(word.substr(0, word.size() - 2), is_digit);
}

// Vendor names, "processor", "cpu", "8-core", "2.90ghz".
bool is_dropped_word(std::string_view word) {
  if (word == "intel" || word == "amd" || word == "processor" || word == "cpu") return true;
  if (word.ends_with("-core")) {
    return all_of_chars(word.substr(0, word.size() - 5), is_digit_or_lower);
  }
  if (word.ends_with("ghz")) return all_of_chars(word.substr(0, word.size() - 3), is_digit_or_dot);
  return false;
}

// TDP spread over the socket's threads. A range of TDPs (variants of one
// name) is modelled at its middle, its half-width added to the uncertainty.
CpuCoefficients tdp_coefficients(const CpuInfo& cpuinfo, const TdpRow& row) {
  // Threads per socket: the table's, else what this machine shows per
  // socket (exact on bare metal; in a VM it overstates watts per vCPU).
  auto threads = row.number("threads");
  std::string threads_from = "cpu_power.csv threads";
  if (!threads || *threads <= 0) {
    threads = std::max(1.0, static_cast<double>(cpuinfo.logical_cpus) / cpuinfo.sockets);
    threads_from = "threads per socket in cpuinfo";
  }
  const double tdp_w = (row.tdp_low_w + row.tdp_high_w) / 2;
  const double half_range = (row.tdp_high_w - row.tdp_low_w) / (row.tdp_high_w + row.tdp_low_w);
  CpuCoefficients c;
  c.max_per_vcpu = {tdp_w / *threads};
  c.min_per_vcpu = {kTdpIdleFraction * c.max_per_vcpu.watts};
  c.source = CoefficientSource::tdp_table;
  c.relative_uncertainty = kTdpUncertainty + half_range;
  c.microarchitecture = std::string(row.text("codename"));
  const std::string tdp_text =
      row.ranged() ? fmt::format("TDP {}-{} W (middle {} W; ambiguous name, variants: {})",
                                 row.tdp_low_w, row.tdp_high_w, tdp_w, row.variants)
                   : fmt::format("TDP {} W", tdp_w);
  c.description = fmt::format(
      "{} -> {} / {} threads ({}) = {:.3g}-{:.3g} W/vCPU, idle {:.0f}% of TDP "
      "(cpu_power.csv line {})",
      display_name(cpuinfo.model_name), tdp_text, *threads, threads_from, c.min_per_vcpu.watts,
      c.max_per_vcpu.watts, kTdpIdleFraction * 100, row.table->line_of(row.row));
  return c;
}

}  // namespace

std::string normalise_cpu_model(std::string_view model_name) {
  std::string s(model_name);
  if (auto at = s.find('@'); at != std::string::npos) s.erase(at);  // "@ 2.90GHz"
  for (std::string_view mark : {"\u00ae", "\u2122"}) erase_all(s, mark);
  s = support::to_lower(s);
  for (std::string_view mark : {"(r)", "(tm)", "(c)"}) erase_all(s, mark);
  // "with Radeon Graphics" / "w/ Radeon 780M Graphics" name the iGPU, not the CPU.
  for (std::string_view tail : {" with ", " w/ "}) {
    if (auto at = s.find(tail); at != std::string::npos) s.erase(at);
  }
  std::vector<std::string> words;
  std::size_t pos = 0;
  while (pos < s.size()) {
    while (pos < s.size() && std::isspace(static_cast<unsigned char>(s[pos]))) ++pos;
    auto start = pos;
    while (pos < s.size() && !std::isspace(static_cast<unsigned char>(s[pos]))) ++pos;
    if (start == pos) break;
    words.push_back(s.substr(start, pos - start));
  }
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    // "12th Gen Intel Core i7-12700K": Intel's /proc/cpuinfo prefix, which
    // the table's names lack. Dropped on both sides, so keys still agree.
    if (i + 1 < words.size() && words[i + 1] == "gen" && is_ordinal(words[i])) {
      ++i;
      continue;
    }
    if (is_dropped_word(words[i])) continue;
    if (!out.empty()) out += ' ';
    out += words[i];
  }
  return out;
}

std::optional<std::string> microarchitecture_for(std::string_view model_name) {
  if (auto row = tdp_row(model_name)) {
    if (auto arch = architecture_for_codename(row->text("codename"))) return arch;
  }
  return architecture_from_model_number(normalise_cpu_model(model_name));
}

CpuCoefficients lookup_cpu_coefficients(const CpuInfo& cpuinfo) {
  const auto& model = cpuinfo.model_name;
  CpuCoefficients c;
  if (auto arch = microarchitecture_for(model)) {
    if (auto row = per_vcpu_row(*arch)) {
      const auto& table = per_vcpu_table();
      c.min_per_vcpu = {table.number(*row, "min_watts").value_or(0)};
      c.max_per_vcpu = {table.number(*row, "max_watts").value_or(0)};
      c.source = CoefficientSource::per_vcpu_table;
      c.relative_uncertainty = kPerVcpuUncertainty;
      c.microarchitecture = *arch;
      c.description = fmt::format(
          "{} -> {}, CCF {}-{} W/vCPU ({} {}, cpu_power_per_vcpu.csv line {})", display_name(model),
          *arch, c.min_per_vcpu.watts, c.max_per_vcpu.watts, table.text(*row, "dataset"),
          table.text(*row, "provider"), table.line_of(*row));
      return c;
    }
  }
  if (auto row = tdp_row(model)) return tdp_coefficients(cpuinfo, *row);
  const auto& table = per_vcpu_table();
  const auto row = default_row();
  c.min_per_vcpu = {table.number(row, "min_watts").value_or(0)};
  c.max_per_vcpu = {table.number(row, "max_watts").value_or(0)};
  c.source = CoefficientSource::generic_default;
  c.relative_uncertainty = kDefaultUncertainty;
  c.description = fmt::format(
      "{} not in cpu_power.csv -> generic default {}-{} W/vCPU ({}, cpu_power_per_vcpu.csv line "
      "{})",
      display_name(model), c.min_per_vcpu.watts, c.max_per_vcpu.watts,
      table.text(row, "architecture"), table.line_of(row));
  return c;
}

std::optional<double> package_threads(std::string_view model_name, std::string& source) {
  auto row = tdp_row(model_name);
  if (!row) return std::nullopt;
  auto threads = row->number("threads");
  if (!threads || *threads <= 0) return std::nullopt;
  source =
      fmt::format("cpu_power.csv line {}: {}", row->table->line_of(row->row), row->text("model"));
  return threads;
}

}  // namespace joule::sensors::estimator
