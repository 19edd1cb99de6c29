#pragma once
// A count-based character n-gram model with interpolated Kneser-Ney
// smoothing (Chen & Goodman 1998): the non-neural baseline of austen-chars.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace joule::bench {

class KneserNey {
 public:
  // `order` characters of context plus one (order 1 = unigram), alphabet of
  // `vocabulary` ids; `discount` is the absolute discount D (0 < D < 1).
  KneserNey(std::size_t order, std::size_t vocabulary, double discount = 0.75);
  ~KneserNey();
  KneserNey(KneserNey&&) noexcept;
  KneserNey& operator=(KneserNey&&) noexcept;

  void train(std::span<const std::uint8_t> text);

  // P(next | the last order-1 ids of context); sums to 1 over the vocabulary.
  double probability(std::span<const std::uint8_t> context, std::uint8_t next) const;

  // Mean -log2 P over `text`, each character predicted from the ones before it.
  double bits_per_character(std::span<const std::uint8_t> text) const;

  std::size_t order() const;
  std::size_t vocabulary() const;
  std::size_t stored_ngrams() const;  // its "parameters"

 private:
  struct Counts;
  std::unique_ptr<Counts> counts_;
};

}  // namespace joule::bench
