// The time-zone files (src/carbon/timezone): zone.tab, zone1970.tab and
// tzdata.zi as they are searched for a zone's country, and $TZ or
// /etc/timezone as they name the zone. The input holds, cut at NUL bytes,
// the zone, the three tzdata files, the /etc/timezone file and $TZ.
#include <map>

#include "carbon/timezone.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = joule::fuzz::split_parts(joule::fuzz::as_text(data, size), 6);
  const auto& dir = joule::fuzz::scratch();
  dir.write("zone.tab", parts[1]);
  dir.write("zone1970.tab", parts[2]);
  dir.write("tzdata.zi", parts[3]);
  dir.write("timezone", parts[4]);
  (void)joule::carbon::country_of_zone(std::string(parts[0]), dir.path());
  std::map<std::string, std::string> environment;
  if (!parts[5].empty()) environment["TZ"] = std::string(parts[5]);
  if (const auto zone = joule::carbon::system_time_zone(environment, dir.path())) {
    (void)joule::carbon::country_of_zone(zone->zone, dir.path());
  }
  return 0;
}
