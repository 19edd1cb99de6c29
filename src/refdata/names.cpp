#include "refdata/names.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace joule::refdata {

namespace {

// Words a user may leave out of a device name.
const std::set<std::string>& optional_words() {
  static const std::set<std::string> words = {"nvidia", "amd",     "intel", "google",
                                              "tesla",  "geforce", "chip"};
  return words;
}

// Lower-case runs of letters and digits: "A100 SXM4 40GB/80GB" ->
// a100 sxm4 40gb 80gb.
std::vector<std::string> words_of(std::string_view s) {
  std::vector<std::string> out;
  std::string word;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      out.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

std::vector<std::string> significant(const std::vector<std::string>& words) {
  std::vector<std::string> out;
  for (const auto& w : words) {
    if (!optional_words().count(w)) out.push_back(w);
  }
  return out;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += w;
  return out;
}

bool contains_all(const std::vector<std::string>& haystack,
                  const std::vector<std::string>& needles) {
  return std::all_of(needles.begin(), needles.end(), [&](const std::string& n) {
    return std::find(haystack.begin(), haystack.end(), n) != haystack.end();
  });
}

// GPU names are the same however their words are split ("A100SXM4" is
// "A100 SXM4"); in CPU model numbers the split carries meaning ("Celeron
// 2.20" is a clock, "Celeron 220" a part), so there the words must agree.
bool same_name(const std::vector<std::string>& a, const std::vector<std::string>& b,
               NameRule rule) {
  return rule == NameRule::exact_then_family ? a == b : joined(a) == joined(b);
}

NameMatch from_candidates(std::vector<std::size_t> found, bool exact) {
  NameMatch m;
  m.exact = exact;
  if (found.size() == 1) {
    m.row = found.front();
  } else {
    m.variants = std::move(found);
  }
  return m;
}

}  // namespace

NameMatch match_name(const std::vector<std::string>& names, std::string_view query, NameRule rule) {
  const auto q_words = words_of(query);
  const auto q_significant = significant(q_words);
  if (q_significant.empty()) return {};
  std::vector<std::size_t> exact, family;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto words = words_of(names[i]);
    const auto sig = significant(words);
    if (same_name(words, q_words, rule) || same_name(sig, q_significant, rule)) {
      exact.push_back(i);
    } else if (contains_all(sig, q_significant)) {
      family.push_back(i);
    }
  }
  if (!exact.empty()) return from_candidates(std::move(exact), true);
  if (!family.empty() || rule == NameRule::exact_then_family) {
    return from_candidates(std::move(family), false);
  }
  // "H100 SXM" for "H100 SXM5": the start of a name, still checked for
  // ambiguity ("RTX 40" is three cards).
  const std::string prefix = joined(q_significant);
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (joined(significant(words_of(names[i]))).starts_with(prefix)) family.push_back(i);
  }
  return from_candidates(std::move(family), false);
}

}  // namespace joule::refdata
