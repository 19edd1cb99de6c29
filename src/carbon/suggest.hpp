#pragma once
// "Did you mean ...?" for unknown codes: case-insensitive edit distance.
#include <string>
#include <string_view>
#include <vector>

namespace joule::carbon {

std::size_t edit_distance(std::string_view a, std::string_view b);  // case-insensitive
// Up to `limit` candidates closest to `input`, closest first; only those
// within a distance that still looks like a typo (about a third of the length,
// at least 1), so a wild guess gets no suggestions rather than random ones.
std::vector<std::string> closest(std::string_view input, const std::vector<std::string>& candidates,
                                 std::size_t limit = 3);
// " did you mean FR, FI?" or "" when nothing is close.
std::string did_you_mean(std::string_view input, const std::vector<std::string>& candidates);

}  // namespace joule::carbon
