// Interpolated Kneser-Ney for characters (Chen & Goodman 1998, section 3.5,
// with one absolute discount D for every order):
//
//   P_k(w | h) = max(n_k(hw) - D, 0) / n_k(h.) + D * N1+(h.) / n_k(h.) * P_{k-1}(w | h')
//
// where h' is h without its first character, n_k is the raw count at the
// highest order and the continuation count N1+(.hw) (how many distinct
// characters precede hw) at lower orders, n_k(h.) = sum over w of n_k(hw), and
// N1+(h.) is how many w have n_k(hw) > 0. The recursion ends in the uniform
// distribution 1/V, so no character has probability 0. A context never seen
// at an order passes the lower order's distribution through unchanged. Since
// the numerators sum to n_k(h.) - D * N1+(h.), each level sums to exactly 1.
//
// N-grams are packed into a uint64, 8 bits per character, the last character
// in the low byte; that is why the order is at most 8.
#include "bench/kneser_ney.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace joule::bench {
namespace {

constexpr std::size_t kMaxOrder = 8;

constexpr std::uint64_t low_bytes_mask(std::size_t byte_count) {
  return byte_count >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * byte_count)) - 1;
}

// An open-addressing hash map from packed n-grams to small values, with
// linear probing: a few times faster than std::unordered_map for the tens of
// millions of lookups that training and scoring make.
template <class Value>
class PackedMap {
 public:
  Value& operator[](std::uint64_t key) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    Slot& slot = probe(slots_, key);
    if (!slot.occupied) {
      slot = Slot{key, Value{}, true};
      ++size_;
    }
    return slot.value;
  }

  const Value* find(std::uint64_t key) const {
    if (slots_.empty()) return nullptr;
    const Slot& slot = probe(slots_, key);
    return slot.occupied ? &slot.value : nullptr;
  }

  template <class Visit>
  void for_each(Visit visit) const {
    for (const Slot& slot : slots_) {
      if (slot.occupied) visit(slot.key, slot.value);
    }
  }

  std::size_t size() const { return size_; }

 private:
  struct Slot {
    std::uint64_t key = 0;
    Value value{};
    bool occupied = false;
  };

  static std::size_t hash(std::uint64_t key) {
    // splitmix64's finalizer: packed n-grams share long runs of bits.
    key ^= key >> 30;
    key *= 0xbf58476d1ce4e5b9ull;
    key ^= key >> 27;
    key *= 0x94d049bb133111ebull;
    key ^= key >> 31;
    return static_cast<std::size_t>(key);
  }

  template <class Slots>
  static auto& probe(Slots& slots, std::uint64_t key) {
    const std::size_t mask = slots.size() - 1;
    std::size_t index = hash(key) & mask;
    while (slots[index].occupied && slots[index].key != key) index = (index + 1) & mask;
    return slots[index];
  }

  void grow() {
    std::vector<Slot> bigger(std::max<std::size_t>(64, 2 * slots_.size()));
    for (const Slot& slot : slots_) {
      if (slot.occupied) probe(bigger, slot.key) = slot;
    }
    slots_.swap(bigger);
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

struct ContextStats {
  std::uint32_t total = 0;     // n_k(h.)
  std::uint32_t distinct = 0;  // N1+(h.)
};

void check_arguments(std::size_t order, std::size_t vocabulary, double discount) {
  if (order < 1 || order > kMaxOrder) {
    throw std::invalid_argument("KneserNey: order must be 1 to " + std::to_string(kMaxOrder) +
                                ", got " + std::to_string(order));
  }
  if (vocabulary < 1 || vocabulary > 256) {
    throw std::invalid_argument("KneserNey: vocabulary must be 1 to 256 ids, got " +
                                std::to_string(vocabulary));
  }
  if (!(discount > 0.0 && discount < 1.0)) {
    throw std::invalid_argument("KneserNey: discount must be in (0, 1), got " +
                                std::to_string(discount));
  }
}

}  // namespace

struct KneserNey::Counts {
  std::size_t order = 1;
  std::size_t vocabulary = 1;
  double discount = 0.75;
  // Index k - 1 holds the k-grams: raw counts at k = order, continuation
  // counts below; and per context (the first k - 1 characters) its stats.
  std::vector<PackedMap<std::uint32_t>> ngrams;
  std::vector<PackedMap<ContextStats>> contexts;

  // `history` holds the last `history_length` (< order) characters before
  // `next`, the most recent in the low byte.
  double probability(std::uint64_t history, std::size_t history_length, std::uint8_t next) const {
    double probability = 1.0 / static_cast<double>(vocabulary);
    for (std::size_t k = 1; k <= history_length + 1; ++k) {
      const std::uint64_t context = history & low_bytes_mask(k - 1);
      const ContextStats* stats = contexts[k - 1].find(context);
      if (stats == nullptr) continue;
      const std::uint32_t* count = ngrams[k - 1].find((context << 8) | next);
      const double discounted = count != nullptr ? static_cast<double>(*count) - discount : 0.0;
      probability = (std::max(discounted, 0.0) + discount * stats->distinct * probability) /
                    static_cast<double>(stats->total);
    }
    return probability;
  }
};

KneserNey::KneserNey(std::size_t order, std::size_t vocabulary, double discount)
    : counts_(std::make_unique<Counts>()) {
  check_arguments(order, vocabulary, discount);
  counts_->order = order;
  counts_->vocabulary = vocabulary;
  counts_->discount = discount;
  counts_->ngrams.resize(order);
  counts_->contexts.resize(order);
}

KneserNey::~KneserNey() = default;
KneserNey::KneserNey(KneserNey&&) noexcept = default;
KneserNey& KneserNey::operator=(KneserNey&&) noexcept = default;

// Replaces whatever an earlier call learnt. Only the highest order is counted
// from the text; each lower order is derived from the one above, because the
// distinct k-grams are the suffixes of the distinct (k+1)-grams plus the one
// k-gram at the very start, which no character precedes (it gets one
// continuation for the start of text, as if preceded by a start symbol).
void KneserNey::train(std::span<const std::uint8_t> text) {
  Counts& counts = *counts_;
  const std::size_t order = counts.order;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] >= counts.vocabulary) {
      throw std::invalid_argument("KneserNey::train: id " + std::to_string(text[i]) +
                                  " at position " + std::to_string(i) + " is not below the " +
                                  std::to_string(counts.vocabulary) + "-id vocabulary");
    }
  }
  counts.ngrams.assign(order, {});
  counts.contexts.assign(order, {});

  std::uint64_t window = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    window = (window << 8) | text[i];
    if (i + 1 >= order) ++counts.ngrams[order - 1][window & low_bytes_mask(order)];
  }
  for (std::size_t k = order - 1; k >= 1; --k) {
    PackedMap<std::uint32_t>& level = counts.ngrams[k - 1];
    counts.ngrams[k].for_each(
        [&level, k](std::uint64_t longer, std::uint32_t) { ++level[longer & low_bytes_mask(k)]; });
    if (text.size() >= k) {
      std::uint64_t start = 0;
      for (std::size_t i = 0; i < k; ++i) start = (start << 8) | text[i];
      ++level[start];
    }
  }
  for (std::size_t k = 1; k <= order; ++k) {
    PackedMap<ContextStats>& level_contexts = counts.contexts[k - 1];
    counts.ngrams[k - 1].for_each([&level_contexts](std::uint64_t ngram, std::uint32_t count) {
      ContextStats& stats = level_contexts[ngram >> 8];
      stats.total += count;
      ++stats.distinct;
    });
  }
}

double KneserNey::probability(std::span<const std::uint8_t> context, std::uint8_t next) const {
  if (next >= counts_->vocabulary) {
    throw std::out_of_range("KneserNey::probability: id " + std::to_string(next) +
                            " is not below the " + std::to_string(counts_->vocabulary) +
                            "-id vocabulary");
  }
  const std::size_t history_length = std::min(context.size(), counts_->order - 1);
  std::uint64_t history = 0;
  for (const std::uint8_t id : context.last(history_length)) history = (history << 8) | id;
  return counts_->probability(history, history_length, next);
}

double KneserNey::bits_per_character(std::span<const std::uint8_t> text) const {
  if (text.empty()) return 0.0;
  const std::size_t max_history = counts_->order - 1;
  const std::uint64_t history_mask = low_bytes_mask(max_history);
  std::uint64_t history = 0;
  double total_bits = 0.0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] >= counts_->vocabulary) {
      throw std::out_of_range("KneserNey::bits_per_character: id " + std::to_string(text[i]) +
                              " at position " + std::to_string(i) + " is not below the " +
                              std::to_string(counts_->vocabulary) + "-id vocabulary");
    }
    total_bits -= std::log2(counts_->probability(history, std::min(i, max_history), text[i]));
    history = ((history << 8) | text[i]) & history_mask;
  }
  return total_bits / static_cast<double>(text.size());
}

std::size_t KneserNey::order() const {
  return counts_->order;
}
std::size_t KneserNey::vocabulary() const {
  return counts_->vocabulary;
}

std::size_t KneserNey::stored_ngrams() const {
  std::size_t total = 0;
  for (const auto& level : counts_->ngrams) total += level.size();
  return total;
}

}  // namespace joule::bench
