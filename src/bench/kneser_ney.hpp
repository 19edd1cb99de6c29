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
  // `order` - 1 characters of context (order 1 = unigram; 1 to 8, since an
  // n-gram is packed into 64 bits), alphabet of `vocabulary` ids (1 to 256);
  // `discount` is the absolute discount D (0 < D < 1). Bad arguments throw
  // std::invalid_argument.
  KneserNey(std::size_t order, std::size_t vocabulary, double discount = 0.75);
  ~KneserNey();
  KneserNey(KneserNey&&) noexcept;
  KneserNey& operator=(KneserNey&&) noexcept;

  // Counts `text` (every id below vocabulary()), replacing earlier training.
  void train(std::span<const std::uint8_t> text);

  // P(next | the last order-1 ids of context); sums to 1 over the vocabulary
  // and is never 0. A shorter context (start of text) uses the orders it
  // can fill.
  double probability(std::span<const std::uint8_t> context, std::uint8_t next) const;

  // Mean -log2 P over `text`, each character predicted from the ones before
  // it (the first from none); 0 for an empty text.
  double bits_per_character(std::span<const std::uint8_t> text) const;

  std::size_t order() const;
  std::size_t vocabulary() const;
  std::size_t stored_ngrams() const;  // its "parameters"

 private:
  struct Counts;
  std::unique_ptr<Counts> counts_;
};

}  // namespace joule::bench
