#pragma once
// A run's footprint: the record's carbon section (and SCI when units were
// counted) filled from its attributed energy and a resolved place, every term
// with its source. Shared by `joule run` and `joule bench`.
#include "joule/carbon.hpp"
#include "record/run_record.hpp"

namespace joule::record {

// Carbon of the record's attributed energy, the embodied emissions of the
// `hardware` planned for it (carbon::plan_hardware; null: none), and SCI when
// units were counted.
void fill_footprint(RunRecord& record, const carbon::ResolvedContext& context,
                    const carbon::HardwarePlan* hardware = nullptr);

}  // namespace joule::record
