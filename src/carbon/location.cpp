// Context resolution: where the energy is used (and so I), the PUE and the
// T&D loss, each with its source and with how it was decided.
#include <fmt/format.h>

#include <cstdlib>

#include "carbon/config_file.hpp"
#include "carbon/context_hooks.hpp"
#include "carbon/estimate.hpp"
#include "carbon/intensity.hpp"
#include "carbon/suggest.hpp"
#include "carbon/tables.hpp"
#include "carbon/timezone.hpp"
#include "joule/carbon.hpp"
#include "support/strings.hpp"

extern char** environ;

namespace joule::carbon {

namespace {

// One place the location may be stated: options, environment, joule.toml.
struct Level {
  std::optional<std::string> cloud, region, country;
  std::string cloud_label, region_label, country_label;  // how to name each in how_decided
};

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

std::optional<std::string> non_empty(const std::map<std::string, std::string>& env,
                                     const std::string& key) {
  auto it = env.find(key);
  if (it == env.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::optional<std::string> non_empty(const std::optional<std::string>& s) {
  if (!s || s->empty()) return std::nullopt;
  return s;
}

std::optional<std::filesystem::path> find_config(const ContextOptions& o,
                                                 const std::map<std::string, std::string>& env) {
  if (o.config_file) {
    if (!std::filesystem::exists(*o.config_file)) {
      throw CarbonError(
          fmt::format("the configuration file {} does not exist", o.config_file->string()));
    }
    return o.config_file;
  }
  if (!o.read_config_files) return std::nullopt;
  std::error_code ec;
  auto cwd = o.working_dir ? *o.working_dir : std::filesystem::current_path(ec);
  std::filesystem::path config_dir;
  if (o.config_dir) {
    config_dir = *o.config_dir;
  } else if (auto xdg = non_empty(env, "XDG_CONFIG_HOME")) {
    config_dir = *xdg;
  } else if (auto home = non_empty(env, "HOME")) {
    config_dir = std::filesystem::path(*home) / ".config";
  }
  return find_config_file(cwd, config_dir);
}

// "aws:eu-west-3", "aws/eu-west-3", "gcp europe-west1", or a bare region id.
const CloudRow& find_cloud(const ReferenceData& data, const std::string& text) {
  std::string provider, region = text;
  auto sep = text.find_first_of(":/ ");
  if (sep != std::string::npos) {
    provider = support::to_lower(text.substr(0, sep));
    region = text.substr(sep + 1);
  }
  if (provider == "google" || provider == "gce") provider = "gcp";
  if (provider == "amazon" || provider == "ec2") provider = "aws";
  if (provider == "microsoft") provider = "azure";
  const CloudRow* found = nullptr;
  for (const auto& r : data.clouds()) {
    if ((provider.empty() || r.provider == provider) && support::iequals(r.region, region)) {
      found = &r;
      break;
    }
  }
  if (found) return *found;
  bool provider_known = provider.empty();
  for (const auto& r : data.clouds()) provider_known = provider_known || r.provider == provider;
  if (!provider_known) {
    throw CarbonError(
        fmt::format("unknown cloud provider '{}' in '{}': expected aws, gcp or azure "
                    "(as provider:region, e.g. aws:eu-west-3; joule carbon --list-clouds)",
                    provider, text));
  }
  throw CarbonError(
      fmt::format("unknown cloud region '{}';{} (joule carbon --list-clouds lists them)", text,
                  did_you_mean(text, data.cloud_ids(provider)).empty()
                      ? std::string(" expected provider:region such as aws:eu-west-3")
                      : did_you_mean(text, data.cloud_ids(provider))));
}

const CountryRow& find_country(const ReferenceData& data, const std::string& text) {
  if (const CountryRow* row = data.country(text)) return *row;
  auto hint = did_you_mean(text, data.country_codes_and_names());
  throw CarbonError(fmt::format(
      "unknown country '{}': expected an ISO 3166-1 alpha-2 or alpha-3 code or an English "
      "name;{} (joule carbon --list-countries lists them)",
      text, hint.empty() ? "" : hint));
}

struct Place {
  std::string code, name, iso2;
  PlaceIntensity intensity;
  const CloudRow* cloud = nullptr;
};

Place place_of_cloud(const ReferenceData& data, const std::string& text, CloudBasis basis) {
  const CloudRow& row = find_cloud(data, text);
  Place p;
  p.code = row.provider + ":" + row.region;
  std::string where = !row.city.empty() ? row.city : row.display_name;
  p.name = fmt::format("{} {}{}", support::to_upper(row.provider), row.region,
                       where.empty() ? "" : " (" + where + ")");
  p.iso2 = row.iso2;
  p.intensity = cloud_intensity(data, row, basis);
  p.cloud = &row;
  return p;
}

Place place_of_region(const ReferenceData& data, const std::string& text) {
  Place p;
  if (const RegionRow* row = data.region(text)) {
    p.code = row->code;
    p.name = row->name;
    p.iso2 = row->iso2;
    p.intensity = region_intensity(*row, data);
    return p;
  }
  if (const ZoneRow* zone = data.zone(text)) {
    p.code = zone->zone;
    p.name = zone->name == zone->country_name || zone->country_name.empty()
                 ? zone->name
                 : fmt::format("{} ({})", zone->name, zone->country_name);
    p.iso2 = zone->iso2;
    p.intensity = zone_intensity(*zone, data);
    return p;
  }
  auto hint = did_you_mean(text, data.region_codes());
  throw CarbonError(fmt::format(
      "unknown region '{}': expected an ISO 3166-2 code (US-CA, CA-QC), an eGRID subregion "
      "(US-EGRID-CAMX) or an Electricity Maps zone (US-CAL-CISO, SE-SE3);{}",
      text, hint.empty() ? "" : hint));
}

Place place_of_country(const ReferenceData& data, const std::string& text) {
  const CountryRow& row = find_country(data, text);
  Place p;
  p.code = row.iso2.empty() ? row.code : row.iso2;
  p.name = row.name;
  p.iso2 = row.iso2;
  p.intensity = country_intensity(data, row);
  return p;
}

// The most specific location stated at one level: cloud, region, country.
std::optional<std::pair<Place, std::string>> place_of_level(const ReferenceData& data,
                                                            const Level& level, CloudBasis basis,
                                                            std::vector<std::string>& warnings) {
  std::optional<std::pair<Place, std::string>> chosen;
  if (level.cloud) {
    chosen.emplace(place_of_cloud(data, *level.cloud, basis), level.cloud_label);
  } else if (level.region) {
    chosen.emplace(place_of_region(data, *level.region), level.region_label);
  } else if (level.country) {
    chosen.emplace(place_of_country(data, *level.country), level.country_label);
  }
  if (!chosen) return chosen;
  // Say so when a less specific statement at the same level disagrees.
  if ((level.cloud || level.region) && level.country) {
    const CountryRow* c = data.country(*level.country);
    if (!c) {
      (void)find_country(data, *level.country);  // throws with suggestions
    } else if (c->iso2 != chosen->first.iso2) {
      warnings.push_back(fmt::format("{} is in {}, not {} ({}); using {}", chosen->first.code,
                                     chosen->first.iso2, c->iso2, level.country_label,
                                     chosen->second));
    }
  }
  return chosen;
}

struct PueChoice {
  Estimate pue;
  std::string source;
};

double factor_value(const ReferenceData& data, std::string_view table, std::string_view key,
                    double fallback) {
  const FactorRow* row = data.factor(table, key);
  return row && row->value ? *row->value : fallback;
}

PueChoice default_pue(const ReferenceData& data, ContextKind kind, const CloudRow* cloud) {
  const double industry = factor_value(data, "pue", "uptime_2024", 1.56);
  switch (kind) {
    case ContextKind::own_machine:
      return {Estimate::exact(1.0), "own machine: no data-centre overhead (PUE 1.0)"};
    case ContextKind::datacenter:
      return {{1.1, industry, 1.8},
              fmt::format("data centre, industry average {} (Uptime Institute 2024, "
                          "emission_factors.csv); range "
                          "1.1 (hyperscale) to 1.8",
                          industry)};
    case ContextKind::cloud:
      if (cloud && cloud->pue) {
        // A provider's fleet average; a given site is somewhat better or worse.
        return {{std::max(1.0, *cloud->pue * 0.95), *cloud->pue, *cloud->pue * 1.05},
                fmt::format("{} ({}, cloud_regions.csv); range +-5 % around the fleet figure",
                            cloud->pue_basis, cloud->provider)};
      } else {
        double idc = factor_value(data, "pue", "idc_public_cloud", 1.25);
        return {{1.1, idc, 1.4},
                fmt::format("public cloud industry average {} (IDC 2024, emission_factors.csv); "
                            "range 1.1 to 1.4",
                            idc)};
      }
    case ContextKind::unspecified:
      break;
  }
  return {
      {1.0, 1.0, industry},
      fmt::format(
          "context not stated: own machine assumed (PUE 1.0); high bound = data-centre average {} "
          "(--context own|datacenter to decide)",
          industry)};
}

struct LossChoice {
  Estimate fraction;
  std::string source;
};

LossChoice default_loss(const ReferenceData& data, const std::string& iso2, bool generation_based) {
  if (!generation_based) {
    return {Estimate::exact(0),
            "not applied: the intensity is consumption-based or already includes T&D losses"};
  }
  const CountryRow* country = iso2.empty() ? nullptr : data.country(iso2);
  if (country) {
    if (const FactorRow* row = data.factor("td_losses", country->code); row && row->value) {
      double f = *row->value / 100.0;
      Estimate e = row->low && row->high ? Estimate{*row->low / 100, f, *row->high / 100}
                                         : relative(f, 0.25);
      return {normalised(e),
              fmt::format("{} {} % ({}{}, emission_factors.csv){}", row->name, *row->value,
                          row->source.substr(0, row->source.find(',')),
                          row->year ? fmt::format(" {}", static_cast<int>(*row->year)) : "",
                          row->low ? "" : "; range +-25 %")};
    }
  }
  const FactorRow* world = data.factor("td_losses", "WLD");
  double f = world && world->value ? *world->value / 100.0 : 0.08;
  return {relative(f, 0.5),
          fmt::format("world average {:.0f} % (World Bank WDI 2014, approximate; "
                      "emission_factors.csv); range +-50 %{}",
                      f * 100, iso2.empty() ? "" : fmt::format(": no figure for {}", iso2))};
}

// The places the location may be stated, most authoritative first: the
// options, the environment, joule.toml.
std::vector<Level> location_levels(const ContextOptions& o,
                                   const std::map<std::string, std::string>& env,
                                   const std::optional<FileConfig>& config) {
  std::vector<Level> levels;
  levels.push_back({non_empty(o.cloud), non_empty(o.region), non_empty(o.country),
                    "--cloud " + o.cloud.value_or(""), "--region " + o.region.value_or(""),
                    "--country " + o.country.value_or("")});
  {
    Level l{non_empty(env, "JOULE_CLOUD"),
            non_empty(env, "JOULE_REGION"),
            non_empty(env, "JOULE_COUNTRY"),
            "",
            "",
            ""};
    l.cloud_label = "JOULE_CLOUD=" + l.cloud.value_or("");
    l.region_label = "JOULE_REGION=" + l.region.value_or("");
    l.country_label = "JOULE_COUNTRY=" + l.country.value_or("");
    levels.push_back(l);
  }
  if (config) {
    Level l{non_empty(config->cloud),
            non_empty(config->region),
            non_empty(config->country),
            "",
            "",
            ""};
    auto in = " in " + config->path.string();
    l.cloud_label = fmt::format("cloud = \"{}\"{}", l.cloud.value_or(""), in);
    l.region_label = fmt::format("region = \"{}\"{}", l.region.value_or(""), in);
    l.country_label = fmt::format("country = \"{}\"{}", l.country.value_or(""), in);
    levels.push_back(l);
  }
  return levels;
}

// The country of the system's time zone (or of options.time_zone), marked as
// a guess. Says in ctx.how_decided why when the zone names no country.
std::optional<Place> place_of_time_zone(const ReferenceData& data, const ContextOptions& o,
                                        const std::map<std::string, std::string>& env,
                                        const detail::ContextHooks& hooks, ResolvedContext& ctx) {
  auto zone = o.time_zone ? std::optional<SystemZone>(SystemZone{*o.time_zone, "time zone given"})
                          : system_time_zone(env, hooks.etc_root);
  std::optional<std::string> iso2;
  if (zone) iso2 = country_of_zone(zone->zone, hooks.zoneinfo_root);
  if (iso2 && data.country(*iso2)) {
    ctx.how_decided =
        fmt::format("guessed from the time zone {} ({}; tz zone.tab): {}; state it with --country",
                    zone->zone, zone->how, *iso2);
    ctx.is_guess = true;
    return place_of_country(data, *iso2);
  }
  if (zone) {
    ctx.how_decided =
        fmt::format("no location stated and the time zone {} names no country", zone->zone);
  }
  return std::nullopt;
}

Place world_place(const ReferenceData& data, ResolvedContext& ctx) {
  Place world;
  world.code = "WORLD";
  world.name = "World";
  world.intensity = world_intensity(data);
  if (ctx.how_decided.empty()) ctx.how_decided = "no location stated";
  ctx.how_decided += ": world average (state it with --country, --region or --cloud)";
  ctx.is_guess = true;
  return world;
}

// The basis of a cloud region's intensity: the options, JOULE_CLOUD_BASIS,
// joule.toml, else grid (the same basis for every provider).
CloudBasis choose_cloud_basis(const ContextOptions& o,
                              const std::map<std::string, std::string>& env,
                              const std::optional<FileConfig>& config) {
  if (o.cloud_basis) return *o.cloud_basis;
  if (auto e = non_empty(env, "JOULE_CLOUD_BASIS")) {
    try {
      return parse_cloud_basis(*e);
    } catch (const CarbonError& error) {
      throw CarbonError(fmt::format("JOULE_CLOUD_BASIS={}: {}", *e, error.what()));
    }
  }
  if (config && config->cloud_basis) return *config->cloud_basis;
  return CloudBasis::grid;
}

// Where the energy is used: the first level that states a place, else a
// guess from the time zone, else the world average. Sets how_decided.
Place choose_place(const ReferenceData& data, const ContextOptions& o,
                   const std::map<std::string, std::string>& env,
                   const std::optional<FileConfig>& config, const detail::ContextHooks& hooks,
                   ResolvedContext& ctx) {
  const CloudBasis basis = choose_cloud_basis(o, env, config);
  for (const auto& level : location_levels(o, env, config)) {
    if (auto chosen = place_of_level(data, level, basis, ctx.warnings)) {
      ctx.how_decided = chosen->second;
      return chosen->first;
    }
  }
  if (o.guess_from_time_zone) {
    if (auto place = place_of_time_zone(data, o, env, hooks, ctx)) return *place;
  }
  return world_place(data, ctx);
}

void set_place(const Place& place, ResolvedContext& ctx) {
  ctx.location_code = place.code;
  ctx.location_name = place.name;
  ctx.country_iso2 = place.iso2;
  ctx.intensity_g_per_kwh = place.intensity.g_per_kwh;
  ctx.intensity_generation_based = place.intensity.generation_based;
  ctx.intensity_source = place.intensity.source;
  ctx.intensity_kind = IntensityKind::average;
  if (!place.intensity.warning.empty()) ctx.warnings.push_back(place.intensity.warning);
}

// The first kind stated (options, JOULE_CONTEXT, joule.toml); unstated, a
// cloud place is in the cloud.
ContextKind choose_context_kind(const ContextOptions& o,
                                const std::map<std::string, std::string>& env,
                                const std::optional<FileConfig>& config, const Place& place) {
  std::optional<ContextKind> kind = o.context;
  if (!kind) {
    if (auto e = non_empty(env, "JOULE_CONTEXT")) kind = parse_context_kind(*e);
  }
  if (!kind && config && config->context) kind = parse_context_kind(*config->context);
  if (!kind || *kind == ContextKind::unspecified)
    kind = place.cloud ? ContextKind::cloud : ContextKind::unspecified;
  return *kind;
}

double checked_pue(double v, const std::string& where) {
  if (!(v >= 1.0 && v <= 5.0)) {
    throw CarbonError(
        fmt::format("{}: PUE must be a ratio between 1 and 5 (total facility energy / IT energy), "
                    "found {}",
                    where, v));
  }
  return v;
}

// A PUE stated in the options, JOULE_PUE or joule.toml, with where it was
// stated; nullopt when none is.
std::optional<std::pair<double, std::string>> stated_pue(
    const ContextOptions& o, const std::map<std::string, std::string>& env,
    const std::optional<FileConfig>& config) {
  if (o.pue) return std::pair{checked_pue(*o.pue, "--pue"), fmt::format("--pue {}", *o.pue)};
  if (auto e = non_empty(env, "JOULE_PUE")) {
    char* end = nullptr;
    double v = std::strtod(e->c_str(), &end);
    if (end == e->c_str() || *end != '\0')
      throw CarbonError(fmt::format("JOULE_PUE={}: expected a number such as 1.2", *e));
    return std::pair{checked_pue(v, "JOULE_PUE"), "JOULE_PUE=" + *e};
  }
  if (config && config->pue) {
    return std::pair{*config->pue,
                     fmt::format("pue = {} in {}", *config->pue, config->path.string())};
  }
  return std::nullopt;
}

void set_pue(const ReferenceData& data, const std::optional<std::pair<double, std::string>>& stated,
             const CloudRow* cloud, ResolvedContext& ctx) {
  if (stated) {
    ctx.pue = Estimate::exact(stated->first);
    ctx.pue_source = "stated: " + stated->second;
    return;
  }
  auto choice = default_pue(data, ctx.context, cloud);
  ctx.pue = choice.pue;
  ctx.pue_source = choice.source;
}

void set_loss(const ReferenceData& data, bool generation_based, ResolvedContext& ctx) {
  auto loss = default_loss(data, ctx.country_iso2, generation_based);
  ctx.loss_fraction = loss.fraction;
  ctx.loss_source = loss.source;
}

// An intensity series (options, else joule.toml) replaces the annual figure,
// so its own kind and basis decide (never mixing average and marginal in one
// score).
void set_series(const ReferenceData& data, const ContextOptions& o,
                const std::optional<FileConfig>& config, ResolvedContext& ctx) {
  std::optional<std::filesystem::path> series_file = o.intensity_file;
  if (!series_file && config && config->intensity_file) series_file = config->intensity_file;
  if (!series_file) return;
  ctx.series = load_intensity_series(*series_file);
  ctx.intensity_kind = ctx.series->kind;
  set_loss(data, ctx.series->generation_based, ctx);
}

}  // namespace

std::string to_string(ContextKind kind) {
  switch (kind) {
    case ContextKind::own_machine:
      return "own";
    case ContextKind::datacenter:
      return "datacenter";
    case ContextKind::cloud:
      return "cloud";
    case ContextKind::unspecified:
      break;
  }
  return "unspecified";
}

ContextKind parse_context_kind(const std::string& text) {
  std::string t = support::to_lower(text);
  if (t == "own" || t == "own_machine" || t == "own-machine" || t == "laptop" || t == "desktop" ||
      t == "local" || t == "workstation") {
    return ContextKind::own_machine;
  }
  if (t == "datacenter" || t == "datacentre" || t == "data-center" || t == "data-centre" ||
      t == "dc" || t == "server") {
    return ContextKind::datacenter;
  }
  if (t == "cloud") return ContextKind::cloud;
  if (t == "unspecified" || t.empty()) return ContextKind::unspecified;
  throw CarbonError(fmt::format("unknown context '{}': expected own, datacenter or cloud", text));
}

std::string to_string(IntensityKind kind) {
  return kind == IntensityKind::marginal ? "marginal" : "average";
}

std::string to_string(CloudBasis basis) {
  return basis == CloudBasis::provider ? "provider" : "grid";
}

CloudBasis parse_cloud_basis(const std::string& text) {
  std::string t = support::to_lower(text);
  if (t == "grid" || t == "emaps" || t == "electricity-maps" || t == "zone")
    return CloudBasis::grid;
  if (t == "provider" || t == "google") return CloudBasis::provider;
  throw CarbonError(fmt::format(
      "unknown cloud basis '{}': expected grid (Electricity Maps zone, life-cycle, every provider) "
      "or provider (the provider's own figure: Google's operational gross emissions, GCP only)",
      text));
}

ResolvedContext resolve_context(const ContextOptions& options) {
  return detail::resolve_context(options, detail::ContextHooks{});
}

ResolvedContext detail::resolve_context(const ContextOptions& o, const ContextHooks& hooks) {
  const auto env = hooks.environment ? *hooks.environment : process_environment();
  ResolvedContext ctx;

  std::optional<FileConfig> config;
  if (auto path = find_config(o, env)) config = load_config_file(*path);

  std::vector<std::filesystem::path> data_files;
  if (config) data_files = config->data_files;
  data_files.insert(data_files.end(), o.data_files.begin(), o.data_files.end());
  ctx.data = ReferenceData::with_overrides(data_files);
  const ReferenceData& data = *ctx.data;

  const Place place = choose_place(data, o, env, config, hooks, ctx);
  set_place(place, ctx);
  ctx.context = choose_context_kind(o, env, config, place);
  set_pue(data, stated_pue(o, env, config), place.cloud, ctx);
  set_loss(data, ctx.intensity_generation_based, ctx);
  set_series(data, o, config, ctx);
  ctx.data_vintage = data.vintage_summary();
  if (config) ctx.hardware = config->hardware;
  return ctx;
}

}  // namespace joule::carbon
