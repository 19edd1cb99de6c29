// Every reference table parses, and its rows are plausible and sourced.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "carbon/context_hooks.hpp"
#include "carbon/tables.hpp"
#include "joule/carbon.hpp"
#include "refdata/csv.hpp"

using joule::carbon::ReferenceData;
using joule::refdata::ReferenceTable;

TEST(CarbonData, EveryTableParsesAndDeclaresSourcesAndLicence) {
  for (const auto& name : joule::carbon::overridable_tables()) {
    SCOPED_TRACE(name);
    const auto& t = ReferenceTable::embedded(name);
    EXPECT_GT(t.size(), 0u);
    bool has_source = false, has_licence = false;
    for (const auto& c : t.comments()) {
      has_source = has_source || c.find("source") != std::string::npos;
      has_licence = has_licence || c.find("LICENCE") != std::string::npos ||
                    c.find("licence") != std::string::npos;
    }
    EXPECT_TRUE(has_source);
    EXPECT_TRUE(has_licence);
  }
  auto data = ReferenceData::embedded();
  EXPECT_FALSE(data->countries().empty());
  EXPECT_FALSE(data->clouds().empty());
}

TEST(CarbonData, EveryCountryRowHasAValidCodeAndAPlausibleValue) {
  auto data = ReferenceData::embedded();
  std::set<std::string> iso2s, codes;
  const std::regex alpha3("[A-Z]{3}"), alpha2("[A-Z]{2}"), aggregate("X-[A-Z0-9]+");
  for (const auto& r : data->countries()) {
    SCOPED_TRACE(r.code);
    if (r.kind == "aggregate") {
      EXPECT_TRUE(std::regex_match(r.code, aggregate));
    } else {
      EXPECT_TRUE(std::regex_match(r.code, alpha3));
      EXPECT_TRUE(std::regex_match(r.iso2, alpha2));
      EXPECT_TRUE(iso2s.insert(r.iso2).second) << "duplicate alpha-2";
    }
    EXPECT_TRUE(codes.insert(r.code).second) << "duplicate code";
    for (auto v : {r.central_g_per_kwh, r.low_g_per_kwh, r.high_g_per_kwh}) {
      if (v) {
        EXPECT_GE(*v, 0);
        EXPECT_LE(*v, 1500);
      }
    }
    if (r.central_g_per_kwh) {
      // Every value has its source and year.
      EXPECT_TRUE(r.central_source == "EMBER" || r.central_source == "OWID") << r.central_source;
      EXPECT_TRUE(r.central_year.has_value());
      if (r.low_g_per_kwh) EXPECT_LE(*r.low_g_per_kwh, *r.central_g_per_kwh);
      if (r.high_g_per_kwh) EXPECT_GE(*r.high_g_per_kwh, *r.central_g_per_kwh);
    } else {
      // Only IFI marginal factors: they must be there, or the row is empty.
      EXPECT_TRUE(r.ifi_om_g_per_kwh || r.ifi_cm_g_per_kwh);
    }
  }
  ASSERT_NE(data->world(), nullptr);
  EXPECT_NEAR(*data->world()->central_g_per_kwh, 472.9, 1e-9);  // Ember 2024 world
  EXPECT_GT(iso2s.size(), 200u);
}

TEST(CarbonData, EveryRegionZoneCloudAndEmbodiedRowHasASourceAndPlausibleValues) {
  auto data = ReferenceData::embedded();
  for (const auto& r : data->regions()) {
    SCOPED_TRACE(r.code);
    EXPECT_FALSE(r.source.empty());
    ASSERT_TRUE(r.g_co2e_per_kwh.has_value());
    EXPECT_GE(*r.g_co2e_per_kwh, 0);
    EXPECT_LE(*r.g_co2e_per_kwh, 1500);
    EXPECT_EQ(r.iso2.size(), 2u);
  }
  for (const auto& z : data->zones()) {
    SCOPED_TRACE(z.zone);
    EXPECT_EQ(z.iso2.size(), 2u);
    EXPECT_TRUE(z.zone.starts_with(z.iso2) || z.zone.size() > 2);
    for (const auto& v : z.g_per_kwh) {
      if (v) EXPECT_LE(*v, 1500);
    }
  }
  for (const auto& c : data->clouds()) {
    SCOPED_TRACE(c.provider + ":" + c.region);
    EXPECT_TRUE(c.provider == "aws" || c.provider == "gcp" || c.provider == "azure");
    EXPECT_NE(data->country(c.iso2), nullptr) << "cloud country must exist";
    ASSERT_TRUE(c.pue.has_value());
    EXPECT_GE(*c.pue, 1.0);
    EXPECT_LE(*c.pue, 1.3);
    EXPECT_FALSE(c.pue_basis.empty());
    // Most zones exist; where one does not (azure:chilecentral names "CL"),
    // the region still resolves, through its country.
    auto o = joule::carbon::ContextOptions{};
    o.read_config_files = false;
    o.cloud = c.provider + ":" + c.region;
    joule::carbon::detail::ContextHooks no_environment;
    no_environment.environment = std::map<std::string, std::string>{};
    auto ctx = joule::carbon::detail::resolve_context(o, no_environment);
    EXPECT_GT(ctx.intensity_g_per_kwh.central, 0);
    EXPECT_LE(ctx.intensity_g_per_kwh.central, 1500);
  }
  for (const auto& e : data->embodied()) {
    SCOPED_TRACE(e.item);
    if (e.kg_co2e) EXPECT_FALSE(e.source.empty());
  }
  for (const auto& f : data->factors()) {
    SCOPED_TRACE(f.table + "/" + f.key);
    EXPECT_FALSE(f.source.empty());
  }
  for (std::string provider : {"aws", "gcp", "azure"})
    EXPECT_FALSE(data->cloud_ids(provider).empty());
}
