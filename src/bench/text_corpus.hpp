#pragma once
// austen-novel's data, free of LibTorch: fixed-length windows of words from
// the six novels (data.hpp's load_austen), each labelled with its novel and
// split by chapter, so that no chapter gives passages to two splits; words
// and bigrams become ids from a vocabulary counted on the training split only.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench/data.hpp"

namespace joule::bench {

// The id of every word (or bigram) that the training split did not see
// often enough: one <unk> per vocabulary.
inline constexpr std::uint32_t kUnknownTextId = 0;

// Lower-cased words: maximal runs of ASCII letters and digits and of bytes at
// or above 0x80 (so that a UTF-8 letter stays inside its word), with an
// apostrophe kept where it joins two such characters ("don't", "elizabeth's").
// Everything else separates words: whitespace, punctuation, and the
// underscores that mark italics in the Project Gutenberg text.
std::vector<std::string> tokenize_words(std::string_view text);

// A chapter heading is a whole line "chapter N" in any case, N in digits or
// Roman numerals (janeaustenr has "CHAPTER 1", "Chapter 1" and "CHAPTER XLVIII").
bool is_chapter_heading(std::string_view line);

// The text of each chapter of `novel`: from the line after its heading to the
// next heading, or to the end. The title page before the first heading is in
// no chapter, and a "VOLUME I" line between chapters is dropped. Throws
// DataError naming the novel when it has no heading.
std::vector<std::string> split_chapters(const Novel& novel);

enum class TextSplit : std::uint8_t { train, validation, test };

// Where chapter `index` (from 0, in its novel) goes: of every ten
// consecutive chapters the fifth is validation and the tenth test, so that
// each split samples every novel from beginning to end (80/10/10 by chapters).
TextSplit chapter_split(std::size_t index);

// One split's passages, one after another.
struct TextPassages {
  std::vector<std::uint32_t> words;     // size() x window_words word ids
  std::vector<std::uint32_t> bigrams;   // size() x (window_words - 1) bigram ids
  std::vector<std::uint8_t> labels;     // the novel, an index into TextCorpus::titles
  std::vector<std::uint32_t> chapters;  // corpus-wide chapter number (novel by novel)
  std::size_t size() const { return labels.size(); }
};

struct TextCorpusOptions {
  std::size_t window_words = 64;  // words per passage
  std::size_t min_count = 2;      // training occurrences a word or bigram needs for its own id
};

struct TextCorpus {
  std::vector<std::string> titles;  // label -> novel, in publication order
  std::size_t window_words = 0;
  std::vector<std::string> words;  // id -> word; words[kUnknownTextId] is "<unk>"
  // id -> (first word id, second word id); bigrams[kUnknownTextId] stands
  // for every bigram not in the vocabulary, including any with an <unk> word.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> bigrams;
  TextPassages train;
  TextPassages validation;
  TextPassages test;
};

// Each chapter is tokenised and cut into non-overlapping windows of
// `window_words` words from its start; a chapter's last, shorter piece is
// dropped, and no window crosses a chapter. Words and bigrams seen at least
// min_count times in the training windows get ids, most frequent first (ties
// in byte order). Throws std::invalid_argument for a window under two words
// or a min_count of 0, DataError for a novel without chapter headings or
// more than 255 novels.
TextCorpus make_text_corpus(const std::vector<Novel>& novels,
                            const TextCorpusOptions& options = {});

// Inverse document frequency of every feature, the word ids followed by the
// bigram ids (bigram b at words.size() + b), counted over the training
// passages with scikit-learn's smoothing: ln((1 + n) / (1 + df)) + 1. The two
// <unk> features get 0, so that n-grams never seen in training carry no weight.
std::vector<float> inverse_document_frequencies(const TextCorpus& corpus);

}  // namespace joule::bench
