#pragma once
// Which embodied figure a device name means: a vendor PCF where one exists,
// else a Boavizta / ADEME / CCF row, with the range the sources support.
#include <optional>
#include <string>

#include "carbon/tables.hpp"
#include "joule/carbon.hpp"

namespace joule::carbon {

inline constexpr double kDefaultLifetimeYears = 4;
// embodied.csv caveat: PCF/LCA figures vary by +-30-50 %; the wider end.
inline constexpr double kEmbodiedSpread = 0.5;

// embodied(), also filling what a record keeps of the device's M.
CarbonResult embodied(const ResolvedContext& ctx, const EmbodiedInput& input, EmbodiedPart& part);

// Throws CarbonError with suggestions when nothing matches.
DeviceEmbodied lookup_embodied(const ReferenceData& data, const std::string& device);

// Words lookup_embodied understands besides the table's item names.
std::vector<std::string> embodied_keywords();

// A rack server modelled the CCF way: the 1-socket, 16 GB baseline, plus each
// further socket and each GB of DRAM above 16 (the rows named in `rows`);
// low half the central figure, high at least the ADEME generic server.
DeviceEmbodied modelled_server(const ReferenceData& data, int sockets, double memory_gb);

// A GPU name as a driver gives it ("NVIDIA A100-SXM4-40GB"): its variant's
// figure; a family of several variants, modelled across their range (every
// variant's row named); an unknown name, CCF's generic GPU card.
DeviceEmbodied detected_gpu_embodied(const ReferenceData& data, const std::string& name);

}  // namespace joule::carbon
