// The model table. Descriptions state the default hyper-parameters of the
// entry they sit in; keep the two in step when changing either.
#include "bench/engine/registry.hpp"

#include <stdexcept>

namespace joule::bench::engine {
namespace {

constexpr const char* kFashion = "fashion-mnist";
constexpr const char* kChars = "austen-chars";
constexpr const char* kNovel = "austen-novel";

// austen-novel: which of the six novels a 64-word passage comes from. Shapes
// follow the libraries' text-classification examples (scikit-learn's TF-IDF
// with logistic regression, PyTorch's EmbeddingBag tutorial and fastText,
// Keras' imdb_cnn, imdb_lstm, imdb_bidirectional_lstm, imdb_cnn_lstm and
// text_classification_with_transformer), with embeddings of 64 rather than
// 128 to 300 so that an epoch fits two cores; fastText keeps the paper's 10
// hidden units. Adam's learning rate is 1e-2 for the two bag-of-n-gram
// models, whose sparse features each see few updates, 1e-3 for the
// Transformer (as Keras' example) and 3e-3 for the rest; none is tuned per
// seed (docs/bench.md).
void add_austen_novel_models(std::vector<ModelEntry>& table) {
  table.push_back(
      {.info = {"tfidf-logreg", kNovel, "linear",
                "TF-IDF of words and bigrams (L2-normalised), softmax regression",
                "Salton & Buckley (1988), Term-weighting approaches in automatic text retrieval, "
                "Inf. Process. Manag. 24(5); Wang & Manning (2012), Baselines and bigrams, ACL"},
       .hyper = {.batch_size = 64, .learning_rate = 1e-2},
       .build = &build_tfidf_logistic_regression});
  table.push_back({.info = {"fasttext", kNovel, "dense",
                            "mean of word and bigram embeddings (dim 10) -> linear",
                            "Joulin, Grave, Bojanowski & Mikolov (2017), Bag of tricks for "
                            "efficient text classification, EACL"},
                   .hyper = {.batch_size = 64, .learning_rate = 1e-2, .dim = 10},
                   .build = &build_fasttext});
  table.push_back({.info = {"cnn", kNovel, "convolutional",
                            "embedding 64, conv widths 3/4/5 x 64 filters, ReLU, max over time, "
                            "dropout 0.5 -> linear",
                            "Kim (2014), Convolutional neural networks for sentence "
                            "classification, EMNLP"},
                   .hyper = {.batch_size = 64, .learning_rate = 3e-3, .channels = 64, .dim = 64},
                   .build = &build_kim_cnn});
  table.push_back(
      {.info = {"lstm", kNovel, "recurrent", "embedding 64 -> LSTM(64), last state -> linear",
                "Hochreiter & Schmidhuber (1997), Long short-term memory, Neural "
                "Computation 9(8); shape of Keras' imdb_lstm"},
       .hyper =
           {.batch_size = 64, .learning_rate = 3e-3, .clip_norm = 1.0, .hidden = 64, .dim = 64},
       .build = &build_text_lstm});
  table.push_back(
      {.info = {"bilstm", kNovel, "recurrent",
                "embedding 64 -> LSTM(64) each way, both final states, dropout 0.5 "
                "-> linear",
                "Graves & Schmidhuber (2005), Framewise phoneme classification with "
                "bidirectional LSTM, Neural Networks 18(5); shape of Keras' "
                "imdb_bidirectional_lstm"},
       .hyper =
           {.batch_size = 64, .learning_rate = 3e-3, .clip_norm = 1.0, .hidden = 64, .dim = 64},
       .build = &build_text_bilstm});
  table.push_back({.info = {"cnn-lstm", kNovel, "recurrent",
                            "embedding 64, dropout 0.25, conv width 5 x 64, max-pool 4 -> "
                            "LSTM(64), last state -> linear",
                            "Zhou, Sun, Liu & Lau (2015), A C-LSTM neural network for text "
                            "classification, arXiv:1511.08630; shape of Keras' imdb_cnn_lstm"},
                   .hyper = {.batch_size = 64,
                             .learning_rate = 3e-3,
                             .clip_norm = 1.0,
                             .hidden = 64,
                             .channels = 64,
                             .dim = 64},
                   .build = &build_cnn_lstm});
  table.push_back({.info = {"transformer", kNovel, "attention",
                            "encoder: dim 64, 1 pre-LN block, 2 heads, MLP 64, learned "
                            "positions, mean pool -> 20 ReLU -> linear",
                            "Vaswani et al. (2017), Attention is all you need, NeurIPS "
                            "(encoder); shape of Keras' text_classification_with_transformer"},
                   .hyper = {.batch_size = 64,
                             .learning_rate = 1e-3,
                             .dim = 64,
                             .layers = 1,
                             .heads = 2,
                             .mlp_ratio = 1},
                   .build = &build_text_transformer});
}

std::vector<ModelEntry> make_table() {
  std::vector<ModelEntry> table;
  // fashion-mnist: 28x28 grey images, 10 classes. Learning rates were chosen
  // on a 10k-image slice so that every model improves steadily within a few
  // epochs; none is tuned per seed.
  table.push_back({.info = {"logreg", kFashion, "linear", "softmax regression on the 784 pixels",
                            "Cox (1958), The regression analysis of binary sequences, "
                            "J. R. Stat. Soc. B 20(2)"},
                   .hyper = {.batch_size = 64, .learning_rate = 5e-3},
                   .build = &build_logistic_regression});
  table.push_back({.info = {"mlp", kFashion, "dense", "784-256-10, ReLU",
                            "Rumelhart, Hinton & Williams (1986), Learning representations by "
                            "back-propagating errors, Nature 323"},
                   .hyper = {.batch_size = 64, .learning_rate = 1e-3, .hidden = 256},
                   .build = &build_mlp});
  table.push_back(
      {.info = {"cnn", kFashion, "convolutional", "conv3x3(16)-pool-conv3x3(32)-pool-64-10, ReLU",
                "LeCun, Bottou, Bengio & Haffner (1998), Gradient-based learning "
                "applied to document recognition, Proc. IEEE 86(11)"},
       .hyper = {.batch_size = 64, .learning_rate = 2e-3, .hidden = 64, .channels = 16},
       .build = &build_cnn});
  table.push_back({.info = {"lstm", kFashion, "recurrent",
                            "LSTM(128) over the 28 rows of 28 pixels, last state -> 10",
                            "Hochreiter & Schmidhuber (1997), Long short-term memory, Neural "
                            "Computation 9(8)"},
                   .hyper = {.batch_size = 64, .learning_rate = 3e-3, .hidden = 128},
                   .build = &build_row_lstm});
  table.push_back({.info = {"gru", kFashion, "recurrent",
                            "GRU(128) over the 28 rows of 28 pixels, last state -> 10",
                            "Cho et al. (2014), Learning phrase representations using RNN "
                            "encoder-decoder for statistical machine translation, EMNLP"},
                   .hyper = {.batch_size = 64, .learning_rate = 3e-3, .hidden = 128},
                   .build = &build_row_gru});
  table.push_back({.info = {"vit", kFashion, "attention",
                            "ViT: 7x7 patches (16 tokens), dim 64, 2 pre-LN blocks, 4 heads, "
                            "MLP 128, mean pool",
                            "Dosovitskiy et al. (2021), An image is worth 16x16 words: "
                            "Transformers for image recognition at scale, ICLR"},
                   .hyper = {.batch_size = 64,
                             .learning_rate = 1e-3,
                             .dim = 64,
                             .layers = 2,
                             .heads = 4,
                             .mlp_ratio = 2,
                             .patch = 7},
                   .build = &build_vit});

  // austen-chars: next character, from the characters before it. Batches of
  // 16 sequences of 128 characters; the learning rates (with gradient
  // clipping for the LSTM and the Transformer, which otherwise learn more
  // slowly) were chosen for the lowest bits/char after one to two minutes of
  // training on two cores.
  table.push_back(
      {.info = {"ngram", kChars, "count-based", "5-gram, interpolated Kneser-Ney, D = 0.75",
                "Chen & Goodman (1998), An empirical study of smoothing techniques "
                "for language modeling, Harvard TR-10-98"},
       .kind = Kind::kneser_ney,
       .hyper = {.order = 5}});
  table.push_back({.info = {"window-mlp", kChars, "dense",
                            "16 previous characters, embeddings 16 concatenated -> 512 tanh -> "
                            "softmax",
                            "Bengio, Ducharme, Vincent & Jauvin (2003), A neural probabilistic "
                            "language model, JMLR 3"},
                   .hyper = {.batch_size = 16,
                             .learning_rate = 3e-3,
                             .hidden = 512,
                             .dim = 16,
                             .window = 16,
                             .context = 128},
                   .build = &build_window_mlp});
  table.push_back({.info = {"lstm", kChars, "recurrent",
                            "embedding 32 -> LSTM(256) -> softmax, 128-character sequences",
                            "Hochreiter & Schmidhuber (1997), Long short-term memory; "
                            "character-level as in Graves (2013), Generating sequences with "
                            "recurrent neural networks, arXiv:1308.0850"},
                   .hyper = {.batch_size = 16,
                             .learning_rate = 4e-3,
                             .clip_norm = 1.0,
                             .hidden = 256,
                             .dim = 32,
                             .context = 128},
                   .build = &build_char_lstm});
  table.push_back({.info = {"transformer", kChars, "attention",
                            "causal, dim 128, 2 pre-LN blocks, 4 heads, MLP 512, 128-character "
                            "context, learned positions",
                            "Vaswani et al. (2017), Attention is all you need, NeurIPS "
                            "(decoder-only, pre-LayerNorm)"},
                   .hyper = {.batch_size = 16,
                             .learning_rate = 3e-3,
                             .clip_norm = 1.0,
                             .dim = 128,
                             .layers = 2,
                             .heads = 4,
                             .mlp_ratio = 4,
                             .context = 128},
                   .build = &build_char_transformer});

  add_austen_novel_models(table);
  return table;
}

}  // namespace

const std::vector<ModelEntry>& model_table() {
  static const std::vector<ModelEntry> table = make_table();
  return table;
}

const ModelEntry& find_model(std::string_view task, std::string_view name) {
  std::string known;
  for (const ModelEntry& entry : model_table()) {
    if (entry.info.task != task) continue;
    if (entry.info.name == name) return entry;
    known += (known.empty() ? "" : ", ") + entry.info.name;
  }
  throw std::invalid_argument("no model '" + std::string(name) + "' for task '" +
                              std::string(task) + "' (known: " + known + ")");
}

}  // namespace joule::bench::engine

namespace joule::bench {

const std::vector<ModelInfo>& registered_models() {
  static const std::vector<ModelInfo> models = [] {
    std::vector<ModelInfo> infos;
    for (const engine::ModelEntry& entry : engine::model_table()) infos.push_back(entry.info);
    return infos;
  }();
  return models;
}

}  // namespace joule::bench
