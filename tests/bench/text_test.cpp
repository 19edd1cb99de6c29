// austen-novel: words and chapters from the novels' text, a vocabulary that
// sees the training chapters only, disjoint chapter splits, the TF-IDF
// weights, and the task's seven models (registered with citations, each
// learning on a tiny slice, a whole run scoring the test split once).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <iterator>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bench/engine/engine.hpp"
#include "bench/engine/task.hpp"
#include "bench/text_corpus.hpp"

namespace joule::bench {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::size_t kWindow = 4;

// A novel of `chapters` chapters; chapter i says `words_of(i)`.
Novel novel_with(const std::string& title, std::size_t chapters,
                 const std::function<std::string(std::size_t)>& words_of) {
  Novel novel{title, "TITLE PAGE WORDS\nby A Lady\n"};
  for (std::size_t i = 0; i < chapters; ++i) {
    novel.text += "\nCHAPTER " + std::to_string(i + 1) + "\n\n" + words_of(i) + "\n";
  }
  return novel;
}

// Two novels of ten chapters, each chapter naming its novel's hero and its
// own number: chapter 5 is validation, chapter 10 test.
std::vector<Novel> two_novels() {
  return {novel_with("Alpha", 10,
                     [](std::size_t i) {
                       return "darcy walked and darcy talked chapter" + std::to_string(i) +
                              " twice chapter" + std::to_string(i) + " darcy";
                     }),
          novel_with("Beta", 10, [](std::size_t i) {
            return "emma sang and emma smiled chapter" + std::to_string(i) + " twice chapter" +
                   std::to_string(i) + " emma";
          })};
}

TextCorpus two_novel_corpus() {
  return make_text_corpus(two_novels(), {.window_words = kWindow, .min_count = 2});
}

std::uint32_t word_id(const TextCorpus& corpus, const std::string& word) {
  const auto found = std::find(corpus.words.begin(), corpus.words.end(), word);
  return found == corpus.words.end() ? kUnknownTextId
                                     : static_cast<std::uint32_t>(found - corpus.words.begin());
}

// --- words and chapters -----------------------------------------------------

TEST(TextTokens, LowerCasedWordsKeepInnerApostrophesOnly) {
  EXPECT_THAT(tokenize_words("\"Don't,\" said Elizabeth's _dear_ MOTHER--'tis 1811!"),
              ElementsAre("don't", "said", "elizabeth's", "dear", "mother", "tis", "1811"));
  EXPECT_THAT(tokenize_words("  \n\t"), ElementsAre());
  EXPECT_THAT(tokenize_words("caf\xc3\xa9 au lait"), ElementsAre("caf\xc3\xa9", "au", "lait"));
}

TEST(TextChapters, HeadingsAreWholeNumberedLinesInAnyCase) {
  EXPECT_TRUE(is_chapter_heading("CHAPTER 1"));
  EXPECT_TRUE(is_chapter_heading("Chapter 61"));
  EXPECT_TRUE(is_chapter_heading("CHAPTER XLVIII"));
  EXPECT_TRUE(is_chapter_heading("  chapter iv. "));
  EXPECT_FALSE(is_chapter_heading("CHAPTER"));
  EXPECT_FALSE(is_chapter_heading("Chapter the first"));
  EXPECT_FALSE(is_chapter_heading("chapter 3 began with a ball"));
  EXPECT_FALSE(is_chapter_heading("a CHAPTER 3"));
}

TEST(TextChapters, TitlePageAndVolumeLinesAreInNoChapter) {
  const Novel novel{"Emma",
                    "EMMA\nby Jane Austen\n\nVOLUME I\n\nCHAPTER I\n\nEmma Woodhouse, handsome\n"
                    "\nVOLUME II\n\nCHAPTER I\n\nMr. Knightley\n"};
  const std::vector<std::string> chapters = split_chapters(novel);
  ASSERT_EQ(chapters.size(), 2u);
  EXPECT_THAT(tokenize_words(chapters[0]), ElementsAre("emma", "woodhouse", "handsome"));
  EXPECT_THAT(tokenize_words(chapters[1]), ElementsAre("mr", "knightley"));
}

TEST(TextChapters, ANovelWithoutHeadingsIsAnErrorNamingIt) {
  try {
    split_chapters({"Lady Susan", "LADY SUSAN\n\nLetter 1\n\nMy dear brother"});
    FAIL() << "no error";
  } catch (const DataError& error) {
    EXPECT_THAT(error.what(), HasSubstr("Lady Susan"));
    EXPECT_THAT(error.what(), HasSubstr("CHAPTER 1"));
  }
}

TEST(TextChapters, EveryTenChaptersGiveOneToValidationAndOneToTest) {
  std::vector<TextSplit> splits;
  for (std::size_t i = 0; i < 20; ++i) splits.push_back(chapter_split(i));
  EXPECT_EQ(std::count(splits.begin(), splits.end(), TextSplit::validation), 2);
  EXPECT_EQ(std::count(splits.begin(), splits.end(), TextSplit::test), 2);
  EXPECT_EQ(splits[4], TextSplit::validation);
  EXPECT_EQ(splits[9], TextSplit::test);
}

// --- the corpus ---------------------------------------------------------------

std::set<std::uint32_t> chapters_of(const TextPassages& passages) {
  return {passages.chapters.begin(), passages.chapters.end()};
}

void expect_disjoint(const std::set<std::uint32_t>& a, const std::set<std::uint32_t>& b) {
  std::vector<std::uint32_t> both;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
  EXPECT_THAT(both, ElementsAre());
}

void expect_chapter_splits_disjoint(const TextCorpus& corpus) {
  expect_disjoint(chapters_of(corpus.train), chapters_of(corpus.validation));
  expect_disjoint(chapters_of(corpus.train), chapters_of(corpus.test));
  expect_disjoint(chapters_of(corpus.validation), chapters_of(corpus.test));
}

TEST(TextCorpus, PassagesAreWholeWindowsInsideOneChapterAndSplitsShareNoChapter) {
  const TextCorpus corpus = two_novel_corpus();
  EXPECT_THAT(corpus.titles, ElementsAre("Alpha", "Beta"));
  // 9 words per chapter: two windows of 4, the last word dropped.
  EXPECT_EQ(corpus.train.size(), 2u * 8 * 2);
  EXPECT_EQ(corpus.validation.size(), 2u * 1 * 2);
  EXPECT_EQ(corpus.test.size(), 2u * 1 * 2);
  for (const TextPassages* split : {&corpus.train, &corpus.validation, &corpus.test}) {
    EXPECT_EQ(split->words.size(), split->size() * kWindow);
    EXPECT_EQ(split->bigrams.size(), split->size() * (kWindow - 1));
    EXPECT_EQ(split->chapters.size(), split->size());
  }
  expect_chapter_splits_disjoint(corpus);
  // The title page is in no passage.
  EXPECT_EQ(word_id(corpus, "title"), kUnknownTextId);
  // Labels follow the novel.
  EXPECT_EQ(corpus.train.labels.front(), 0);
  EXPECT_EQ(corpus.train.labels.back(), 1);
  EXPECT_EQ(corpus.train.words[0], word_id(corpus, "darcy"));
}

TEST(TextCorpus, TheVocabularyCountsTrainingChaptersOnly) {
  const TextCorpus corpus = two_novel_corpus();
  EXPECT_EQ(corpus.words[kUnknownTextId], "<unk>");
  // Frequent training words have ids, most frequent first.
  EXPECT_NE(word_id(corpus, "darcy"), kUnknownTextId);
  EXPECT_LT(word_id(corpus, "and"), word_id(corpus, "walked"));
  // "chapter0" appears twice in training: an id. "chapter4" (validation)
  // and "chapter9" (test) appear twice each but outside training: <unk>.
  EXPECT_NE(word_id(corpus, "chapter0"), kUnknownTextId);
  EXPECT_EQ(word_id(corpus, "chapter4"), kUnknownTextId);
  EXPECT_EQ(word_id(corpus, "chapter9"), kUnknownTextId);
  const std::uint32_t unknown_in_validation = static_cast<std::uint32_t>(
      std::count(corpus.validation.words.begin(), corpus.validation.words.end(), kUnknownTextId));
  EXPECT_EQ(unknown_in_validation, 2u * 2);  // "chapter4" twice in each novel's chapter 5
}

TEST(TextCorpus, BigramsComeFromTrainingWindowsAndNeverCrossThem) {
  const TextCorpus corpus =
      make_text_corpus(two_novels(), {.window_words = kWindow, .min_count = 1});
  const auto has_bigram = [&](const std::string& first, const std::string& second) {
    const std::pair<std::uint32_t, std::uint32_t> pair{word_id(corpus, first),
                                                       word_id(corpus, second)};
    return std::find(corpus.bigrams.begin() + 1, corpus.bigrams.end(), pair) !=
           corpus.bigrams.end();
  };
  EXPECT_TRUE(has_bigram("darcy", "walked"));
  EXPECT_TRUE(has_bigram("emma", "sang"));
  // "darcy" ends the first window and "talked" starts the second.
  EXPECT_FALSE(has_bigram("darcy", "talked"));
  // Every bigram of the vocabulary is a pair inside a training window.
  std::set<std::pair<std::uint32_t, std::uint32_t>> training_pairs;
  const TextPassages& train = corpus.train;
  for (std::size_t p = 0; p < train.size(); ++p) {
    for (std::size_t i = 0; i + 1 < kWindow; ++i) {
      training_pairs.emplace(train.words[p * kWindow + i], train.words[p * kWindow + i + 1]);
      EXPECT_EQ(corpus.bigrams[train.bigrams[p * (kWindow - 1) + i]],
                (std::pair{train.words[p * kWindow + i], train.words[p * kWindow + i + 1]}));
    }
  }
  for (std::size_t b = 1; b < corpus.bigrams.size(); ++b) {
    EXPECT_TRUE(training_pairs.count(corpus.bigrams[b])) << b;
  }
  // A validation bigram with a word never seen in training is <unk>.
  EXPECT_EQ(corpus.validation.bigrams[3], kUnknownTextId);  // "talked chapter4"
}

TEST(TextCorpus, BadOptionsAreRefused) {
  EXPECT_THROW(make_text_corpus(two_novels(), {.window_words = 1}), std::invalid_argument);
  EXPECT_THROW(make_text_corpus(two_novels(), {.window_words = 4, .min_count = 0}),
               std::invalid_argument);
}

TEST(TextCorpus, InverseDocumentFrequencyIsSmoothedAndZeroForUnknowns) {
  const TextCorpus corpus = two_novel_corpus();
  const std::vector<float> idf = inverse_document_frequencies(corpus);
  ASSERT_EQ(idf.size(), corpus.words.size() + corpus.bigrams.size());
  EXPECT_EQ(idf[kUnknownTextId], 0.0f);
  EXPECT_EQ(idf[corpus.words.size() + kUnknownTextId], 0.0f);
  // "and" is in the first window of each of the 16 training chapters: 16 of
  // 32 passages.
  const double n = static_cast<double>(corpus.train.size());
  EXPECT_NEAR(idf[word_id(corpus, "and")], std::log((1 + n) / (1 + 16)) + 1, 1e-5);
  EXPECT_GT(idf[word_id(corpus, "chapter0")], idf[word_id(corpus, "and")]);
}

bool austen_installed() {
  std::filesystem::path rdx = default_austen_rdb;
  rdx.replace_extension(".rdx");
  return std::filesystem::exists(default_austen_rdb) && std::filesystem::exists(rdx);
}

TEST(TextCorpus, TheSixNovelsSplitByChapter) {
  if (!austen_installed()) GTEST_SKIP() << "r-cran-janeaustenr is not installed";
  const std::vector<Novel> novels = load_austen(default_austen_rdb);
  std::vector<std::size_t> chapters;
  for (const Novel& novel : novels) chapters.push_back(split_chapters(novel).size());
  // Emma's three volumes restart their numbering; its 55 chapters are counted apart.
  EXPECT_THAT(chapters, ElementsAre(50, 61, 48, 55, 31, 24));
  const TextCorpus corpus = make_text_corpus(novels);
  expect_chapter_splits_disjoint(corpus);
  for (const TextPassages* split : {&corpus.train, &corpus.validation, &corpus.test}) {
    std::set<std::uint8_t> labels(split->labels.begin(), split->labels.end());
    EXPECT_EQ(labels.size(), 6u) << "every novel in every split";
  }
  EXPECT_GT(corpus.train.size(), 8 * corpus.test.size());
}

// --- the task and its models ----------------------------------------------------

const Task& austen_novel() {
  return find_task("austen-novel");
}

// Six labelled novels whose words name their novel: easy to learn.
TextCorpus learnable_corpus() {
  std::vector<Novel> novels;
  for (int label = 0; label < 6; ++label) {
    const std::string hero = "hero" + std::to_string(label);
    novels.push_back(novel_with("Novel " + std::to_string(label), 10, [&](std::size_t i) {
      std::string text;
      for (int w = 0; w < 40; ++w) {
        text += (w % 3 == 0 ? hero : "the") + std::string(" ") + (i % 2 ? "said " : "went ");
      }
      return text;
    }));
  }
  return make_text_corpus(novels, {.window_words = 16, .min_count = 2});
}

class SingleThreaded : public ::testing::Test {
 protected:
  void SetUp() override { configure_runtime(1); }
};
using NovelModels = SingleThreaded;

TEST_F(NovelModels, SevenFamiliesAreRegisteredWithCitations) {
  std::vector<std::string> names;
  std::set<std::string> families;
  for (const ModelInfo& model : registered_models()) {
    if (model.task != "austen-novel") continue;
    names.push_back(model.name);
    families.insert(model.family);
    EXPECT_FALSE(model.citation.empty()) << model.name;
    EXPECT_FALSE(model.description.empty()) << model.name;
  }
  EXPECT_THAT(names, ElementsAre("tfidf-logreg", "fasttext", "cnn", "lstm", "bilstm", "cnn-lstm",
                                 "transformer"));
  EXPECT_THAT(families, ::testing::UnorderedElementsAre("linear", "dense", "convolutional",
                                                        "recurrent", "attention"));
  EXPECT_TRUE(austen_novel().in_quick_mode());
}

class NovelModelLearns : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { configure_runtime(1); }
};

TEST_P(NovelModelLearns, LossFallsOnATinySlice) {
  const std::vector<double> losses =
      austen_novel().smoke_train(GetParam(), learnable_corpus(), 30, 7);
  ASSERT_EQ(losses.size(), 30u);
  for (const double loss : losses) ASSERT_TRUE(std::isfinite(loss));
  const double first = std::accumulate(losses.begin(), losses.begin() + 5, 0.0) / 5;
  const double last = std::accumulate(losses.end() - 5, losses.end(), 0.0) / 5;
  EXPECT_LT(last, 0.8 * first) << "first five " << first << ", last five " << last;
}

INSTANTIATE_TEST_SUITE_P(AustenNovel, NovelModelLearns,
                         ::testing::Values("tfidf-logreg", "fasttext", "cnn", "lstm", "bilstm",
                                           "cnn-lstm", "transformer"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// Energy as a 10 W machine would use it: the work's wall time x 10.
class FakeProbe : public EnergyProbe {
 public:
  Cost measure(const std::function<void()>& work) override {
    const auto started = std::chrono::steady_clock::now();
    work();
    Cost cost;
    cost.duration = seconds_between(started, std::chrono::steady_clock::now());
    cost.energy = Watts{10} * cost.duration;
    return cost;
  }
};

RunRequest novel_request(const std::string& model, int patience, double max_epochs) {
  RunRequest request;
  request.model = model;
  request.seed = 3;
  request.threads = 1;
  request.task = austen_novel().definition();
  request.task.tiers = {1.01};  // unreachable: only the budget or a plateau stops training
  request.budget.max_epochs = max_epochs;
  request.budget.max_training_time = Seconds{60};
  request.budget.patience = patience;
  request.budget.inference_samples = 32;
  request.budget.large_batch = 16;
  request.budget.inference_min_time = Seconds{0.01};
  request.budget.variants = false;
  return request;
}

TEST_F(NovelModels, ARunScoresValidationAlongTheWayAndTestOnceAtTheEnd) {
  const TextCorpus corpus = learnable_corpus();
  FakeProbe probe;
  const RunResult run = austen_novel().run(novel_request("fasttext", 0, 8), corpus, probe);
  EXPECT_EQ(run.task, "austen-novel");
  EXPECT_EQ(run.curve.size(), 16u);  // 8 epochs x 2 evaluations
  EXPECT_EQ(run.stopped_by, StopReason::epoch_cap);
  // The hero names the novel: far above the 1/6 of guessing.
  EXPECT_GT(run.final_quality, 0.5);
  ASSERT_TRUE(std::isfinite(run.test_quality));
  EXPECT_GT(run.test_quality, 0.5);
  ASSERT_EQ(run.inference.size(), 2u);
  // Inference runs on the test passages (fewer than inference_samples: each scored once).
  EXPECT_DOUBLE_EQ(run.inference[0].quality, run.test_quality);
}

TEST_F(NovelModels, APlateauStopsTrainingAndSaysSo) {
  const TextCorpus corpus = learnable_corpus();
  FakeProbe probe;
  const RunResult run = austen_novel().run(novel_request("tfidf-logreg", 2, 200), corpus, probe);
  EXPECT_EQ(run.stopped_by, StopReason::plateau);
  EXPECT_LT(run.curve.back().epochs, 200);
  // The last two evaluations gained nothing over the best before them.
  const std::size_t n = run.curve.size();
  ASSERT_GE(n, 3u);
  double best = 0;
  for (std::size_t i = 0; i + 2 < n; ++i) best = std::max(best, run.curve[i].quality);
  EXPECT_LE(run.curve[n - 1].quality, best);
  EXPECT_LE(run.curve[n - 2].quality, best);
}

}  // namespace
}  // namespace joule::bench
