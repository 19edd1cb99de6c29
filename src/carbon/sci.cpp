// SCI = (O + M) / R, and the functional units R may name.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "carbon/embodied_lookup.hpp"
#include "carbon/estimate.hpp"
#include "carbon/suggest.hpp"
#include "joule/carbon.hpp"
#include "support/strings.hpp"

namespace joule::carbon {

namespace {
const std::vector<std::string> kUnits = {"inference", "request", "sample", "token", "epoch", "run"};
}

FunctionalUnit parse_functional_unit(const std::string& name_in, double count) {
  std::string name = support::to_lower(name_in);
  if (name.ends_with("s") && name.size() > 1) {  // "tokens", "samples"
    std::string singular = name.substr(0, name.size() - 1);
    for (const auto& u : kUnits) {
      if (u == singular) name = singular;
    }
  }
  bool known = false;
  for (const auto& u : kUnits) known = known || u == name;
  if (!known) {
    throw CarbonError(fmt::format("unknown functional unit '{}': expected one of {};{}", name_in,
                                  fmt::join(kUnits, ", "), did_you_mean(name, kUnits)));
  }
  if (!(count > 0) || !std::isfinite(count)) {
    throw CarbonError(
        fmt::format("the number of functional units must be more than zero, found {}", count));
  }
  return {name, count};
}

Footprint footprint(const ResolvedContext& ctx, const EnergyInput& energy,
                    const std::optional<EmbodiedInput>& embodied_input,
                    const FunctionalUnit& unit) {
  std::vector<EmbodiedInput> inputs;
  if (embodied_input) inputs.push_back(*embodied_input);
  return footprint(ctx, energy, inputs, unit);
}

namespace {

Footprint footprint_of(const ResolvedContext& ctx, const EnergyInput& energy,
                       const std::vector<EmbodiedInput>& embodied_inputs,
                       const FunctionalUnit& unit, bool embodied_left_out);

}  // namespace

Footprint footprint(const ResolvedContext& ctx, const EnergyInput& energy,
                    const std::vector<EmbodiedInput>& embodied_inputs, const FunctionalUnit& unit) {
  return footprint_of(ctx, energy, embodied_inputs, unit, false);
}

Footprint footprint(const ResolvedContext& ctx, const EnergyInput& energy,
                    const HardwarePlan& hardware, const FunctionalUnit& unit) {
  Footprint fp = footprint_of(ctx, energy, hardware.inputs, unit, hardware.left_out);
  fp.warnings.insert(fp.warnings.end(), hardware.notes.begin(), hardware.notes.end());
  return fp;
}

namespace {

Footprint footprint_of(const ResolvedContext& ctx, const EnergyInput& energy,
                       const std::vector<EmbodiedInput>& embodied_inputs,
                       const FunctionalUnit& unit, bool embodied_left_out) {
  if (!(unit.count > 0) || !std::isfinite(unit.count)) {
    throw CarbonError(
        fmt::format("the number of functional units must be more than zero, found {}", unit.count));
  }
  Footprint fp;
  fp.unit = unit;
  fp.operational = operational(ctx, energy);
  fp.warnings = ctx.warnings;
  fp.warnings.insert(fp.warnings.end(), fp.operational.warnings.begin(),
                     fp.operational.warnings.end());
  std::vector<Estimate> parts = {fp.operational.grams};
  if (!embodied_inputs.empty()) {
    CarbonResult m;
    std::vector<Estimate> pieces;
    for (const auto& input : embodied_inputs) {
      EmbodiedPart part;
      CarbonResult one = embodied(ctx, input, part);
      fp.embodied_parts.push_back(std::move(part));
      pieces.push_back(one.grams);
      m.terms.insert(m.terms.end(), one.terms.begin(), one.terms.end());
      m.warnings.insert(m.warnings.end(), one.warnings.begin(), one.warnings.end());
    }
    m.grams = sum(pieces);  // different devices: independent figures
    if (embodied_inputs.size() > 1) {
      m.terms.push_back(
          {"M", "embodied emissions, all devices", m.grams, "gCO2e", "sum of the devices' M"});
    }
    parts.push_back(m.grams);
    fp.warnings.insert(fp.warnings.end(), m.warnings.begin(), m.warnings.end());
    fp.embodied = std::move(m);
  } else if (!embodied_left_out) {
    fp.warnings.push_back(
        "embodied emissions (M) not included: the SCI asks for them; give the hardware to "
        "`joule run` or `joule carbon` (--embodied server, --gpu \"H100 SXM5\" --gpus 8) or "
        "in joule.toml [hardware]");
  }
  fp.total_g = sum(parts);
  fp.sci_g_per_unit = scale(fp.total_g, 1.0 / unit.count);

  fp.terms.push_back(
      {"O", "operational emissions", fp.operational.grams, "gCO2e", "E x PUE x I / (1 - loss)"});
  fp.terms.push_back({"M", "embodied emissions",
                      fp.embodied ? fp.embodied->grams : Estimate::exact(0), "gCO2e",
                      fp.embodied ? "TE x (TiR / EL) x RS" : "not included"});
  fp.terms.push_back(
      {"O+M", "total", fp.total_g, "gCO2e", "sum; range: independent terms in quadrature"});
  fp.terms.push_back({"R", "functional unit", Estimate::exact(unit.count), unit.name, "as given"});
  fp.terms.push_back({"SCI", fmt::format("software carbon intensity per {}", unit.name),
                      fp.sci_g_per_unit, fmt::format("gCO2e/{}", unit.name),
                      "(O + M) / R (ISO/IEC 21031)"});
  return fp;
}

}  // namespace

}  // namespace joule::carbon
