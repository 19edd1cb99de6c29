#include "record/footprint.hpp"

#include "carbon/tables.hpp"

namespace joule::record {

namespace {

EmbodiedRecord embodied_record(const carbon::EmbodiedPart& p) {
  EmbodiedRecord e;
  e.device = p.device.name;
  e.provenance = p.device.provenance;
  e.how_decided = p.how_decided;
  e.count = p.count;
  e.device_co2e_kg = p.device.kg;
  e.source = p.device.source;
  e.rows = p.device.rows;
  e.time_reserved_h = p.time_reserved_h;
  e.lifetime_h = p.lifetime_h;
  e.lifetime_source = p.lifetime_source;
  e.share = p.share;
  e.share_source = p.share_source;
  e.co2e_g = p.grams;
  return e;
}

}  // namespace

void fill_footprint(RunRecord& record, const carbon::ResolvedContext& ctx,
                    const carbon::HardwarePlan* hardware) {
  carbon::EnergyInput energy;
  energy.energy = Joules{record.totals.attributed_energy_j};
  energy.relative_uncertainty = record.totals.relative_uncertainty;
  carbon::FunctionalUnit unit;
  // Any name the command counts by: not only the SCI's named units.
  if (!record.units.empty()) unit = record.units.front();
  const carbon::Footprint fp =
      hardware ? carbon::footprint(ctx, energy, *hardware, unit)
               : carbon::footprint(ctx, energy, std::vector<carbon::EmbodiedInput>{}, unit);

  CarbonRecord c;
  c.location = ctx.location_code;
  c.location_method = ctx.how_decided + (ctx.is_guess ? " (a guess)" : "");
  c.intensity_g_per_kwh = ctx.intensity_g_per_kwh;
  c.intensity_source = ctx.intensity_source;
  c.pue = ctx.pue.central;
  c.pue_source = ctx.pue_source;
  c.td_loss_fraction = ctx.loss_fraction.central;
  c.td_loss_source = ctx.loss_source;
  // Read after the footprint, which may have loaded more tables.
  c.data_vintage = ctx.data ? ctx.data->vintage_summary() : ctx.data_vintage;
  c.operational_co2e_g = fp.operational.grams;
  if (fp.embodied) c.embodied_co2e_g = fp.embodied->grams;
  c.total_co2e_g = fp.total_g;
  for (const auto& t : fp.operational.terms) {
    c.terms.push_back({t.name, t.value.central, t.unit, t.source});
  }
  for (const auto& part : fp.embodied_parts) c.embodied.push_back(embodied_record(part));
  record.carbon = std::move(c);
  for (const auto& w : ctx.warnings) record.warnings.push_back(w);
  for (const auto& w : fp.warnings) record.warnings.push_back(w);
  if (!record.units.empty() && record.units.front().count > 0) {
    record.sci = SciRecord{unit.name, unit.count, fp.sci_g_per_unit};
  } else {
    record.sci.reset();
  }
}

}  // namespace joule::record
