// The Kneser-Ney character model: a distribution (positive, sums to 1) for
// every context, the formula on a case small enough to work by hand, and a
// plausible score on the real held-out novel.
#include "bench/kneser_ney.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bench/data.hpp"

namespace joule::bench {
namespace {

using Ids = std::vector<std::uint8_t>;

double sum_over_vocabulary(const KneserNey& model, const Ids& context) {
  double total = 0.0;
  for (std::size_t id = 0; id < model.vocabulary(); ++id) {
    const double probability = model.probability(context, static_cast<std::uint8_t>(id));
    EXPECT_GT(probability, 0.0) << "id " << id;
    total += probability;
  }
  return total;
}

// Text with some structure, so that higher orders have something to learn:
// each id depends on the two before it, with noise; ids from `unused_from`
// up never occur.
Ids structured_text(std::size_t length, std::size_t unused_from, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_int_distribution<std::size_t> any(0, unused_from - 1);
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  Ids text{0, 1};
  while (text.size() < length) {
    const std::size_t n = text.size();
    const std::size_t next =
        coin(generator) < 0.7 ? (text[n - 1] * 3 + text[n - 2] + 1) % unused_from : any(generator);
    text.push_back(static_cast<std::uint8_t>(next));
  }
  return text;
}

TEST(KneserNeyTest, HandComputedBigram) {
  // Text a a a b (ids 0 0 0 1), vocabulary {a, b, c}, D = 1/2, order 2.
  // Bigrams: aa twice, ab once; context a: total 3, 2 distinct followers.
  // Unigram continuation counts: a follows a (1) and starts the text (1),
  // b follows a (1): a 2, b 1, total 3, 2 distinct; so
  //   P1(a) = 1.5/3 + 0.5*2/3 * 1/3 = 11/18, P1(b) = 0.5/3 + 1/9 = 5/18, P1(c) = 2/18.
  //   P(a|a) = 1.5/3 + 0.5*2/3 * 11/18 = 38/54
  //   P(b|a) = 0.5/3 + 1/3 * 5/18 = 14/54
  //   P(c|a) = 1/3 * 2/18 = 2/54
  // (Raw unigram counts, a 3 and b 1, would give P1(a) = 17/24 instead.)
  KneserNey model(2, 3, 0.5);
  model.train(Ids{0, 0, 0, 1});
  EXPECT_NEAR(model.probability(Ids{0}, 0), 38.0 / 54, 1e-12);
  EXPECT_NEAR(model.probability(Ids{0}, 1), 14.0 / 54, 1e-12);
  EXPECT_NEAR(model.probability(Ids{0}, 2), 2.0 / 54, 1e-12);
  // Context b was never followed by anything: the unigram level speaks.
  EXPECT_NEAR(model.probability(Ids{1}, 0), 11.0 / 18, 1e-12);
  EXPECT_NEAR(model.probability(Ids{1}, 2), 2.0 / 18, 1e-12);
  // No context (start of text): the unigram level too.
  EXPECT_NEAR(model.probability(Ids{}, 1), 5.0 / 18, 1e-12);
  // bigrams aa, ab and unigrams a, b
  EXPECT_EQ(model.stored_ngrams(), 4u);
}

TEST(KneserNeyTest, HandComputedUnigramUsesRawCounts) {
  // Order 1 is the highest order: raw counts a 3, b 1 over 4, 2 distinct.
  KneserNey model(1, 3, 0.5);
  model.train(Ids{0, 0, 0, 1});
  EXPECT_NEAR(model.probability(Ids{}, 0), 2.5 / 4 + 0.5 * 2 / 4 / 3, 1e-12);
  EXPECT_NEAR(model.probability(Ids{1, 1}, 2), 0.5 * 2 / 4 / 3, 1e-12);
}

TEST(KneserNeyTest, ProbabilitiesSumToOneForEveryKindOfContext) {
  for (const std::size_t vocabulary : {5u, 60u, 256u}) {
    const std::size_t used = vocabulary - 2;  // the last two ids never occur
    const Ids text = structured_text(20000, used, 7);
    for (std::size_t order = 1; order <= 8; ++order) {
      SCOPED_TRACE("vocabulary " + std::to_string(vocabulary) + ", order " + std::to_string(order));
      KneserNey model(order, vocabulary, order % 2 == 0 ? 0.75 : 0.4);
      model.train(text);
      std::vector<Ids> contexts{{}, {text[0]}, {text[100], text[101]}};
      // Seen contexts of every length up to order + 1.
      for (std::size_t length = 1; length <= order + 1; ++length) {
        contexts.emplace_back(text.begin() + 5000, text.begin() + 5000 + length);
      }
      // Unseen: ids that never occur, alone and after seen ones.
      contexts.push_back(Ids(order, static_cast<std::uint8_t>(vocabulary - 1)));
      contexts.push_back({text[10], text[11], static_cast<std::uint8_t>(vocabulary - 2)});
      contexts.push_back({static_cast<std::uint8_t>(vocabulary - 1), text[10], text[11]});
      for (const Ids& context : contexts) {
        EXPECT_NEAR(sum_over_vocabulary(model, context), 1.0, 1e-9)
            << "context of " << context.size() << " ids";
      }
    }
  }
}

TEST(KneserNeyTest, UntrainedModelIsUniform) {
  const KneserNey model(4, 10);
  EXPECT_DOUBLE_EQ(model.probability(Ids{1, 2, 3}, 4), 0.1);
  EXPECT_EQ(model.stored_ngrams(), 0u);
  EXPECT_NEAR(model.bits_per_character(Ids{1, 2, 3}), std::log2(10.0), 1e-12);
}

TEST(KneserNeyTest, StoresEveryDistinctNgramUpToItsOrder) {
  const Ids text = structured_text(3000, 6, 3);
  for (std::size_t order = 1; order <= 6; ++order) {
    std::set<Ids> distinct;
    for (std::size_t length = 1; length <= order; ++length) {
      for (std::size_t start = 0; start + length <= text.size(); ++start) {
        distinct.emplace(text.begin() + start, text.begin() + start + length);
      }
    }
    KneserNey model(order, 6);
    model.train(text);
    EXPECT_EQ(model.stored_ngrams(), distinct.size()) << "order " << order;
  }
}

TEST(KneserNeyTest, LongerContextsUseOnlyTheLastIds) {
  const Ids text = structured_text(5000, 8, 11);
  KneserNey model(3, 8);
  model.train(text);
  for (std::uint8_t next = 0; next < 8; ++next) {
    EXPECT_DOUBLE_EQ(model.probability(Ids{5, 6, 1, 2}, next), model.probability(Ids{1, 2}, next));
  }
}

TEST(KneserNeyTest, BitsPerCharacterIsTheMeanOfEachPrediction) {
  const Ids training = structured_text(5000, 9, 5);
  const Ids test = structured_text(300, 10, 6);  // includes the unseen id 9
  KneserNey model(4, 10);
  model.train(training);
  double bits = 0.0;
  for (std::size_t i = 0; i < test.size(); ++i) {
    const Ids context(test.begin() + static_cast<std::ptrdiff_t>(i >= 3 ? i - 3 : 0),
                      test.begin() + static_cast<std::ptrdiff_t>(i));
    bits -= std::log2(model.probability(context, test[i]));
  }
  EXPECT_NEAR(model.bits_per_character(test), bits / test.size(), 1e-9);
}

TEST(KneserNeyTest, HigherOrdersLearnAPeriodicText) {
  Ids text;
  for (int i = 0; i < 3000; ++i) text.push_back(static_cast<std::uint8_t>(i % 3));
  KneserNey unigram(1, 3);
  unigram.train(text);
  KneserNey trigram(3, 3);
  trigram.train(text);
  EXPECT_NEAR(unigram.bits_per_character(text), std::log2(3.0), 0.01);
  EXPECT_LT(trigram.bits_per_character(text), 0.01);
  EXPECT_GT(trigram.probability(Ids{0, 1}, 2), 0.999);
}

TEST(KneserNeyTest, TrainingAgainReplacesTheCounts) {
  KneserNey model(2, 4);
  model.train(Ids{0, 1, 0, 1, 0, 1});
  model.train(Ids{2, 3, 2, 3, 2, 3});
  KneserNey fresh(2, 4);
  fresh.train(Ids{2, 3, 2, 3, 2, 3});
  EXPECT_DOUBLE_EQ(model.probability(Ids{0}, 1), fresh.probability(Ids{0}, 1));
  EXPECT_EQ(model.stored_ngrams(), fresh.stored_ngrams());
  KneserNey moved = std::move(model);
  EXPECT_DOUBLE_EQ(moved.probability(Ids{2}, 3), fresh.probability(Ids{2}, 3));
}

TEST(KneserNeyTest, RejectsBadArguments) {
  EXPECT_THROW(KneserNey(0, 10), std::invalid_argument);
  EXPECT_THROW(KneserNey(9, 10), std::invalid_argument);
  EXPECT_THROW(KneserNey(3, 0), std::invalid_argument);
  EXPECT_THROW(KneserNey(3, 257), std::invalid_argument);
  EXPECT_THROW(KneserNey(3, 10, 0.0), std::invalid_argument);
  EXPECT_THROW(KneserNey(3, 10, 1.0), std::invalid_argument);
  KneserNey model(3, 10);
  EXPECT_THROW(model.train(Ids{1, 2, 10}), std::invalid_argument);
  EXPECT_THROW(model.probability(Ids{1}, 10), std::out_of_range);
  EXPECT_THROW(model.bits_per_character(Ids{1, 11}), std::out_of_range);
}

// The baseline: bits per character on the held-out novel.
TEST(KneserNeyAusten, HeldOutPersuasionBitsPerCharacter) {
  std::vector<Novel> novels;
  try {
    novels = load_austen(default_austen_rdb);
  } catch (const DataError& error) {
    GTEST_SKIP() << "no Austen data: " << error.what();
  }
  const CharCorpus corpus = make_char_corpus(novels, "Persuasion");
  std::vector<double> bits_by_order{0.0};
  for (std::size_t order = 1; order <= 6; ++order) {
    KneserNey model(order, corpus.alphabet.size());
    const auto start = std::chrono::steady_clock::now();
    model.train(corpus.train);
    const auto trained = std::chrono::steady_clock::now();
    const double bits = model.bits_per_character(corpus.test);
    const auto scored = std::chrono::steady_clock::now();
    bits_by_order.push_back(bits);
    std::printf(
        "order %zu: %.4f bits/char on Persuasion, %zu n-grams, train %.2f s, score %.2f s\n", order,
        bits, model.stored_ngrams(), std::chrono::duration<double>(trained - start).count(),
        std::chrono::duration<double>(scored - trained).count());
    EXPECT_NEAR(sum_over_vocabulary(
                    model, Ids(corpus.test.begin() + 1000, corpus.test.begin() + 1000 + order)),
                1.0, 1e-9);
  }
  // A unigram model of English letters sits near 4.4 bits; order 5 near 2.
  EXPECT_GT(bits_by_order[1], 4.0);
  EXPECT_LT(bits_by_order[1], 5.0);
  for (std::size_t order = 2; order <= 5; ++order) {
    EXPECT_LT(bits_by_order[order], bits_by_order[order - 1]) << "order " << order;
  }
  EXPECT_GT(bits_by_order[5], 1.7);
  EXPECT_LT(bits_by_order[5], 2.6);
}

}  // namespace
}  // namespace joule::bench
