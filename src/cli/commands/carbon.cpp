// `joule carbon`: the carbon calculator that needs no measurement. Prints each
// term of O = E x PUE x I / (1 - loss), M = TE x (TiR / EL) x RS and
// SCI = (O + M) / R with its source, or the same as JSON.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <memory>

#include "carbon/intensity.hpp"
#include "carbon/modelled_energy.hpp"
#include "carbon/quantity.hpp"
#include "carbon/suggest.hpp"
#include "carbon/tables.hpp"
#include "carbon/timeseries.hpp"
#include "cli/command.hpp"
#include "cli/hardware_options.hpp"
#include "cli/place_options.hpp"
#include "cli/validators.hpp"
#include "joule/carbon.hpp"
#include "joule/format.hpp"
#include "record/json_io.hpp"

namespace joule::cli {
namespace {

namespace jc = joule::carbon;

struct CarbonArgs {
  PlaceOptionValues location;
  std::string energy;
  std::string energy_uncertainty;
  double hours = 0;
  HardwareOptionValues hardware;
  double utilisation = 1;
  double watts = 0;
  std::string start;
  double units = 1;
  std::string unit = "run";
  bool json = false;
  bool list_countries = false;
  bool list_clouds = false;
  bool list_gpus = false;
};

std::string num(double v) {
  return fmt::format("{:.4g}", v);
}

std::string range_text(const jc::Estimate& e) {
  if (e.low == e.central && e.high == e.central) return "";
  return fmt::format("({} to {})", num(e.low), num(e.high));
}

nlohmann::json terms_json(const std::vector<jc::Term>& terms) {
  auto out = nlohmann::json::array();
  for (const auto& t : terms) {
    out.push_back({{"symbol", t.symbol},
                   {"name", t.name},
                   {"value", t.value},
                   {"unit", t.unit},
                   {"source", t.source}});
  }
  return out;
}

void print_terms(const std::vector<jc::Term>& terms) {
  for (const auto& t : terms) {
    std::string value = fmt::format("{} {}", num(t.value.central), t.unit);
    std::string range = range_text(t.value);
    fmt::print("  {:<5} {:<22} {:<20} {}\n", t.symbol, value, range, t.name);
    if (!t.source.empty()) fmt::print("  {:<5} source: {}\n", "", t.source);
  }
}

// The data date of every table the listing read.
void print_vintage(const jc::ReferenceData& data) {
  fmt::print("Data: {}\n", data.vintage_summary());
}

void list_countries(const CarbonArgs& a) {
  // Overrides given with --data apply to the listing too.
  std::vector<std::filesystem::path> files(a.location.data_files.begin(),
                                           a.location.data_files.end());
  auto data = jc::ReferenceData::with_overrides(files);
  if (a.json) {
    auto out = nlohmann::json::array();
    for (const auto& r : data->countries()) {
      auto p = jc::country_intensity(*data, r);
      out.push_back({{"code", r.code},
                     {"iso2", r.iso2},
                     {"name", r.name},
                     {"kind", r.kind},
                     {"g_per_kwh", p.g_per_kwh},
                     {"source", p.source},
                     {"data_vintage", data->vintage(r.origin.file)}});
    }
    fmt::print("{}\n", out.dump(2));
    return;
  }
  fmt::print("{:<4} {:<9} {:<36} {:>10}  {}\n", "iso2", "code", "name", "gCO2e/kWh", "source");
  for (const auto& r : data->countries()) {
    std::string value = r.central_g_per_kwh ? num(*r.central_g_per_kwh) : "-";
    std::string source =
        r.central_g_per_kwh
            ? fmt::format("{} {}", r.central_source,
                          r.central_year ? std::to_string(static_cast<int>(*r.central_year)) : "")
            : "no average (Electricity Maps zone or world average used)";
    fmt::print("{:<4} {:<9} {:<36} {:>10}  {}\n", r.iso2, r.code, r.name.substr(0, 36), value,
               source);
  }
  fmt::print(
      "\nSources: Ember (CC BY 4.0), Our World in Data (CC BY 4.0), via grid_intensity_country.csv "
      "(CC BY-SA "
      "4.0). Sub-national zones: joule carbon --region (Electricity Maps, ODbL).\n");
  print_vintage(*data);
}

void list_clouds(const CarbonArgs& a) {
  std::vector<std::filesystem::path> files(a.location.data_files.begin(),
                                           a.location.data_files.end());
  auto data = jc::ReferenceData::with_overrides(files);
  if (a.json) {
    auto out = nlohmann::json::array();
    for (const auto& r : data->clouds()) {
      auto p = jc::cloud_intensity(*data, r);
      nlohmann::json provider;
      if (r.provider_grid_g_per_kwh) {
        auto g = jc::cloud_intensity(*data, r, jc::CloudBasis::provider);
        provider = {{"g_per_kwh", g.g_per_kwh}, {"source", g.source}};
      }
      out.push_back({{"id", r.provider + ":" + r.region},
                     {"country_iso2", r.iso2},
                     {"city", r.city},
                     {"emaps_zone", r.emaps_zone},
                     {"pue", r.pue ? nlohmann::json(*r.pue) : nlohmann::json()},
                     {"g_per_kwh", p.g_per_kwh},
                     {"source", p.source},
                     {"provider_basis", provider},
                     {"data_vintage", data->vintage_summary()}});
    }
    fmt::print("{}\n", out.dump(2));
    return;
  }
  fmt::print("{:<34} {:<4} {:<22} {:<14} {:>5} {:>10} {:>10}\n", "cloud", "iso2", "city", "zone",
             "PUE", "gCO2e/kWh", "provider");
  for (const auto& r : data->clouds()) {
    auto p = jc::cloud_intensity(*data, r);
    std::string provider = r.provider_grid_g_per_kwh ? num(*r.provider_grid_g_per_kwh) : "-";
    fmt::print("{:<34} {:<4} {:<22} {:<14} {:>5} {:>10} {:>10}\n", r.provider + ":" + r.region,
               r.iso2, r.city.substr(0, 22), r.emaps_zone, r.pue ? num(*r.pue) : "-",
               num(p.g_per_kwh.central), provider);
  }
  fmt::print(
      "\nIntensity: the region's Electricity Maps zone, 2024 yearly average, life-cycle and "
      "consumption-based, the same basis for every provider (ODbL 1.0, (c) Electricity Maps); "
      "else the country.\n"
      "provider: Google's own figure (average operational gross emissions, not life-cycle; "
      "GCP only), used with --cloud-basis provider.\n");
  print_vintage(*data);
}

void list_gpus(const CarbonArgs& a) {
  std::vector<std::filesystem::path> files(a.location.data_files.begin(),
                                           a.location.data_files.end());
  auto data = jc::ReferenceData::with_overrides(files);
  if (a.json) {
    auto out = nlohmann::json::array();
    for (const auto& g : data->gpus()) {
      out.push_back({{"model", g.model},
                     {"vendor", g.vendor},
                     {"tdp_w", g.tdp_w ? nlohmann::json(*g.tdp_w) : nlohmann::json()},
                     {"source", g.source},
                     {"data_vintage", data->vintage(g.origin.file)}});
    }
    fmt::print("{}\n", out.dump(2));
    return;
  }
  fmt::print("{:<40} {:<8} {:>7}\n", "model (--gpu takes the name, with or without vendor)",
             "vendor", "TDP W");
  for (const auto& g : data->gpus()) {
    fmt::print("{:<40} {:<8} {:>7}\n", g.model, g.vendor, g.tdp_w ? num(*g.tdp_w) : "-");
  }
  fmt::print(
      "\nA family name (A100, V100, H100) is refused with its variants: their power and embodied "
      "emissions differ.\n");
  print_vintage(*data);
}

// The GPU named by --gpu, or nullptr; the counts that go with it, checked.
const jc::GpuRow* named_gpu(const CarbonArgs& a, const jc::ReferenceData& data) {
  const jc::GpuRow* gpu =
      a.hardware.gpu.empty() ? nullptr : &jc::gpu_with_power(data, a.hardware.gpu);
  if (a.hours < 0)
    throw jc::CarbonError(fmt::format("--hours must be zero or more, found {}", a.hours));
  if (!(a.utilisation > 0 && a.utilisation <= 1)) {
    throw jc::CarbonError(fmt::format("--utilisation must be in (0, 1], found {}", a.utilisation));
  }
  return gpu;
}

// E: given, or modelled from GPU power x hours (ML CO2 Impact / Green Algorithms style).
jc::EnergyInput energy_input(const CarbonArgs& a, const jc::GpuRow* gpu) {
  if (!a.energy.empty()) {
    jc::EnergyInput energy;
    energy.energy = jc::parse_energy(a.energy);
    energy.source = fmt::format("as given (--energy {})", a.energy);
    return energy;
  }
  if (!((gpu || a.watts > 0) && a.hours > 0)) {
    throw jc::CarbonError(
        "no energy: give --energy (e.g. 12.4kWh), or --hours with --gpu MODEL [--gpus N] or "
        "--watts W");
  }
  const Seconds duration = from_hours(a.hours);
  if (a.watts > 0) {
    return jc::modelled_energy(
        Watts{a.watts}, duration,
        fmt::format("modelled: {} W x {} h (--watts); +-30 %", num(a.watts), num(a.hours)));
  }
  return jc::modelled_energy(
      jc::gpu_power(*gpu, a.hardware.gpus.value_or(1), a.utilisation), duration,
      fmt::format("modelled: {} x {} W ({}, {}) x {} h x utilisation {}; TDP is a cap, +-30 %",
                  num(a.hardware.gpus.value_or(1)), num(*gpu->tdp_w), gpu->model,
                  gpu->source.substr(0, gpu->source.find('(')), num(a.hours), num(a.utilisation)));
}

// --energy-uncertainty: "5%" or "0.05".
double parse_energy_uncertainty(const std::string& text) {
  const bool percent = text.ends_with('%');
  auto v = jc::parse_number(percent ? text.substr(0, text.size() - 1) : text);
  if (!v)
    throw jc::CarbonError(fmt::format("--energy-uncertainty {}: expected e.g. 5% or 0.05", text));
  const double u = percent ? *v / 100 : *v;
  if (u < 0) throw jc::CarbonError("--energy-uncertainty must be zero or more");
  return u;
}

// --start: the energy spread evenly over --hours from then, for an intensity series.
void place_in_time(const CarbonArgs& a, jc::EnergyInput& energy) {
  auto start = jc::parse_timestamp(a.start);
  if (!start)
    throw jc::CarbonError(
        fmt::format("--start {}: expected ISO 8601 such as 2024-05-01T12:00:00Z", a.start));
  if (a.hours <= 0)
    throw jc::CarbonError("--start needs --hours: the energy is spread evenly over that span");
  auto end = *start + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                          std::chrono::duration<double>(from_hours(a.hours).seconds));
  energy.timeline.push_back({*start, end, energy.energy});
}

// M: the GPUs named, plus any --embodied device, over --hours.
std::vector<jc::EmbodiedInput> hardware_inputs(const CarbonArgs& a,
                                               const jc::ResolvedContext& ctx) {
  if (a.hours <= 0) {
    if (!a.hardware.gpu.empty())
      throw jc::CarbonError("--gpu needs --hours (the time the GPUs are reserved)");
    if (!a.hardware.embodied.empty())
      throw jc::CarbonError("--embodied needs --hours (the time the hardware is reserved)");
  }
  jc::HardwareOptions stated = to_hardware_options(a.hardware);
  // `joule carbon` describes no machine: only what is stated counts, and
  // joule.toml's [hardware] (which applies to runs) stays out of it.
  jc::ResolvedContext no_config = ctx;
  no_config.hardware.reset();
  return jc::plan_hardware(no_config, stated, nullptr, from_hours(a.hours)).inputs;
}

void print_json(const jc::ResolvedContext& ctx, const jc::Footprint& fp) {
  nlohmann::json out;
  out["location"] = {{"code", ctx.location_code},        {"name", ctx.location_name},
                     {"country_iso2", ctx.country_iso2}, {"how_decided", ctx.how_decided},
                     {"is_guess", ctx.is_guess},         {"context", jc::to_string(ctx.context)}};
  out["intensity"] = {{"g_per_kwh", ctx.intensity_g_per_kwh},
                      {"kind", jc::to_string(ctx.intensity_kind)},
                      {"source", ctx.intensity_source}};
  out["pue"] = {{"value", ctx.pue}, {"source", ctx.pue_source}};
  out["loss"] = {{"fraction", ctx.loss_fraction}, {"source", ctx.loss_source}};
  out["data_vintage"] = ctx.data->vintage_summary();  // after M: the GPU and device tables too
  out["energy_kwh"] = fp.operational.terms.front().value;
  out["operational"] = {{"g", fp.operational.grams}, {"terms", terms_json(fp.operational.terms)}};
  out["embodied"] = fp.embodied ? nlohmann::json{{"g", fp.embodied->grams},
                                                 {"terms", terms_json(fp.embodied->terms)}}
                                : nlohmann::json();
  out["total_g"] = fp.total_g;
  out["sci"] = {
      {"unit", fp.unit.name}, {"count", fp.unit.count}, {"g_per_unit", fp.sci_g_per_unit}};
  out["terms"] = terms_json(fp.terms);
  out["warnings"] = fp.warnings;
  fmt::print("{}\n", out.dump(2));
}

void print_text(const jc::ResolvedContext& ctx, const jc::Footprint& fp) {
  fmt::print("Location: {} ({}){}\n  decided by: {}\n", ctx.location_name, ctx.location_code,
             ctx.is_guess ? " [guess]" : "", ctx.how_decided);
  fmt::print("\nOperational  O = E x PUE x I / (1 - loss)\n");
  print_terms(fp.operational.terms);
  if (fp.embodied) {
    fmt::print("\nEmbodied  M = TE x (TiR / EL) x RS\n");
    print_terms(fp.embodied->terms);
  } else {
    fmt::print(
        "\nEmbodied  M: not included (give --embodied DEVICE|KG or --gpu MODEL, with --hours)\n");
  }
  fmt::print("\nTotal  O + M = {} CO2e (low {}, high {})\n", GramsCO2e{fp.total_g.central},
             GramsCO2e{fp.total_g.low}, GramsCO2e{fp.total_g.high});
  fmt::print("SCI  (O + M) / R = {} CO2e per {} (low {}, high {}; R = {} {})\n",
             GramsCO2e{fp.sci_g_per_unit.central}, fp.unit.name, GramsCO2e{fp.sci_g_per_unit.low},
             GramsCO2e{fp.sci_g_per_unit.high}, num(fp.unit.count), fp.unit.name);
  if (!fp.warnings.empty()) {
    fmt::print("\nNotes:\n");
    for (const auto& w : fp.warnings) fmt::print("  ! {}\n", w);
  }
  fmt::print("\nData: {}\n", ctx.data->vintage_summary());
}

void run_carbon(const CarbonArgs& a) {
  if (a.list_countries) return list_countries(a);
  if (a.list_clouds) return list_clouds(a);
  if (a.list_gpus) return list_gpus(a);

  const jc::ResolvedContext ctx = jc::resolve_context(to_context_options(a.location));
  const jc::GpuRow* gpu = named_gpu(a, *ctx.data);
  jc::EnergyInput energy = energy_input(a, gpu);
  if (!a.energy_uncertainty.empty()) {
    energy.relative_uncertainty = parse_energy_uncertainty(a.energy_uncertainty);
  }
  if (!a.start.empty()) place_in_time(a, energy);
  const std::vector<jc::EmbodiedInput> hardware = hardware_inputs(a, ctx);

  const jc::FunctionalUnit unit = jc::parse_functional_unit(a.unit, a.units);
  const jc::Footprint fp = jc::footprint(ctx, energy, hardware, unit);
  if (a.json) {
    print_json(ctx, fp);
  } else {
    print_text(ctx, fp);
  }
}

const CommandRegistrar registrar("carbon", [](CLI::App& app) {
  auto args = std::make_shared<CarbonArgs>();
  auto* cmd = app.add_subcommand(
      "carbon", "carbon footprint of an energy figure (no measurement needed): O, M, SCI");
  add_place_options(*cmd, args->location);
  cmd->add_option("--energy", args->energy, "IT energy, e.g. 12.4kWh, 3.6MJ, 500Wh");
  cmd->add_option("--energy-uncertainty", args->energy_uncertainty,
                  "relative uncertainty of --energy, e.g. 5%");
  cmd->add_option("--hours", args->hours, "hours the hardware runs / is reserved");
  cmd->add_option("--utilisation", args->utilisation,
                  "average fraction of TDP drawn (default 1, as ML CO2 Impact)");
  cmd->add_option("--watts", args->watts, "average power instead of a GPU's TDP")
      ->check(more_than(0));
  add_hardware_options(*cmd, args->hardware,
                       "GPU model, exact (--list-gpus; a family such as A100 is refused with its "
                       "variants): energy = TDP x GPUs x hours x utilisation, M from the same "
                       "variant");
  cmd->add_option("--start", args->start,
                  "when the run started (ISO 8601), to place it in an --intensity-file");
  cmd->add_option("--units", args->units, "number of functional units R (default 1)");
  cmd->add_option("--unit", args->unit,
                  "functional unit: inference, request, sample, token, epoch, run");
  cmd->add_flag("--json", args->json, "print JSON");
  cmd->add_flag("--list-countries", args->list_countries,
                "list countries and their grid intensity");
  cmd->add_flag("--list-clouds", args->list_clouds, "list cloud regions, their location and PUE");
  cmd->add_flag("--list-gpus", args->list_gpus, "list GPU models and their power");
  cmd->callback([args] { run_carbon(*args); });
});

}  // namespace
}  // namespace joule::cli
