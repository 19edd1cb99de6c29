#include "carbon/timezone.hpp"

#include <fstream>
#include <sstream>
#include <string_view>

namespace joule::carbon {

namespace {

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n");
  auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// "…/zoneinfo/Europe/Paris" -> "Europe/Paris"; also strips posix/ and right/.
std::string zone_from_path(const std::string& path) {
  auto pos = path.rfind("zoneinfo/");
  std::string zone = pos == std::string::npos ? path : path.substr(pos + 9);
  for (std::string_view prefix : {"posix/", "right/"}) {
    if (zone.starts_with(prefix)) zone = zone.substr(prefix.size());
  }
  return zone;
}

// Country column (first code) of the line in a .tab file naming `zone`.
std::optional<std::string> lookup_tab(const std::filesystem::path& file, const std::string& zone) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string codes, coordinates, name;
    if (!std::getline(fields, codes, '\t') || !std::getline(fields, coordinates, '\t') ||
        !std::getline(fields, name, '\t')) {
      continue;
    }
    if (trim(name) == zone) return codes.substr(0, codes.find(','));
  }
  return std::nullopt;
}

// tzdata.zi link lines "L Target Alias": the canonical zone of an alias.
std::optional<std::string> link_target(const std::filesystem::path& file, const std::string& zone) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("L ")) continue;
    std::istringstream fields(line.substr(2));
    std::string target, alias;
    if (fields >> target >> alias && alias == zone) return target;
  }
  return std::nullopt;
}

}  // namespace

std::optional<SystemZone> system_time_zone(const std::map<std::string, std::string>& environment,
                                           const std::filesystem::path& etc_root) {
  if (auto it = environment.find("TZ"); it != environment.end() && !trim(it->second).empty()) {
    std::string tz = trim(it->second);
    if (tz.starts_with(':')) tz = tz.substr(1);
    return SystemZone{zone_from_path(tz), "TZ=" + it->second};
  }
  {
    std::ifstream in(etc_root / "timezone");
    std::string line;
    if (in && std::getline(in, line) && !trim(line).empty()) {
      return SystemZone{trim(line), (etc_root / "timezone").string()};
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
