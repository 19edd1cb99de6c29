#pragma once
// Guessing the country from the system time zone, with the tz database's own
// zone-to-country tables (zone.tab / zone1970.tab, Debian tzdata). A guess:
// a machine in Europe/Paris time is probably, not certainly, in France.
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace joule::carbon {

struct SystemZone {
  std::string zone;  // "Europe/Paris"
  std::string how;   // "TZ=Europe/Paris", "/etc/timezone", "/etc/localtime -> ..."
};

// $TZ (":Europe/Paris" and paths under the zoneinfo root too), then
// <etc>/timezone, then the <etc>/localtime symlink target.
std::optional<SystemZone> system_time_zone(const std::map<std::string, std::string>& environment,
                                           const std::filesystem::path& etc_root);

// ISO 3166-1 alpha-2 of a zone: zone.tab (one country per zone), else the
// first country of zone1970.tab, after following tzdata.zi links (Asia/Calcutta
// -> Asia/Kolkata). nullopt for UTC, Etc/* and unknown zones.
std::optional<std::string> country_of_zone(const std::string& zone,
                                           const std::filesystem::path& zoneinfo_root);

}  // namespace joule::carbon
