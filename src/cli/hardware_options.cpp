#include "cli/hardware_options.hpp"

#include "cli/validators.hpp"

namespace joule::cli {

void add_hardware_options(CLI::App& command, HardwareOptionValues& v, const std::string& gpu_help) {
  auto* group = command.add_option_group("Hardware (embodied emissions)",
                                         "what the embodied emissions M are allocated from");
  group->add_option("--embodied", v.embodied,
                    "hardware for M: server, gpu-server, laptop, desktop, a GPU or embodied.csv "
                    "item, kgCO2e (1312kg), or none");
  group->add_option("--gpu", v.gpu, gpu_help);
  group->add_option("--gpus", v.gpus, "number of GPUs (default 1, or as detected)")
      ->check(more_than(0));
  group
      ->add_option("--lifetime", v.lifetime_years,
                   "expected lifetime in years (default: the table's, else 4)")
      ->check(more_than(0));
  group->add_option("--share", v.share,
                    "share of the machine (--embodied device) reserved: 0.25, 25% or 2/8");
  for (const char* name : {"--embodied", "--gpu", "--share"}) {
    group->get_option(name)->check(non_empty());
  }
}

carbon::HardwareOptions to_hardware_options(const HardwareOptionValues& v) {
  carbon::HardwareOptions o;
  o.given_by = "command line";
  if (!v.embodied.empty()) o.embodied = v.embodied;
  if (!v.gpu.empty()) o.gpu = v.gpu;
  o.gpus = v.gpus;
  o.lifetime_years = v.lifetime_years;
  if (!v.share.empty()) o.share = v.share;
  return o;
}

}  // namespace joule::cli
