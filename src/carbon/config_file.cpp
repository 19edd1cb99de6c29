// toml++ is used header-only here (its one translation unit in joule), so the
// binary needs no TOML library at run time.
#include "carbon/config_file.hpp"

#include <fmt/format.h>

// toml++ 3.3 asserts in parse_key() that a key starts with a key character,
// yet reaches it with any byte after '[' ("[\x]") and then reports that very
// case as a parse error. Unless NDEBUG, the assertion aborted joule on such a
// file (found by tests/fuzz/config_toml); its own error is what is wanted.
#define TOML_ASSERT(expr) static_assert(true)
#include <toml++/toml.h>

#include <cmath>
#include <set>

#include "carbon/toml_text.hpp"
#include "joule/carbon.hpp"
#include "refdata/csv.hpp"
#include "support/files.hpp"

namespace joule::carbon {

namespace {

using refdata::DataError;

[[noreturn]] void fail(const std::filesystem::path& path, const toml::source_region& where,
                       const std::string& what) {
  throw DataError(path.string(), where.begin.line, where.begin.column, what);
}

std::optional<std::string> get_string(const std::filesystem::path& path, const toml::table& t,
                                      std::string_view key) {
  const toml::node* node = t.get(key);
  if (!node) return std::nullopt;
  if (auto v = node->value<std::string>(); v && node->is_string()) return *v;
  fail(path, node->source(), fmt::format("'{}': expected a string in quotes", key));
}

std::filesystem::path relative_to(const std::filesystem::path& config, const std::string& value) {
  std::filesystem::path p(value);
  return p.is_absolute() ? p : config.parent_path() / p;
}

// [ledger]: where the runs are recorded (record/ledger.hpp reads it).
std::optional<std::string> ledger_url(const std::filesystem::path& path, const toml::table& root) {
  const toml::node* ledger = root.get("ledger");
  if (!ledger) return std::nullopt;
  if (!ledger->is_table()) fail(path, ledger->source(), "'ledger': expected a table [ledger]");
  for (const auto& [key, node] : *ledger->as_table()) {
    if (key.str() != "url")
      fail(path, node.source(),
           fmt::format("unknown key '{}' in [ledger]: expected url", key.str()));
  }
  return get_string(path, *ledger->as_table(), "url");
}

// cloud_basis = "grid" | "provider", checked here so that a typo names its line.
std::optional<CloudBasis> cloud_basis(const std::filesystem::path& path, const toml::table& t) {
  const auto text = get_string(path, t, "cloud_basis");
  if (!text) return std::nullopt;
  try {
    return parse_cloud_basis(*text);
  } catch (const CarbonError& e) {
    fail(path, t.get("cloud_basis")->source(), fmt::format("'cloud_basis': {}", e.what()));
  }
}

std::optional<double> get_number(const std::filesystem::path& path, const toml::table& t,
                                 std::string_view key) {
  const toml::node* node = t.get(key);
  if (!node) return std::nullopt;
  auto v = node->value<double>();
  if (!v || !(node->is_floating_point() || node->is_integer()) || !(*v > 0) || !std::isfinite(*v)) {
    fail(path, node->source(), fmt::format("'{}': expected a number more than zero", key));
  }
  return v;
}

// [hardware]: what the embodied emissions M are allocated from.
std::optional<HardwareOptions> hardware(const std::filesystem::path& path,
                                        const toml::table& root) {
  const toml::node* node = root.get("hardware");
  if (!node) return std::nullopt;
  if (!node->is_table()) fail(path, node->source(), "'hardware': expected a table [hardware]");
  const toml::table& t = *node->as_table();
  static const std::set<std::string, std::less<>> known = {"embodied", "gpu", "gpus",
                                                           "lifetime_years", "share"};
  for (const auto& [key, value] : t) {
    if (!known.contains(key.str())) {
      fail(path, value.source(),
           fmt::format("unknown key '{}' in [hardware]: expected one of embodied, gpu, gpus, "
                       "lifetime_years, share",
                       key.str()));
    }
  }
  HardwareOptions h;
  h.given_by = fmt::format("{} [hardware]", path.string());
  h.embodied = get_string(path, t, "embodied");
  h.gpu = get_string(path, t, "gpu");
  h.gpus = get_number(path, t, "gpus");
  h.lifetime_years = get_number(path, t, "lifetime_years");
  if (const toml::node* share = t.get("share")) {
    if (share->is_string()) {
      h.share = *share->value<std::string>();
    } else if (auto v = share->value<double>();
               v && (share->is_floating_point() || share->is_integer())) {
      h.share = fmt::format("{}", *v);
    } else {
      fail(path, share->source(), "'share': expected a fraction such as 0.25 or \"2/8\"");
    }
  }
  for (const auto* text : {&h.embodied, &h.gpu, &h.share}) {
    if (*text && (*text)->empty()) fail(path, node->source(), "[hardware]: an empty value");
  }
  return h;
}

}  // namespace

std::optional<std::filesystem::path> find_config_file(const std::filesystem::path& cwd,
                                                      const std::filesystem::path& config_dir) {
  std::error_code ec;
  if (!cwd.empty() && std::filesystem::is_regular_file(cwd / "joule.toml", ec))
    return cwd / "joule.toml";
  if (!config_dir.empty() &&
      std::filesystem::is_regular_file(config_dir / "joule" / "joule.toml", ec)) {
    return config_dir / "joule" / "joule.toml";
  }
  return std::nullopt;
}

FileConfig load_config_file(const std::filesystem::path& path) {
  const std::optional<std::string> text = support::read_file(path);
  if (!text) throw DataError(path.string(), 0, 0, "cannot open the file for reading");
  return parse_config_text(*text, path);
}

FileConfig parse_config_text(std::string_view text, const std::filesystem::path& path) {
  check_toml_before_parse(text, path.string());
  toml::table root;
  try {
    root = toml::parse(text, path.string());
  } catch (const toml::parse_error& e) {
    fail(path, e.source(), fmt::format("malformed TOML: {}", e.description()));
  }
  const toml::table* t = &root;
  if (const toml::node* carbon = root.get("carbon")) {
    if (!carbon->is_table()) fail(path, carbon->source(), "'carbon': expected a table [carbon]");
    t = carbon->as_table();
  }
  static const std::set<std::string, std::less<>> known = {
      "country", "region", "cloud", "cloud_basis", "pue", "context", "intensity_file", "data"};
  for (const auto& [key, node] : *t) {
    if (t == &root && (key.str() == "ledger" || key.str() == "hardware")) continue;
    if (!known.contains(key.str())) {
      fail(path, node.source(),
           fmt::format("unknown key '{}': expected one of country, region, cloud, cloud_basis, "
                       "pue, context, intensity_file, data",
                       key.str()));
    }
  }

  FileConfig config;
  config.path = path;
  config.ledger_url = ledger_url(path, root);
  config.hardware = hardware(path, root);
  config.country = get_string(path, *t, "country");
  config.region = get_string(path, *t, "region");
  config.cloud = get_string(path, *t, "cloud");
  config.context = get_string(path, *t, "context");
  config.cloud_basis = cloud_basis(path, *t);
  if (const toml::node* pue = t->get("pue")) {
    auto v = pue->value<double>();  // integers convert too ("pue = 1")
    if (!v || !(pue->is_floating_point() || pue->is_integer())) {
      fail(path, pue->source(), "'pue': expected a number such as 1.2");
    }
    if (!(*v >= 1.0 && *v <= 5.0))  // also rejects nan, which TOML allows
      fail(path, pue->source(),
           fmt::format("'pue': expected a ratio between 1 and 5, found {}", *v));
    config.pue = *v;
  }
  if (auto f = get_string(path, *t, "intensity_file"))
    config.intensity_file = relative_to(path, *f);
  if (const toml::node* data = t->get("data")) {
    if (data->is_string()) {
      config.data_files.push_back(relative_to(path, *data->value<std::string>()));
    } else if (const toml::array* list = data->as_array()) {
      for (const auto& item : *list) {
        if (!item.is_string())
          fail(path, item.source(), "'data': expected a list of file names in quotes");
        config.data_files.push_back(relative_to(path, *item.value<std::string>()));
      }
    } else {
      fail(path, data->source(), "'data': expected a file name or a list of file names");
    }
  }
  return config;
}

}  // namespace joule::carbon
