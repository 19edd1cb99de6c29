#include "record/carbon_record.hpp"

namespace joule::record {
namespace {

Range to_range(const carbon::Estimate& e) {
  return {e.low, e.central, e.high};
}

}  // namespace

void fill_carbon(RunRecord& record, const carbon::ResolvedContext& ctx) {
  carbon::EnergyInput energy;
  energy.energy = Joules{record.totals.attributed_energy_j};
  energy.relative_uncertainty = record.totals.relative_uncertainty;
  carbon::FunctionalUnit unit;
  if (!record.units.empty()) {
    // Any name the command counts by: not only the SCI's named units.
    unit = carbon::FunctionalUnit{record.units.front().name, record.units.front().count};
  }
  const carbon::Footprint fp = carbon::footprint(ctx, energy, std::nullopt, unit);

  CarbonRecord c;
  c.location = ctx.location_code;
  c.location_method = ctx.how_decided + (ctx.is_guess ? " (a guess)" : "");
  c.intensity_g_per_kwh = to_range(ctx.intensity_g_per_kwh);
  c.intensity_source = ctx.intensity_source;
  c.pue = ctx.pue.central;
  c.pue_source = ctx.pue_source;
  c.td_loss_fraction = ctx.loss_fraction.central;
  c.td_loss_source = ctx.loss_source;
  c.operational_co2e_g = to_range(fp.operational.grams);
  if (fp.embodied) c.embodied_co2e_g = to_range(fp.embodied->grams);
  c.total_co2e_g = to_range(fp.total_g);
  for (const auto& t : fp.operational.terms) {
    c.terms.push_back({t.name, t.value.central, t.unit, t.source});
  }
  record.carbon = std::move(c);
  for (const auto& w : ctx.warnings) record.warnings.push_back(w);
  for (const auto& w : fp.warnings) record.warnings.push_back(w);
  if (!record.units.empty() && record.units.front().count > 0) {
    record.sci = SciRecord{unit.name, unit.count, to_range(fp.sci_g_per_unit)};
  } else {
    record.sci.reset();
  }
}

}  // namespace joule::record
