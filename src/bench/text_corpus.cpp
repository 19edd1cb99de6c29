// austen-novel's passages: chapters, words, the training-split vocabulary and
// the TF-IDF weights (see text_corpus.hpp).
#include "bench/text_corpus.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <unordered_map>

#include "support/strings.hpp"

namespace joule::bench {
namespace {

bool is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

bool is_numeral(std::string_view text) {
  if (text.empty()) return false;
  const bool digits =
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  const bool roman = std::all_of(text.begin(), text.end(), [](char c) {
    return std::string_view("ivxlcdmIVXLCDM").find(c) != std::string_view::npos;
  });
  return digits || roman;
}

// "KEYWORD N" as a whole line, any case, N a numeral (a final '.' allowed).
bool is_numbered_line(std::string_view line, std::string_view keyword) {
  line = support::trim(line);
  if (line.size() <= keyword.size() + 1 ||
      !support::iequals(line.substr(0, keyword.size()), keyword) || line[keyword.size()] != ' ') {
    return false;
  }
  std::string_view number = support::trim(line.substr(keyword.size() + 1));
  if (!number.empty() && number.back() == '.') number.remove_suffix(1);
  return is_numeral(number);
}

// One chapter's words, cut to whole windows, with where it belongs.
struct ChapterWords {
  std::uint8_t label = 0;
  std::uint32_t chapter = 0;
  TextSplit split = TextSplit::train;
  std::vector<std::string> words;
};

std::vector<ChapterWords> windowed_chapters(const std::vector<Novel>& novels,
                                            std::size_t window_words) {
  std::vector<ChapterWords> chapters;
  for (std::size_t label = 0; label < novels.size(); ++label) {
    const std::vector<std::string> texts = split_chapters(novels[label]);
    for (std::size_t index = 0; index < texts.size(); ++index) {
      ChapterWords chapter{static_cast<std::uint8_t>(label),
                           static_cast<std::uint32_t>(chapters.size()), chapter_split(index),
                           tokenize_words(texts[index])};
      chapter.words.resize(chapter.words.size() / window_words * window_words);
      chapters.push_back(std::move(chapter));
    }
  }
  return chapters;
}

// Ids 1.. for the keys counted at least `min_count` times, most frequent
// first, ties by key; id 0 is <unk>.
template <typename Key>
std::vector<Key> ranked_vocabulary(const std::unordered_map<Key, std::size_t>& counts,
                                   std::size_t min_count) {
  std::vector<std::pair<Key, std::size_t>> kept;
  for (const auto& [key, count] : counts) {
    if (count >= min_count) kept.emplace_back(key, count);
  }
  std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::vector<Key> ranked;
  ranked.reserve(kept.size());
  for (const auto& entry : kept) ranked.push_back(entry.first);
  return ranked;
}

std::uint64_t bigram_key(std::uint32_t first, std::uint32_t second) {
  return (std::uint64_t{first} << 32) | second;
}

// Word ids of every chapter, from the vocabulary of the training chapters.
std::vector<std::vector<std::uint32_t>> build_words(const std::vector<ChapterWords>& chapters,
                                                    std::size_t min_count, TextCorpus& corpus) {
  std::unordered_map<std::string, std::size_t> counts;
  for (const ChapterWords& chapter : chapters) {
    if (chapter.split != TextSplit::train) continue;
    for (const std::string& word : chapter.words) ++counts[word];
  }
  corpus.words = {"<unk>"};
  for (std::string& word : ranked_vocabulary(counts, min_count))
    corpus.words.push_back(std::move(word));
  std::unordered_map<std::string_view, std::uint32_t> id_of;
  for (std::size_t id = 1; id < corpus.words.size(); ++id) {
    id_of.emplace(corpus.words[id], static_cast<std::uint32_t>(id));
  }
  std::vector<std::vector<std::uint32_t>> ids;
  ids.reserve(chapters.size());
  for (const ChapterWords& chapter : chapters) {
    std::vector<std::uint32_t>& chapter_ids = ids.emplace_back();
    chapter_ids.reserve(chapter.words.size());
    for (const std::string& word : chapter.words) {
      const auto found = id_of.find(word);
      chapter_ids.push_back(found == id_of.end() ? kUnknownTextId : found->second);
    }
  }
  return ids;
}

// Calls fn(first, second) for each pair of neighbours inside one window.
template <typename Fn>
void for_each_bigram(const std::vector<std::uint32_t>& ids, std::size_t window_words, Fn&& fn) {
  for (std::size_t start = 0; start + window_words <= ids.size(); start += window_words) {
    for (std::size_t i = start; i + 1 < start + window_words; ++i) fn(ids[i], ids[i + 1]);
  }
}

// The bigram vocabulary from the training chapters; a bigram with an <unk>
// word stays <unk>.
std::unordered_map<std::uint64_t, std::uint32_t> build_bigrams(
    const std::vector<ChapterWords>& chapters, const std::vector<std::vector<std::uint32_t>>& ids,
    std::size_t min_count, TextCorpus& corpus) {
  std::unordered_map<std::uint64_t, std::size_t> counts;
  for (std::size_t c = 0; c < chapters.size(); ++c) {
    if (chapters[c].split != TextSplit::train) continue;
    for_each_bigram(ids[c], corpus.window_words, [&](std::uint32_t first, std::uint32_t second) {
      if (first != kUnknownTextId && second != kUnknownTextId) ++counts[bigram_key(first, second)];
    });
  }
  corpus.bigrams = {{kUnknownTextId, kUnknownTextId}};
  std::unordered_map<std::uint64_t, std::uint32_t> id_of;
  for (const std::uint64_t key : ranked_vocabulary(counts, min_count)) {
    id_of.emplace(key, static_cast<std::uint32_t>(corpus.bigrams.size()));
    corpus.bigrams.emplace_back(static_cast<std::uint32_t>(key >> 32),
                                static_cast<std::uint32_t>(key & 0xffffffffU));
  }
  return id_of;
}

TextPassages& passages_of(TextCorpus& corpus, TextSplit split) {
  switch (split) {
    case TextSplit::validation:
      return corpus.validation;
    case TextSplit::test:
      return corpus.test;
    case TextSplit::train:
      break;
  }
  return corpus.train;
}

void add_passages(const ChapterWords& chapter, const std::vector<std::uint32_t>& ids,
                  const std::unordered_map<std::uint64_t, std::uint32_t>& bigram_ids,
                  TextCorpus& corpus) {
  TextPassages& passages = passages_of(corpus, chapter.split);
  const std::size_t window = corpus.window_words;
  for (std::size_t start = 0; start + window <= ids.size(); start += window) {
    passages.words.insert(passages.words.end(), ids.begin() + static_cast<std::ptrdiff_t>(start),
                          ids.begin() + static_cast<std::ptrdiff_t>(start + window));
    for (std::size_t i = start; i + 1 < start + window; ++i) {
      const auto found = bigram_ids.find(bigram_key(ids[i], ids[i + 1]));
      passages.bigrams.push_back(found == bigram_ids.end() ? kUnknownTextId : found->second);
    }
    passages.labels.push_back(chapter.label);
    passages.chapters.push_back(chapter.chapter);
  }
}

}  // namespace

std::vector<std::string> tokenize_words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (is_word_byte(c)) {
      word.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
      continue;
    }
    const bool joins = c == '\'' && !word.empty() && i + 1 < text.size() &&
                       is_word_byte(static_cast<unsigned char>(text[i + 1]));
    if (joins) {
      word.push_back('\'');
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

bool is_chapter_heading(std::string_view line) {
  return is_numbered_line(line, "chapter");
}

std::vector<std::string> split_chapters(const Novel& novel) {
  std::vector<std::string> chapters;
  bool in_chapter = false;
  support::for_each_line(novel.text, [&](std::string_view line, std::size_t) {
    if (is_chapter_heading(line)) {
      chapters.emplace_back();
      in_chapter = true;
      return;
    }
    if (!in_chapter || is_numbered_line(line, "volume")) return;
    chapters.back().append(line);
    chapters.back().push_back('\n');
  });
  if (chapters.empty()) {
    throw DataError(fmt::format(
        "{}: expected chapter headings (a line \"CHAPTER 1\" or \"Chapter I\"), found none",
        novel.title));
  }
  return chapters;
}

TextSplit chapter_split(std::size_t index) {
  switch (index % 10) {
    case 4:
      return TextSplit::validation;
    case 9:
      return TextSplit::test;
    default:
      return TextSplit::train;
  }
}

TextCorpus make_text_corpus(const std::vector<Novel>& novels, const TextCorpusOptions& options) {
  if (options.window_words < 2) {
    throw std::invalid_argument(
        fmt::format("window_words must be at least 2 (one bigram), got {}", options.window_words));
  }
  if (options.min_count == 0) throw std::invalid_argument("min_count must be at least 1");
  if (novels.size() > std::numeric_limits<std::uint8_t>::max()) {
    throw DataError(fmt::format("at most 255 novels can be labels, got {}", novels.size()));
  }
  TextCorpus corpus;
  corpus.window_words = options.window_words;
  for (const Novel& novel : novels) corpus.titles.push_back(novel.title);

  const std::vector<ChapterWords> chapters = windowed_chapters(novels, options.window_words);
  const std::vector<std::vector<std::uint32_t>> ids =
      build_words(chapters, options.min_count, corpus);
  const auto bigram_ids = build_bigrams(chapters, ids, options.min_count, corpus);
  for (std::size_t c = 0; c < chapters.size(); ++c)
    add_passages(chapters[c], ids[c], bigram_ids, corpus);
  return corpus;
}

std::vector<float> inverse_document_frequencies(const TextCorpus& corpus) {
  const std::size_t words = corpus.words.size();
  std::vector<std::size_t> documents(words + corpus.bigrams.size(), 0);
  const TextPassages& train = corpus.train;
  const std::size_t window = corpus.window_words;
  std::vector<std::uint32_t> features;
  for (std::size_t p = 0; p < train.size(); ++p) {
    features.assign(train.words.begin() + static_cast<std::ptrdiff_t>(p * window),
                    train.words.begin() + static_cast<std::ptrdiff_t>((p + 1) * window));
    for (std::size_t i = p * (window - 1); i < (p + 1) * (window - 1); ++i) {
      features.push_back(static_cast<std::uint32_t>(words + train.bigrams[i]));
    }
    std::sort(features.begin(), features.end());
    features.erase(std::unique(features.begin(), features.end()), features.end());
    for (const std::uint32_t feature : features) ++documents[feature];
  }
  const auto n = static_cast<double>(train.size());
  std::vector<float> idf(documents.size());
  for (std::size_t f = 0; f < idf.size(); ++f) {
    idf[f] = static_cast<float>(std::log((1 + n) / (1 + static_cast<double>(documents[f]))) + 1);
  }
  idf[kUnknownTextId] = 0;
  idf[words + kUnknownTextId] = 0;
  return idf;
}

}  // namespace joule::bench
