// The bench results.json reader that `joule budget` uses (src/budget/
// bench_file): any file gives a BenchFile or a DataError naming it, and the
// figures a scenario asks of a file it read are answered without a crash.
#include "budget/bench_file.hpp"
#include "fuzz_input.hpp"
#include "joule/data_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace joule::budget;
  const auto path = joule::fuzz::scratch().write("results.json", joule::fuzz::as_text(data, size));
  BenchFile file;
  try {
    file = load_bench_file(path);
  } catch (const joule::DataError&) {
    return 0;
  }
  for (const auto& task : file.tasks) {
    for (const auto& model : task.models) {
      (void)joules_per_request(file, model, 1);
      for (const double tier : task.tiers) (void)joules_to_tier(file, model, tier);
    }
  }
  return 0;
}
