// M = TE x (TiR / EL) x RS: the manufacturing emissions of the hardware,
// allocated to the software by the time and the share of it reserved.
#include <fmt/format.h>

#include <cmath>

#include "carbon/embodied_lookup.hpp"
#include "carbon/estimate.hpp"
#include "carbon/suggest.hpp"
#include "carbon/tables.hpp"
#include "joule/carbon.hpp"

namespace joule::carbon {

namespace {
constexpr double kHoursPerYear = 8760;
}

CarbonResult embodied(const ResolvedContext& ctx, const EmbodiedInput& in) {
  EmbodiedPart part;
  return embodied(ctx, in, part);
}

CarbonResult embodied(const ResolvedContext& ctx, const EmbodiedInput& in, EmbodiedPart& part) {
  if (!(in.time_reserved.seconds >= 0)) {
    throw CarbonError(
        fmt::format("time reserved must be zero or more, found {} s", in.time_reserved.seconds));
  }
  if (!(in.share > 0 && in.share <= 1)) {
    throw CarbonError(
        fmt::format("the share of the device reserved must be in (0, 1] (e.g. 2 of 8 GPUs = 0.25), "
                    "found {}",
                    in.share));
  }
  if (!(in.count > 0))
    throw CarbonError(fmt::format("device count must be more than zero, found {}", in.count));
  if (in.lifetime_years && !(*in.lifetime_years > 0)) {
    throw CarbonError(
        fmt::format("lifetime must be more than zero years, found {}", *in.lifetime_years));
  }

  DeviceEmbodied device;
  if (in.figure) {
    device = *in.figure;
  } else if (in.total_kg) {
    if (!(*in.total_kg >= 0))
      throw CarbonError(
          fmt::format("embodied emissions must be zero or more, found {} kg", *in.total_kg));
    device.name = in.device.empty() ? "device" : in.device;
    device.kg = Estimate::exact(*in.total_kg);
    device.source = in.how_decided.empty() ? "stated" : "stated: " + in.how_decided;
    device.provenance = "stated";
  } else {
    const auto data = ctx.data ? ctx.data : ReferenceData::embedded();
    device = lookup_embodied(*data, in.device);
  }

  CarbonResult result;
  double lifetime = kDefaultLifetimeYears;
  std::string lifetime_source = fmt::format(
      "default {} years (servers and GPUs: CCF, Teads, Boavizta agree)", kDefaultLifetimeYears);
  if (in.lifetime_years) {
    lifetime = *in.lifetime_years;
    lifetime_source = "stated";
  } else if (device.lifetime_years) {
    lifetime = *device.lifetime_years;
    lifetime_source = device.lifetime_source;
  }
  const double tir_h = in.time_reserved.hours();
  // A source that counts its lifetime in hours (CCF: 34,560 h, not 4 x 8760)
  // is taken at its word.
  const double el_h = !in.lifetime_years && device.lifetime_hours ? *device.lifetime_hours
                                                                  : lifetime * kHoursPerYear;
  if (tir_h > el_h) {
    result.warnings.push_back(
        fmt::format("the time reserved ({:.0f} h) is longer than the device's lifetime "
                    "({:.0f} h): more than its whole embodied emissions are allocated",
                    tir_h, el_h));
  }
  const Estimate te_g = scale(device.kg, 1000.0 * in.count);
  result.grams = product({te_g, Estimate::exact(tir_h / el_h), Estimate::exact(in.share)});

  result.terms.push_back({"TE",
                          in.count == 1
                              ? fmt::format("embodied emissions, {}", device.name)
                              : fmt::format("embodied emissions, {} x {}", in.count, device.name),
                          scale(device.kg, in.count), "kgCO2e", device.source});
  result.terms.push_back({"TiR", "time reserved", Estimate::exact(tir_h), "h", "as given"});
  const std::string el_source =
      fmt::format("{:.4g} years; {}", el_h / kHoursPerYear, lifetime_source);
  result.terms.push_back({"EL", "expected lifetime", Estimate::exact(el_h), "h", el_source});
  result.terms.push_back(
      {"RS", "share of the device reserved", Estimate::exact(in.share), "ratio", in.share_source});
  result.terms.push_back({"M", "embodied emissions = TE x (TiR / EL) x RS", result.grams, "gCO2e",
                          "computed; range from TE (TiR, EL and RS are choices, used as exact)"});
  part = {device,   in.count,        tir_h,          el_h,        el_source,
          in.share, in.share_source, in.how_decided, result.grams};
  return result;
}

}  // namespace joule::carbon
