#pragma once
// A run's carbon, from its energy and a resolved place: the record's own copy
// of the carbon layer's footprint, every term with its source. Shared by
// `joule run` and `joule bench`.
#include "joule/carbon.hpp"
#include "record/run_record.hpp"

namespace joule::record {

// Carbon of the record's attributed energy, and SCI when units were counted.
void fill_carbon(RunRecord& record, const carbon::ResolvedContext& context);

}  // namespace joule::record
