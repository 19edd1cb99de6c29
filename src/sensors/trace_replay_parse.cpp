// Parsing "joule trace v1" files. Every error names the file, line and column
// and says what was expected, so a user's bug-report trace can be fixed by
// hand.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "refdata/csv.hpp"
#include "sensors/backends.hpp"
#include "sensors/trace_replay.hpp"
#include "support/files.hpp"
#include "support/strings.hpp"

namespace joule::sensors::trace {

namespace {

using refdata::DataError;
using support::trim;

constexpr std::string_view kMagic = "# joule trace v1";

struct Field {
  std::string_view text;  // trimmed
  std::size_t column;     // 1-based column where the field starts
};

// Plain comma-separated fields (traces hold ids and numbers: no quoting).
// `offset` is the column of text[0] minus one. At most max_fields are split;
// the last one keeps the rest of the line, commas included.
std::vector<Field> split_fields(std::string_view text, std::size_t offset,
                                std::size_t max_fields = SIZE_MAX) {
  std::vector<Field> fields;
  std::size_t start = 0;
  while (true) {
    auto comma = fields.size() + 1 < max_fields ? text.find(',', start) : std::string_view::npos;
    auto piece = text.substr(start, comma == std::string_view::npos ? comma : comma - start);
    // The column points at the field's first character, not its padding.
    const auto padding = std::min(piece.find_first_not_of(" \t"), piece.size());
    fields.push_back({trim(piece), offset + start + padding + 1});
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return fields;
}

std::optional<double> to_number(std::string_view text) {
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<Component> parse_component(std::string_view text) {
  static const std::map<std::string_view, Component> names = {
      {"cpu-package", Component::cpu_package},
      {"cpu-core", Component::cpu_core},
      {"cpu-uncore", Component::cpu_uncore},
      {"dram", Component::dram},
      {"gpu", Component::gpu},
      {"psys", Component::psys},
      {"system", Component::system},
      {"battery", Component::battery},
      {"other", Component::other},
  };
  std::string name(text);
  for (auto& c : name) c = c == '_' ? '-' : c;  // cpu_package as the enum spells it
  auto found = names.find(name);
  if (found == names.end()) return std::nullopt;
  return found->second;
}

struct Line {
  std::string_view text;
  std::size_t number;
};

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> lines;
  std::size_t number = 1;
  while (!text.empty()) {
    auto end = text.find('\n');
    auto line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back({line, number++});
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

class Parser {
 public:
  Parser(std::string_view text, std::string origin) : origin_(std::move(origin)) {
    trace_.origin = origin_;
    lines_ = split_lines(text);
  }

  Trace parse() {
    if (lines_.empty() || trim(lines_[0].text) != kMagic) {
      throw error(1, 1, fmt::format("expected '{}' as the first line", kMagic));
    }
    std::size_t i = 1;
    // Declarations and other comments, up to the header.
    for (; i < lines_.size(); ++i) {
      const auto& line = lines_[i];
      if (trim(line.text).empty()) continue;
      if (line.text.front() != '#') break;
      comment(line);
    }
    check_contains();
    if (i == lines_.size()) {
      throw error(lines_.back().number + 1, 1, "expected a header row 'time_s,<domain ids...>'");
    }
    header(lines_[i++]);
    for (; i < lines_.size(); ++i) {
      const auto& line = lines_[i];
      if (trim(line.text).empty()) continue;
      if (line.text.front() == '#') {
        if (directive(line)) {
          throw error(line.number, 1,
                      "expected data rows; '# domain:' and '# mode:' lines "
                      "must come before the header");
        }
        continue;
      }
      row(line);
    }
    if (trace_.rows.empty()) {
      throw error(lines_.back().number + 1, 1, "expected at least one data row");
    }
    return std::move(trace_);
  }

 private:
  DataError error(std::size_t line, std::size_t column, const std::string& message) const {
    return DataError(origin_, line, column, message);
  }

  // "domain:" / "mode:" after '#': the key, the value and the value's offset.
  std::optional<std::pair<std::string_view, std::size_t>> value_of(const Line& line,
                                                                   std::string_view key) const {
    auto body = line.text.substr(1);
    auto start = body.find_first_not_of(" \t");
    if (start == std::string_view::npos || body.substr(start, key.size()) != key) {
      return std::nullopt;
    }
    const auto value_offset = 1 + start + key.size();  // index in line.text
    return std::pair{line.text.substr(value_offset), value_offset};
  }
  bool directive(const Line& line) const {
    return value_of(line, "domain:") || value_of(line, "mode:");
  }

  void comment(const Line& line) {
    if (auto mode = value_of(line, "mode:")) {
      auto [text, offset] = *mode;
      auto value = trim(text);
      trace_.mode = parse_mode(value);
      if (!trace_.mode) {
        throw error(line.number, offset + 1 + text.find_first_not_of(" \t"),
                    fmt::format("expected mode 'realtime' or 'stepped', found '{}'", value));
      }
    } else if (auto decl = value_of(line, "domain:")) {
      declaration(line, decl->first, decl->second);
    }
  }

  // id,component,kind,provenance,wrap_range_j,relative_uncertainty[,contains[,label]]
  void declaration(const Line& line, std::string_view text, std::size_t offset) {
    const auto f = split_fields(text, offset, 8);
    const auto n = line.number;
    if (f.size() < 6) {
      throw error(n, f.back().column + f.back().text.size(),
                  fmt::format("expected a domain declaration 'id,component,kind,provenance,"
                              "wrap_range_j,relative_uncertainty[,contains[,label]]', found {} "
                              "field{}",
                              f.size(), f.size() == 1 ? "" : "s"));
    }
    DomainInfo d;
    d.id = std::string(f[0].text);
    if (d.id.empty() || d.id == "time_s") {
      throw error(n, f[0].column, "expected a domain id such as 'cpu:package-0'");
    }
    if (declared_.contains(d.id)) {
      throw error(n, f[0].column, fmt::format("domain '{}' is declared twice", d.id));
    }
    auto component = parse_component(f[1].text);
    if (!component) {
      throw error(n, f[1].column,
                  fmt::format("unknown component '{}': expected cpu-package, cpu-core, "
                              "cpu-uncore, dram, gpu, psys, system, battery or other",
                              f[1].text));
    }
    d.component = *component;
    if (f[2].text == "counter" || f[2].text == "energy-counter") {
      d.kind = ReadingKind::energy_counter;
      // The bound the hardware backends give: a step no real part could draw
      // is a reset (after suspend) in a replay too, not a wrap.
      d.max_power = physical_max_power(d.component);
    } else if (f[2].text == "power") {
      d.kind = ReadingKind::power;
    } else {
      throw error(n, f[2].column,
                  fmt::format("unknown domain kind '{}': expected counter or power", f[2].text));
    }
    if (f[3].text == "measured") {
      d.provenance = Provenance::measured;
    } else if (f[3].text == "modelled") {
      d.provenance = Provenance::modelled;
    } else {
      throw error(n, f[3].column,
                  fmt::format("unknown provenance '{}': expected measured or modelled", f[3].text));
    }
    if (!f[4].text.empty()) {
      auto wrap = to_number(f[4].text);
      if (!wrap || *wrap <= 0) {
        throw error(n, f[4].column,
                    fmt::format("expected the wrap range in joules (a positive number) or "
                                "nothing, found '{}'",
                                f[4].text));
      }
      if (d.kind == ReadingKind::power) {
        throw error(n, f[4].column, "a power domain has no wrap range: leave the field empty");
      }
      d.wrap_range = Joules{*wrap};
    }
    if (!f[5].text.empty()) {
      auto u = to_number(f[5].text);
      if (!u || *u < 0) {
        throw error(n, f[5].column,
                    fmt::format("expected a relative uncertainty (a number >= 0, e.g. 0.05), "
                                "found '{}'",
                                f[5].text));
      }
      d.relative_uncertainty = *u;
    }
    if (f.size() > 6 && !f[6].text.empty()) {
      std::size_t start = 0;
      auto list = f[6].text;
      while (start <= list.size()) {
        auto end = std::min(list.find(';', start), list.size());
        auto id = trim(list.substr(start, end - start));
        if (!id.empty()) {
          d.contains.emplace_back(id);
          contains_columns_.push_back({d.id, std::string(id), n, f[6].column + start});
        }
        start = end + 1;
      }
    }
    d.label = f.size() > 7 && !f[7].text.empty() ? std::string(f[7].text) : d.id;
    d.source = fmt::format("{} line {} (replayed)", origin_, n);
    declared_.emplace(d.id, std::move(d));
  }

  void check_contains() const {
    for (const auto& c : contains_columns_) {
      if (!declared_.contains(c.contained) || c.contained == c.container) {
        throw error(c.line, c.column,
                    fmt::format("'{}' contains '{}', which is not another declared domain",
                                c.container, c.contained));
      }
    }
  }

  void header(const Line& line) {
    const auto f = split_fields(line.text, 0);
    if (f[0].text != "time_s") {
      throw error(line.number, f[0].column,
                  fmt::format("expected the header 'time_s,<domain ids...>', found '{}' as its "
                              "first field",
                              f[0].text));
    }
    std::set<std::string, std::less<>> seen;
    for (std::size_t i = 1; i < f.size(); ++i) {
      auto found = declared_.find(f[i].text);
      if (found == declared_.end()) {
        throw error(line.number, f[i].column,
                    fmt::format("column '{}' has no '# domain: {},...' declaration above the "
                                "header",
                                f[i].text, f[i].text));
      }
      if (!seen.insert(std::string(f[i].text)).second) {
        throw error(line.number, f[i].column,
                    fmt::format("domain '{}' appears twice in the header", f[i].text));
      }
      trace_.domains.push_back(found->second);
    }
    for (const auto& [id, d] : declared_) {
      if (!seen.contains(id)) {
        throw error(line.number, line.text.size() + 1,
                    fmt::format("declared domain '{}' has no column in the header", id));
      }
    }
    if (trace_.domains.empty()) {
      throw error(line.number, line.text.size() + 1, "expected at least one domain column");
    }
    header_ = std::string(line.text);
  }

  void row(const Line& line) {
    const auto n = line.number;
    const auto f = split_fields(line.text, 0);
    const auto expected = trace_.domains.size() + 1;
    if (f.size() != expected) {
      const auto column =
          f.size() > expected ? f[expected].column : line.text.size() + 1;  // first extra / end
      throw error(n, column,
                  fmt::format("expected {} fields ({}), found {}", expected, header_, f.size()));
    }
    auto time = to_number(f[0].text);
    if (!time) {
      throw error(
          n, f[0].column,
          fmt::format("expected a time in seconds in column 'time_s', found '{}'", f[0].text));
    }
    if (!trace_.times_s.empty() && *time <= trace_.times_s.back()) {
      throw error(
          n, f[0].column,
          fmt::format("expected time_s to increase: {} follows {}", *time, trace_.times_s.back()));
    }
    std::vector<Reading> readings(trace_.domains.size());
    for (std::size_t d = 0; d < trace_.domains.size(); ++d) {
      const auto& domain = trace_.domains[d];
      const auto& field = f[d + 1];
      Reading& r = readings[d];
      if (field.text.empty()) {
        r.status = ReadStatus::unavailable;
        r.error = fmt::format("no reading in {} line {}", origin_, n);
        continue;
      }
      if (field.text == "gone") {
        r.status = ReadStatus::gone;
        r.error = fmt::format("marked gone in {} line {}", origin_, n);
        continue;
      }
      const bool counter = domain.kind == ReadingKind::energy_counter;
      auto value = to_number(field.text);
      if (!value || *value < 0) {
        throw error(n, field.column,
                    fmt::format("expected {} (a number >= 0), empty or 'gone' in column '{}', "
                                "found '{}'",
                                counter ? "counter joules" : "watts", domain.id, field.text));
      }
      if (counter && domain.wrap_range && *value >= domain.wrap_range->joules) {
        throw error(n, field.column,
                    fmt::format("expected a raw counter below the wrap range {} J of '{}', "
                                "found {}",
                                domain.wrap_range->joules, domain.id, *value));
      }
      if (counter) {
        r.counter = Joules{*value};
      } else {
        r.power = Watts{*value};
      }
    }
    trace_.times_s.push_back(*time);
    trace_.lines.push_back(n);
    trace_.rows.push_back(std::move(readings));
  }

  struct ContainsRef {
    std::string container;
    std::string contained;
    std::size_t line;
    std::size_t column;
  };

  std::string origin_;
  std::vector<Line> lines_;
  Trace trace_;
  std::map<std::string, DomainInfo, std::less<>> declared_;
  std::vector<ContainsRef> contains_columns_;
  std::string header_;
};

}  // namespace

std::string_view to_string(PlaybackMode mode) {
  return mode == PlaybackMode::stepped ? "stepped" : "realtime";
}

std::optional<PlaybackMode> parse_mode(std::string_view text) {
  if (text == "realtime") return PlaybackMode::realtime;
  if (text == "stepped") return PlaybackMode::stepped;
  return std::nullopt;
}

Trace parse_trace(std::string_view text, std::string origin) {
  return Parser(text, std::move(origin)).parse();
}

Trace load_trace(const std::filesystem::path& path) {
  auto text = support::read_file(path);
  if (!text) throw DataError(path.string(), 0, 0, "cannot open the trace for reading");
  return parse_trace(*text, path.string());
}

}  // namespace joule::sensors::trace
