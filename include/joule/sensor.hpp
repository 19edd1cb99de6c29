#pragma once
// Sensors and the domains they expose. A sensor reads one kind of hardware
// (RAPL, NVML, hwmon, ...) and exposes one or more domains: things that draw
// power, each reporting either a cumulative energy counter or a power.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "joule/export.h"
#include "joule/units.hpp"

namespace joule {

enum class Component {
  cpu_package,  // a CPU socket (RAPL package)
  cpu_core,     // cores of one package (nested in the package)
  cpu_uncore,   // uncore / integrated GPU of one package (nested in the package)
  dram,         // memory attached to one package
  gpu,          // a discrete GPU or accelerator board
  psys,         // RAPL platform domain: the whole SoC, covering package and dram
  system,       // a whole board or machine (hwmon, Jetson rails)
  battery,      // battery discharge
  other,
};

enum class ReadingKind {
  energy_counter,  // cumulative joules since an arbitrary origin, may wrap
  power,           // instantaneous watts
};

enum class Provenance {
  measured,  // read from a hardware or driver counter
  modelled,  // estimated from utilization and a reference table
};

JOULE_API std::string_view to_string(Component component);
JOULE_API std::string_view to_string(ReadingKind kind);
JOULE_API std::string_view to_string(Provenance provenance);

struct DomainInfo {
  std::string id;     // stable, unique: "cpu:package-0", "gpu:0", "battery:BAT0"
  std::string label;  // for people: "package-0 (Intel Xeon Gold 6248)", "NVIDIA A100"
  Component component = Component::other;
  ReadingKind kind = ReadingKind::energy_counter;
  Provenance provenance = Provenance::measured;
  // Counters: the counter wraps to zero after this much energy.
  std::optional<Joules> wrap_range;
  // Counters: the most this domain can draw, when known (the zone's power
  // limits, or a generous physical bound for its kind). A counter step that
  // needs more power than this over its interval is a reset, not energy.
  std::optional<Watts> max_power;
  // Smallest step the reading can show (joules for counters, watts for power).
  double resolution = 0;
  // Relative standard uncertainty of the energy this domain reports, e.g. 0.05.
  double relative_uncertainty = 0;
  // Where it is read from: a sysfs path, a library and device index, a file.
  std::string source;
  // Ids of domains whose energy is included in this one (a package contains its
  // core and uncore; psys contains packages and dram). Totals sum only domains
  // that no other present domain contains.
  std::vector<std::string> contains;
  // Why this domain contains those, for people: "psys covers the platform".
  // Empty when the component says it (a package contains its cores).
  std::string containment_note;
  // A GPU's PCI address ("0000:03:00.0") where the backend knows it, so that
  // a board two backends can see (ROCm SMI and amdgpu's hwmon) counts once.
  std::string pci_address;
};

enum class ReadStatus {
  ok,
  unavailable,  // transient failure: keep the domain, try again next sample
  gone,         // the device disappeared (GPU fell off the bus): stop reading it
};

// One reading of one domain. For counters, `counter` is the raw cumulative
// energy as the hardware reports it (it wraps at the domain's wrap_range); for
// power domains, `power` is the instantaneous draw.
struct Reading {
  ReadStatus status = ReadStatus::ok;
  Joules counter;
  Watts power;
  std::string error;  // why, when status is not ok
};

class JOULE_API Sensor {
 public:
  virtual ~Sensor() = default;
  // Short backend name shared by every sensor of its kind: "rapl-powercap".
  virtual std::string_view backend() const = 0;
  virtual const std::vector<DomainInfo>& domains() const = 0;
  // Reads every domain at once; out.size() == domains().size().
  // Must not throw for a domain failure: report it in the Reading instead.
  virtual void read(std::span<Reading> out) = 0;
};

}  // namespace joule
