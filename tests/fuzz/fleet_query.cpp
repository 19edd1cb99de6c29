// joule fleet's reading of Prometheus's HTTP API (src/serve/fleet): each
// part of the input (split at NUL bytes) is the JSON answer to the next
// instant query read_fleet asks. Only FleetError may escape; a report that
// is read gives finite figures and renders as JSON and as a budget section.
#include <cmath>
#include <cstdlib>

#include "fuzz_input.hpp"
#include "serve/fleet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace joule::serve;
  constexpr std::size_t kQueries = 12;  // read_fleet asks at most this many
  const auto parts = joule::fuzz::split_parts(joule::fuzz::as_text(data, size), kQueries);
  std::size_t asked = 0;
  const QueryFunction query = [&](const std::string& promql, double) {
    const std::string body(parts[asked % kQueries]);
    ++asked;
    auto samples = parse_query_answer(body, promql);
    for (const auto& s : samples) {
      if (!std::isfinite(s.value)) std::abort();
    }
    return samples;
  };
  FleetRequest request;
  request.at_unix_s = 1.7e9;
  request.by = static_cast<FleetGrouping>(size % 3);
  try {
    const FleetReport report = read_fleet(query, request);
    (void)to_json(report).dump();
    (void)budget_section(report, "fuzz");
  } catch (const FleetError&) {
  }
  return 0;
}
