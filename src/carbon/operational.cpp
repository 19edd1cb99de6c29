// O = E x PUE x I / (1 - loss).
#include <fmt/format.h>

#include "carbon/estimate.hpp"
#include "carbon/timeseries.hpp"
#include "joule/carbon.hpp"

namespace joule::carbon {

CarbonResult operational(const ResolvedContext& ctx, const EnergyInput& input) {
  if (!(input.energy.joules >= 0)) {
    throw CarbonError(fmt::format("energy must be zero or more, found {} J", input.energy.joules));
  }
  if (!(input.relative_uncertainty >= 0)) {
    throw CarbonError(fmt::format("energy uncertainty must be zero or more, found {}",
                                  input.relative_uncertainty));
  }
  CarbonResult result;
  const double kwh = input.energy.kilowatt_hours();
  const Estimate e = relative(kwh, input.relative_uncertainty);

  Estimate intensity = ctx.intensity_g_per_kwh;
  std::string intensity_source = ctx.intensity_source;
  std::string intensity_name =
      fmt::format("grid intensity, {} ({})", ctx.location_name, to_string(ctx.intensity_kind));
  if (ctx.series && !ctx.series->points.empty()) {
    double effective = 0;
    if (!input.timeline.empty()) {
      auto integral = integrate(*ctx.series, input.timeline);
      effective = integral.effective_g_per_kwh;
      intensity_source =
          fmt::format("energy-weighted over the run's timeline ({} intervals) from {}",
                      input.timeline.size(), ctx.series->source);
      if (!integral.gap_note.empty()) result.warnings.push_back(integral.gap_note);
      if (integral.energy_kwh <= 0) effective = time_weighted_mean(*ctx.series);
    } else {
      effective = time_weighted_mean(*ctx.series);
      intensity_source = fmt::format(
          "time-weighted mean of {} (no timeline to place the energy in time)", ctx.series->source);
      result.warnings.push_back(
          "an intensity series was given but no energy timeline: used the series' time-weighted "
          "mean over its whole "
          "span");
    }
    // A series states point values without a range: it is used as exact.
    intensity = Estimate::exact(effective);
    intensity_name = fmt::format("grid intensity, time series ({})", to_string(ctx.series->kind));
  }
  const Estimate loss = loss_factor(ctx.loss_fraction);

  result.grams = product({e, ctx.pue, intensity, loss});
  result.terms.push_back(
      {"E", "IT energy", e, "kWh", input.source.empty() ? "as given" : input.source});
  result.terms.push_back({"PUE", "power usage effectiveness", ctx.pue, "ratio", ctx.pue_source});
  result.terms.push_back({"I", intensity_name, intensity, "gCO2e/kWh", intensity_source});
  result.terms.push_back({"loss", "transmission and distribution losses",
                          scale(ctx.loss_fraction, 100), "%", ctx.loss_source});
  result.terms.push_back(
      {"O", "operational emissions = E x PUE x I / (1 - loss)", result.grams, "gCO2e",
       "computed; range: independent factors in quadrature (docs/methodology.md)"});
  return result;
}

}  // namespace joule::carbon
