#include "cli/place_options.hpp"

#include <fmt/format.h>

#include "carbon/quantity.hpp"
#include "cli/validators.hpp"

namespace joule::cli {

void add_place_options(CLI::App& command, PlaceOptionValues& v) {
  auto* group = command.add_option_group("Location and PUE",
                                         "where the electricity comes from, and overheads");
  group->add_option("--country", v.country,
                    "country: ISO 3166 alpha-2/alpha-3 or name (env JOULE_COUNTRY)");
  group->add_option("--region", v.region,
                    "sub-national grid: US-CA, US-EGRID-CAMX, CA-QC or an Electricity Maps zone "
                    "(env JOULE_REGION)");
  group->add_option("--cloud", v.cloud,
                    "cloud region, provider:region, e.g. aws:eu-west-3 (env JOULE_CLOUD)");
  group->add_option(
      "--cloud-basis", v.cloud_basis,
      "grid (default: the region's Electricity Maps zone, life-cycle, same basis "
      "for every provider) | provider (Google's own operational figure, GCP only) (env "
      "JOULE_CLOUD_BASIS)");
  group->add_option("--pue", v.pue, "power usage effectiveness, >= 1 (env JOULE_PUE)");
  group->add_option("--context", v.context,
                    "own | datacenter | cloud: decides the default PUE (env JOULE_CONTEXT)");
  group->add_option("--config", v.config_file,
                    "joule.toml to read (default: ./joule.toml, ~/.config/joule/joule.toml)");
  group->add_option("--data", v.data_files,
                    "CSV file overriding or extending a reference table (repeatable)");
  group->add_option(
      "--intensity-file", v.intensity_file,
      "grid intensity time series CSV: timestamp, g_co2e_per_kwh (# kind: average|marginal)");
  for (CLI::Option* option : group->get_options()) option->check(non_empty());
  group->add_flag("--no-config", v.no_config, "do not look for joule.toml");
  group->add_flag("--no-tz-guess", v.no_tz_guess, "do not guess the country from the time zone");
}

carbon::ContextOptions to_context_options(const PlaceOptionValues& v) {
  carbon::ContextOptions o;
  if (!v.country.empty()) o.country = v.country;
  if (!v.region.empty()) o.region = v.region;
  if (!v.cloud.empty()) o.cloud = v.cloud;
  if (!v.pue.empty()) {
    auto pue = carbon::parse_number(v.pue);
    if (!pue)
      throw carbon::CarbonError(fmt::format("--pue {}: expected a number such as 1.2", v.pue));
    o.pue = *pue;  // range checked by resolve_context
  }
  if (!v.context.empty()) o.context = carbon::parse_context_kind(v.context);
  if (!v.cloud_basis.empty()) o.cloud_basis = carbon::parse_cloud_basis(v.cloud_basis);
  if (!v.config_file.empty()) o.config_file = v.config_file;
  for (const auto& f : v.data_files) o.data_files.emplace_back(f);
  if (!v.intensity_file.empty()) o.intensity_file = v.intensity_file;
  o.read_config_files = !v.no_config;
  o.guess_from_time_zone = !v.no_tz_guess;
  return o;
}

}  // namespace joule::cli
