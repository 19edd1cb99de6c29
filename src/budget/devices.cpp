#include "budget/devices.hpp"

#include <fmt/format.h>

#include <mutex>

#include "carbon/modelled_energy.hpp"
#include "refdata/csv.hpp"
#include "support/strings.hpp"

namespace joule::budget {

namespace {

using refdata::ReferenceTable;

std::string text(const ReferenceTable& t, std::size_t row, std::string_view column) {
  return std::string(t.text(row, column));
}

double required(const ReferenceTable& t, std::size_t row, std::string_view column) {
  auto v = t.number(row, column);
  if (!v || *v < 0) {
    throw DataError(t.origin(), t.line_of(row), t.column_of(row, column),
                    fmt::format("{}: expected a number, zero or more", column));
  }
  return *v;
}

DeviceClass read_row(const ReferenceTable& t, std::size_t row, const carbon::ReferenceData& data) {
  DeviceClass d;
  d.name = text(t, row, "class");
  d.kind = text(t, row, "kind");
  d.description = text(t, row, "description");
  d.peak_gflops = required(t, row, "peak_gflops");
  d.precision = text(t, row, "precision");
  d.peak_source = text(t, row, "peak_source");
  d.row = fmt::format("{}:{}", t.origin(), t.line_of(row));
  if (auto active = t.number(row, "active_w")) {
    d.active_power = Watts{*active};
    d.active_source = text(t, row, "active_source");
  } else {
    const carbon::GpuRow& gpu = carbon::gpu_with_power(data, text(t, row, "gpu_model"));
    d.active_power = Watts{*gpu.tdp_w};
    d.active_source = fmt::format("{} board power {} W ({}:{})", gpu.model, *gpu.tdp_w,
                                  gpu.origin.file, gpu.origin.line);
  }
  d.idle_w = {required(t, row, "idle_low_w"), required(t, row, "idle_w"),
              required(t, row, "idle_high_w")};
  d.idle_source = text(t, row, "idle_source");
  d.embodied_item = text(t, row, "embodied_item");
  d.note = text(t, row, "note");
  if (d.peak_gflops <= 0 || d.active_power.watts <= 0) {
    throw DataError(t.origin(), t.line_of(row), 0,
                    "peak_gflops and the active power must be more than zero");
  }
  return d;
}

}  // namespace

const DeviceTable& DeviceTable::embedded() {
  // The GPU board powers come from the embedded gpu_power.csv, so one parsed
  // table serves every call.
  static std::once_flag once;
  static DeviceTable table;
  std::call_once(once, [] {
    const auto data = carbon::ReferenceData::embedded();
    const ReferenceTable& t = ReferenceTable::embedded("devices.csv");
    for (std::size_t row = 0; row < t.size(); ++row) {
      table.classes_.push_back(read_row(t, row, *data));
    }
  });
  return table;
}

const DeviceClass* DeviceTable::find(const std::string& name) const {
  for (const auto& d : classes_) {
    if (support::iequals(d.name, name)) return &d;
  }
  return nullptr;
}

std::vector<std::string> DeviceTable::names() const {
  std::vector<std::string> out;
  for (const auto& d : classes_) out.push_back(d.name);
  return out;
}

carbon::Estimate DeviceTable::modelled_joules(const DeviceClass& device, double flops) {
  const double joules_per_flop_at_peak = device.active_power.watts / (device.peak_gflops * 1e9);
  // The low energy goes with the high sustained fraction.
  return {flops * joules_per_flop_at_peak / kSustainedFraction.high,
          flops * joules_per_flop_at_peak / kSustainedFraction.central,
          flops * joules_per_flop_at_peak / kSustainedFraction.low};
}

}  // namespace joule::budget
