// The reference tables checked against each other, not only row by row: a
// row can copy its upstream file faithfully and still be wrong (a cloud
// region mapped to another state's grid, a per-vCPU figure ten times what the
// SPECpower runs it came from allow, a GPU name that picks the wrong card).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "carbon/embodied_lookup.hpp"
#include "carbon/names.hpp"
#include "carbon/tables.hpp"
#include "refdata/csv.hpp"
#include "support/strings.hpp"

using joule::carbon::ReferenceData;
using joule::refdata::ReferenceTable;

namespace {

std::string id(const joule::carbon::CloudRow& c) {
  return c.provider + ":" + c.region;
}

std::optional<double> latest_full_year(const joule::carbon::ZoneRow& z) {
  for (int y : {2024, 2023, 2022, 2021}) {
    if (auto v = z.g_per_kwh[y - joule::carbon::ZoneRow::kFirstYear]) return v;
  }
  return std::nullopt;
}

// The US subdivisions (ISO 3166-2), or "subdivision:city" where a state is
// split between grids, that each US balancing-authority zone serves. A zone a
// cloud row names must be listed here, so that a new mapping is reviewed
// against the utility that serves the site (EIA-861 / EIA-930 territories).
const std::map<std::string, std::set<std::string>>& us_zone_territories() {
  static const std::map<std::string, std::set<std::string>> m = {
      // Virginia, Ohio and northern Illinois (ComEd) are in PJM.
      {"US-MIDA-PJM", {"US-VA", "US-OH", "US-IL:Chicago", "US-PA", "US-NJ", "US-MD"}},
      // Downstate Illinois (Ameren), Iowa (MidAmerican), Minnesota.
      {"US-MIDW-MISO", {"US-IA", "US-MN", "US-IL:Downstate", "US-MI", "US-IN"}},
      {"US-CENT-SWPP", {"US-OK", "US-KS", "US-NE"}},
      {"US-CAL-CISO", {"US-CA"}},
      {"US-TEX-ERCO", {"US-TX"}},
      {"US-NY-NYIS", {"US-NY"}},
      {"US-NE-ISNE", {"US-MA", "US-CT", "US-RI", "US-NH", "US-VT", "US-ME"}},
      {"US-SE-SOCO", {"US-GA", "US-AL"}},
      {"US-TEN-TVA", {"US-TN", "US-AL:Bridgeport", "US-AL:Huntsville"}},
      {"US-CAR-SCEG", {"US-SC"}},
      {"US-CAR-SC", {"US-SC"}},
      {"US-CAR-DUK", {"US-NC"}},
      // Umatilla and Morrow counties and The Dalles buy from BPA.
      {"US-NW-BPAT", {"US-OR", "US-WA"}},
      // Grant County PUD (Quincy, WA).
      {"US-NW-GCPD", {"US-WA:Quincy"}},
      {"US-NW-PACE", {"US-UT", "US-WY", "US-ID"}},
      {"US-NW-NEVP", {"US-NV"}},
      {"US-SW-AZPS", {"US-AZ"}},
      {"US-SW-SRP", {"US-AZ"}},
      {"US-FLA-FPL", {"US-FL"}},
  };
  return m;
}

bool zone_serves(const joule::carbon::CloudRow& c, const std::set<std::string>& territory) {
  if (territory.count(c.subdivision)) return true;
  return territory.count(c.subdivision + ":" + c.city) > 0;
}

}  // namespace

TEST(Consistency, EveryCloudRegionNamesAZoneThatExists) {
  auto data = ReferenceData::embedded();
  for (const auto& c : data->clouds()) {
    SCOPED_TRACE(id(c));
    ASSERT_FALSE(c.emaps_zone.empty()) << "no Electricity Maps zone";
    EXPECT_NE(data->zone(c.emaps_zone), nullptr)
        << "zone " << c.emaps_zone << " is not in grid_intensity_emaps.csv";
  }
}

TEST(Consistency, EveryCloudRegionsCountryMatchesItsZonesCountry) {
  auto data = ReferenceData::embedded();
  const auto& raw = ReferenceTable::embedded("cloud_regions.csv");
  for (std::size_t i = 0; i < raw.size(); ++i) {
    std::string iso2(raw.text(i, "country_iso2")), iso3(raw.text(i, "country_iso3"));
    std::string zone_key(raw.text(i, "emaps_zone"));
    SCOPED_TRACE(std::string(raw.text(i, "provider")) + ":" + std::string(raw.text(i, "region")) +
                 " (line " + std::to_string(raw.line_of(i)) + ")");
    ASSERT_FALSE(iso2.empty()) << "no country";
    const auto* country = data->country(iso2);
    ASSERT_NE(country, nullptr);
    EXPECT_EQ(country->code, iso3);
    if (const auto* zone = data->zone(zone_key)) EXPECT_EQ(zone->iso2, iso2) << zone->zone;
  }
}

TEST(Consistency, UsCloudRegionsMapToTheGridThatServesTheirSite) {
  auto data = ReferenceData::embedded();
  for (const auto& c : data->clouds()) {
    if (c.iso2 != "US" || c.emaps_zone == "US") continue;
    SCOPED_TRACE(id(c) + " (" + c.subdivision + ", " + c.city + ") -> " + c.emaps_zone);
    auto it = us_zone_territories().find(c.emaps_zone);
    if (it == us_zone_territories().end()) {
      ADD_FAILURE() << "zone not reviewed: add the territory it serves to us_zone_territories()";
      continue;
    }
    EXPECT_TRUE(zone_serves(c, it->second)) << "the zone does not serve the site's utility";
  }
}

TEST(Consistency, ZoneIntensityIsWithinAPlausibleRatioOfItsCountry) {
  // A sub-national grid can be far cleaner than its country (Quebec, Grant
  // County) but not 15x, nor more than 4x dirtier: beyond that the zone is
  // probably another country's or another year's.
  auto data = ReferenceData::embedded();
  for (const auto& c : data->clouds()) {
    const auto* zone = data->zone(c.emaps_zone);
    const auto* national = data->zone(c.iso2);
    if (!zone || !national) continue;
    SCOPED_TRACE(id(c) + " -> " + zone->zone);
    auto z = latest_full_year(*zone), n = latest_full_year(*national);
    ASSERT_TRUE(z && n);
    EXPECT_GE(*z / *n, 1.0 / 15);
    EXPECT_LE(*z / *n, 4.0);
  }
  // Google's own regional figure measures the same grid on another basis; it
  // differs from the zone's, but not by an order of magnitude.
  for (const auto& c : data->clouds()) {
    const auto* zone = data->zone(c.emaps_zone);
    if (!zone || !c.provider_grid_g_per_kwh) continue;
    SCOPED_TRACE(id(c) + " Google vs " + zone->zone);
    auto z = latest_full_year(*zone);
    ASSERT_TRUE(z);
    EXPECT_GE(*c.provider_grid_g_per_kwh / *z, 1.0 / 5);
    EXPECT_LE(*c.provider_grid_g_per_kwh / *z, 5.0);
  }
}

TEST(Consistency, PerVcpuPowerIsWithinWhatItsSpecpowerRunsAllow) {
  // cpu_specpower_rows.csv holds the SPECpower_ssj2008 runs a row was
  // recomputed from; the row must lie within their per-thread spread.
  const auto& runs = ReferenceTable::embedded("cpu_specpower_rows.csv");
  std::map<std::string, std::pair<double, double>> idle, full;  // architecture -> [lo, hi]
  for (std::size_t i = 0; i < runs.size(); ++i) {
    std::string arch(runs.text(i, "architecture"));
    double threads = *runs.number(i, "threads");
    double w_idle = *runs.number(i, "watts_active_idle") / threads;
    double w_full = *runs.number(i, "watts_100pct") / threads;
    auto widen = [](auto& m, const std::string& k, double v) {
      auto [it, fresh] = m.try_emplace(k, v, v);
      if (!fresh) it->second = {std::min(it->second.first, v), std::max(it->second.second, v)};
    };
    widen(idle, arch, w_idle);
    widen(full, arch, w_full);
  }
  ASSERT_FALSE(idle.empty());
  const auto& table = ReferenceTable::embedded("cpu_power_per_vcpu.csv");
  std::size_t checked = 0;
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (table.text(i, "kind") != "cpu") continue;
    std::string arch(table.text(i, "architecture"));
    SCOPED_TRACE(std::string(table.text(i, "dataset")) + " " +
                 std::string(table.text(i, "provider")) + " " + arch + " (line " +
                 std::to_string(table.line_of(i)) + ")");
    double lo = *table.number(i, "min_watts"), hi = *table.number(i, "max_watts");
    // Whole-server SPECpower watts per hardware thread: no server CPU since
    // 2008 idles above 3.5 W or peaks above 9 W per thread.
    EXPECT_GT(lo, 0);
    EXPECT_LT(lo, hi);
    EXPECT_LE(lo, 3.5);
    EXPECT_LE(hi, 9.0);
    for (const auto& [name, range] : idle) {
      if (arch.find(name) == std::string::npos) continue;
      ++checked;
      EXPECT_GE(lo, range.first * 0.999) << "below the idle runs of " << name;
      EXPECT_LE(lo, range.second * 1.001) << "above the idle runs of " << name;
      EXPECT_GE(hi, full[name].first * 0.999) << "below the full-load runs of " << name;
      EXPECT_LE(hi, full[name].second * 1.001) << "above the full-load runs of " << name;
    }
  }
  EXPECT_GT(checked, 0u) << "no row of cpu_power_per_vcpu.csv was checked against its runs";
}

TEST(Consistency, GpuNamesResolveExactlyFirstAndFamiliesAreNotGuessed) {
  auto data = ReferenceData::embedded();
  // Every row's own name, and its name without the vendor, finds that row.
  for (const auto& g : data->gpus()) {
    SCOPED_TRACE(g.model);
    const auto* found = data->gpu(g.model);
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->model, g.model);
  }
  // The names the issue found resolving by row order.
  auto model_of = [&](const std::string& name) {
    const auto* g = data->gpu(name);
    return g ? g->model : std::string("(none)");
  };
  EXPECT_EQ(model_of("A10"), "NVIDIA A10");
  EXPECT_EQ(model_of("TPU v4"), "Google TPU v4 (chip)");
  // A family with variants of different power is not resolved to one of them.
  for (std::string family : {"A100", "V100", "A100 80GB", "P100", "H100"}) {
    SCOPED_TRACE(family);
    auto match = joule::carbon::resolve_gpu(*data, family);
    EXPECT_EQ(match.row, nullptr) << "picked " << match.row->model;
    EXPECT_GE(match.variants.size(), 2u);
  }
}

// What NVML reports (nvmlDeviceGetName, as nvidia-smi -L prints it) must find
// the card's own row, power and embodied alike: detection feeds these names
// to joule run's M and to the estimator, and a driver name such as "NVIDIA
// H100 80GB HBM3" carries words no model name has.
TEST(Consistency, DriverReportedGpuNamesFindTheirOwnRow) {
  auto data = ReferenceData::embedded();
  std::map<std::string, std::string> row_of_driver_name;
  for (const auto& g : data->gpus()) {
    for (const auto& name : g.driver_names) {
      SCOPED_TRACE(name);
      EXPECT_TRUE(row_of_driver_name.emplace(joule::support::to_lower(name), g.model).second)
          << "listed by two rows";
      auto match = joule::carbon::resolve_gpu(*data, name);
      ASSERT_NE(match.row, nullptr);
      EXPECT_EQ(match.row, &g);
    }
  }
  const std::vector<std::pair<std::string, std::string>> reported = {
      {"Tesla V100-SXM2-16GB", "NVIDIA Tesla V100 SXM2"},
      {"Tesla V100-PCIE-32GB", "NVIDIA Tesla V100 PCIe"},
      {"Tesla P100-PCIE-16GB", "NVIDIA Tesla P100 PCIe"},
      {"NVIDIA A100-SXM4-80GB", "NVIDIA A100 SXM4 40GB/80GB"},
      {"NVIDIA A100 80GB PCIe", "NVIDIA A100 PCIe 80GB"},
      {"NVIDIA H100 80GB HBM3", "NVIDIA H100 SXM5"},
      {"NVIDIA H200", "NVIDIA H200 SXM"},
      {"NVIDIA GH200 480GB", "NVIDIA GH200 Grace Hopper Superchip"},
      {"NVIDIA RTX 6000 Ada Generation", "NVIDIA RTX 6000 Ada"},
      {"Tesla T4", "NVIDIA T4"},
  };
  for (const auto& [name, model] : reported) {
    SCOPED_TRACE(name);
    auto match = joule::carbon::resolve_gpu(*data, name);
    ASSERT_NE(match.row, nullptr);
    EXPECT_EQ(match.row->model, model);
    EXPECT_EQ(joule::carbon::lookup_embodied(*data, name).source,
              joule::carbon::lookup_embodied(*data, model).source);
  }
}

TEST(Consistency, EveryGpuCpuAndDeviceNameIsUnambiguousOrDeclaredAmbiguous) {
  auto data = ReferenceData::embedded();
  for (const auto& g : data->gpus()) {
    auto match = joule::carbon::resolve_gpu(*data, g.model);
    ASSERT_NE(match.row, nullptr) << g.model;
    EXPECT_EQ(match.row, &g);
  }
  for (const auto& e : data->embodied()) {
    if (!e.kg_co2e || e.category.starts_with("coef")) continue;
    SCOPED_TRACE(e.item);
    auto d = joule::carbon::lookup_embodied(*data, e.item);
    EXPECT_NE(d.source.find(e.item), std::string::npos) << d.source;
  }
  const auto& cpus = ReferenceTable::embedded("cpu_power_per_vcpu.csv");
  std::set<std::string> keys;
  for (std::size_t i = 0; i < cpus.size(); ++i) {
    std::string key = std::string(cpus.text(i, "dataset")) + "/" +
                      std::string(cpus.text(i, "provider")) + "/" +
                      joule::support::to_lower(cpus.text(i, "architecture"));
    EXPECT_TRUE(keys.insert(key).second) << "two rows for " << key;
  }
}

TEST(Consistency, PowerAndEmbodiedComeFromTheSameGpuVariant) {
  auto data = ReferenceData::embedded();
  for (std::string name : {"A100 PCIe 40GB", "NVIDIA A100 SXM4 40GB/80GB", "H100 SXM5", "L4"}) {
    SCOPED_TRACE(name);
    auto match = joule::carbon::resolve_gpu(*data, name);
    ASSERT_NE(match.row, nullptr);
    auto d = joule::carbon::lookup_embodied(*data, name);
    EXPECT_EQ(d.variant, match.row->model) << d.source;
  }
}

TEST(Consistency, EveryRowHasASourceAYearAndABasis) {
  auto data = ReferenceData::embedded();
  for (const auto& name : joule::carbon::overridable_tables()) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(ReferenceTable::embedded(name).comment_value("vintage").has_value())
        << "no '# vintage:' line (the data date joule reports)";
  }
  for (const auto& c : data->clouds()) {
    SCOPED_TRACE(id(c));
    EXPECT_FALSE(c.zone_basis.empty());
    EXPECT_FALSE(c.pue_basis.empty());
    if (c.provider_grid_g_per_kwh) EXPECT_TRUE(c.provider_grid_year.has_value());
  }
  for (const auto& g : data->gpus()) {
    SCOPED_TRACE(g.model);
    EXPECT_FALSE(g.source.empty());
  }
  for (const auto& e : data->embodied()) {
    if (!e.kg_co2e) continue;
    SCOPED_TRACE(e.item);
    EXPECT_FALSE(e.source.empty());
    EXPECT_FALSE(e.scope.empty()) << "no boundary / basis";
  }
  for (const auto& r : data->regions()) {
    SCOPED_TRACE(r.code);
    EXPECT_FALSE(r.source.empty());
    EXPECT_TRUE(r.year.has_value());
    EXPECT_FALSE(r.basis.empty());
  }
}

TEST(Consistency, CitedFiguresSayWhatTheirSourcesSay) {
  const auto& memory = ReferenceTable::embedded("memory_power.csv");
  for (std::size_t i = 0; i < memory.size(); ++i) {
    SCOPED_TRACE(memory.text(i, "method"));
    // Crucial's page now says 5 W per module, not 3 W per 8 GB.
    if (memory.number(i, "w_per_gb") == 0.375) {
      EXPECT_EQ(std::string(memory.text(i, "source")).find("crucial.com"), std::string::npos);
    }
    // 408.3 mW per device is 0.4083 W/GB only for 1 GB devices: say so.
    if (memory.number(i, "w_per_gb") == 0.4083) {
      EXPECT_NE(std::string(memory.text(i, "basis")).find("1 GB"), std::string::npos);
    }
  }
  auto data = ReferenceData::embedded();
  for (const auto& e : data->embodied()) {
    SCOPED_TRACE(e.item);
    if (e.item.find("A100") != std::string::npos && e.category == "gpu" &&
        e.source.find("FALK") != std::string::npos) {
      EXPECT_NE(e.scope.find("cradle-to-gate"), std::string::npos);
    }
    // CCF's code: 4 years x 12 months x 30 days x 24 h.
    if (e.lifetime_basis.find("CCF") != std::string::npos) {
      EXPECT_EQ(e.lifetime_basis.find("35040"), std::string::npos);
      ASSERT_TRUE(e.lifetime_hours.has_value());
      EXPECT_EQ(*e.lifetime_hours, 4 * 12 * 30 * 24);
    }
  }
}
