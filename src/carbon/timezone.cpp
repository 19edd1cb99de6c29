#include "carbon/timezone.hpp"

#include <fstream>
#include <string_view>

#include "support/files.hpp"
#include "support/strings.hpp"

namespace joule::carbon {

namespace {

// "…/zoneinfo/Europe/Paris" -> "Europe/Paris"; also strips posix/ and right/.
std::string zone_from_path(const std::string& path) {
  auto pos = path.rfind("zoneinfo/");
  std::string zone = pos == std::string::npos ? path : path.substr(pos + 9);
  for (std::string_view prefix : {"posix/", "right/"}) {
    if (zone.starts_with(prefix)) zone = zone.substr(prefix.size());
  }
  return zone;
}

// The line of `text` holding position `at`.
std::string_view line_around(std::string_view text, std::size_t at) {
  const auto begin = text.rfind('\n', at);
  const auto start = begin == std::string_view::npos ? 0 : begin + 1;
  const auto end = text.find('\n', at);
  return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

// Each line of `text` in which `word` occurs bounded by `before` and by a
// tab, '\r', newline or the end, until `accept` returns a value. These files
// are searched, not parsed line by line: this runs at every `joule run` start.
template <typename Accept>
auto find_line_with(std::string_view text, std::string_view word, char before, Accept accept)
    -> decltype(accept(std::string_view())) {
  if (word.empty()) return std::nullopt;
  for (auto at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    const auto after = at + word.size();
    const bool starts = at > 0 && text[at - 1] == before;
    const bool ends =
        after == text.size() || text[after] == '\t' || text[after] == '\n' || text[after] == '\r';
    if (!starts || !ends) continue;
    if (auto found = accept(line_around(text, at))) return found;
  }
  return std::nullopt;
}

std::string_view field(std::string_view line, std::size_t index, char separator) {
  for (std::size_t i = 0; i < index; ++i) {
    const auto next = line.find(separator);
    if (next == std::string_view::npos) return {};
    line.remove_prefix(next + 1);
  }
  return line.substr(0, line.find(separator));
}

// Country column (first code) of the line in a .tab file naming `zone`
// ("FR<TAB>+4852+00220<TAB>Europe/Paris[<TAB>comment]").
std::optional<std::string> lookup_tab(const std::filesystem::path& file, const std::string& zone) {
  const std::string text = support::read_file(file).value_or("");
  return find_line_with(text, zone, '\t', [&](std::string_view line) -> std::optional<std::string> {
    if (line.starts_with('#') || support::trim(field(line, 2, '\t')) != zone) return std::nullopt;
    const auto codes = field(line, 0, '\t');
    return std::string(codes.substr(0, codes.find(',')));
  });
}

// tzdata.zi link lines "L Target Alias": the canonical zone of an alias.
std::optional<std::string> link_target(const std::filesystem::path& file, const std::string& zone) {
  const std::string text = support::read_file(file).value_or("");
  return find_line_with(text, zone, ' ', [&](std::string_view line) -> std::optional<std::string> {
    if (!line.starts_with("L ") || support::trim(field(line, 2, ' ')) != zone) {
      return std::nullopt;
    }
    return std::string(field(line, 1, ' '));
  });
}

}  // namespace

std::optional<SystemZone> system_time_zone(const std::map<std::string, std::string>& environment,
                                           const std::filesystem::path& etc_root) {
  if (auto it = environment.find("TZ");
      it != environment.end() && !support::trim(it->second).empty()) {
    std::string tz(support::trim(it->second));
    if (tz.starts_with(':')) tz = tz.substr(1);
    return SystemZone{zone_from_path(tz), "TZ=" + it->second};
  }
  {
    std::ifstream in(etc_root / "timezone");
    std::string line;
    if (in && std::getline(in, line) && !support::trim(line).empty()) {
      return SystemZone{std::string(support::trim(line)), (etc_root / "timezone").string()};
    }
  }
  std::error_code ec;
  auto target = std::filesystem::read_symlink(etc_root / "localtime", ec);
  if (!ec && !target.empty()) {
    return SystemZone{zone_from_path(target.string()),
                      (etc_root / "localtime").string() + " -> " + target.string()};
  }
  return std::nullopt;
}

std::optional<std::string> country_of_zone(const std::string& zone_in,
                                           const std::filesystem::path& root) {
  std::string zone = zone_in;
  for (int hop = 0; hop < 2; ++hop) {
    if (auto c = lookup_tab(root / "zone.tab", zone)) return c;
    if (auto c = lookup_tab(root / "zone1970.tab", zone)) return c;
    auto target = link_target(root / "tzdata.zi", zone);
    if (!target) break;
    zone = *target;
  }
  return std::nullopt;
}

}  // namespace joule::carbon
