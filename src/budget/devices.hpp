#pragma once
// data/devices.csv: the device classes a deployment runs on, with the figures
// a what-if on another class needs (efficiency, idle and active power) and
// the name under which joule carbon looks up their embodied emissions.
#include <string>
#include <vector>

#include "carbon/tables.hpp"
#include "joule/carbon.hpp"
#include "joule/units.hpp"

namespace joule::budget {

// Sustained share of a datasheet peak that inference reaches: low, central,
// high (an assumption, docs/budget.md).
inline constexpr carbon::Estimate kSustainedFraction{0.1, 0.3, 0.6};

struct DeviceClass {
  std::string name;  // "server-cpu"
  std::string kind;
  std::string description;
  double peak_gflops = 0;
  std::string precision;
  std::string peak_source;
  Watts active_power;
  std::string active_source;
  carbon::Estimate idle_w;
  std::string idle_source;
  std::string embodied_item;
  std::string note;
  std::string row;  // "devices.csv:31"
};

class DeviceTable {
 public:
  // The embedded table; GPU rows take their board power from gpu_power.csv
  // through joule carbon's own lookup. Throws DataError on a malformed row.
  static const DeviceTable& embedded();

  const std::vector<DeviceClass>& classes() const { return classes_; }
  // nullptr when there is no such class.
  const DeviceClass* find(const std::string& name) const;
  std::vector<std::string> names() const;

  // Energy of one inference of `flops` on `device`, modelled from its
  // efficiency and the sustained fraction.
  static carbon::Estimate modelled_joules(const DeviceClass& device, double flops);

 private:
  std::vector<DeviceClass> classes_;
};

}  // namespace joule::budget
