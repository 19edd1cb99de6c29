#include "carbon/suggest.hpp"
#include "support/strings.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

namespace joule::carbon {

std::size_t edit_distance(std::string_view a_in, std::string_view b_in) {
  std::string a = support::to_lower(a_in);
  std::string b = support::to_lower(b_in);
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::vector<std::string> closest(std::string_view input, const std::vector<std::string>& candidates,
                                 std::size_t limit) {
  std::size_t max_distance = std::max<std::size_t>(1, input.size() / 3);
  std::vector<std::pair<std::size_t, std::string>> scored;
  std::set<std::string> seen;
  for (const auto& c : candidates) {
    if (c.empty() || !seen.insert(c).second) continue;
    std::size_t d = edit_distance(input, c);
    // A prefix match ("united" for "United Kingdom") is a good hint too.
    if (d > max_distance && input.size() >= 3 &&
        support::to_lower(c).starts_with(support::to_lower(input)))
      d = max_distance;
    if (d <= max_distance) scored.emplace_back(d, c);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (std::size_t i = 0; i < scored.size() && out.size() < limit; ++i)
    out.push_back(scored[i].second);
  return out;
}

std::string did_you_mean(std::string_view input, const std::vector<std::string>& candidates) {
  // Two- and three-letter codes have many neighbours at distance 1: show more.
  auto best = closest(input, candidates, input.size() <= 3 ? 5 : 3);
  if (best.empty()) return "";
  return fmt::format(" did you mean {}?", fmt::join(best, ", "));
}

}  // namespace joule::carbon
