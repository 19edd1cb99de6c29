#pragma once
// The model table behind registered_models(): one entry per model, so adding
// a model is writing its network (models_*.cpp) and one entry (registry.cpp).
// Free of LibTorch: the networks are only forward-declared here.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench/engine/engine.hpp"

namespace joule::bench::engine {

class Network;

// What a network is built for: images of rows x cols in `classes` classes,
// next-character prediction over `vocabulary` ids, or passages of `length`
// words (`vocabulary` word ids, then `bigrams` bigram ids) in `classes` classes.
struct Shape {
  int rows = 28;
  int cols = 28;
  int classes = 10;
  int vocabulary = 0;
  int length = 0;          // austen-novel: words per passage
  int bigrams = 0;         // austen-novel: bigram ids, numbered after the words
  std::vector<float> idf;  // austen-novel: TF-IDF weight of each word, then each bigram
};

// Default hyper-parameters. Each model reads the fields it needs; zero means
// "not used by this model".
struct Hyper {
  int batch_size = 64;          // training mini-batch (images, or sequences for chars)
  double learning_rate = 1e-3;  // Adam
  double clip_norm = 0;         // gradient norm clipping before each step (0: none)
  int hidden = 0;               // hidden layer width, or recurrent state size
  int channels = 0;             // CNN: first convolution's output channels (the second has twice)
  int dim = 0;                  // token / embedding width
  int layers = 0;               // Transformer blocks
  int heads = 0;                // attention heads per block
  int mlp_ratio = 0;            // Transformer feed-forward width = mlp_ratio x dim
  int patch = 0;                // ViT: patch side in pixels
  int window = 0;               // window MLP: characters of context
  int context = 0;              // chars: sequence length of training and evaluation
  int order = 0;                // n-gram order (context characters + 1)
};

enum class Kind {
  network,     // a LibTorch module trained by gradient descent
  kneser_ney,  // the count-based n-gram (bench/kneser_ney.hpp)
};

using Builder = std::shared_ptr<Network> (*)(const Hyper&, const Shape&);

struct ModelEntry {
  ModelInfo info;
  Kind kind = Kind::network;
  Hyper hyper;
  Builder build = nullptr;  // null for Kind::kneser_ney
};

const std::vector<ModelEntry>& model_table();

// Throws std::invalid_argument naming the task's models when there is none.
const ModelEntry& find_model(std::string_view task, std::string_view name);

// Builders, defined in models_fashion.cpp, models_chars.cpp and models_text.cpp.
std::shared_ptr<Network> build_logistic_regression(const Hyper& hyper, const Shape& shape);
std::shared_ptr<Network> build_mlp(const Hyper& hyper, const Shape& shape);
std::shared_ptr<Network> build_cnn(const Hyper& hyper, const Shape& shape);
std::shared_ptr<Network> build_row_lstm(const Hyper& hyper, const Shape& shape);
std::shared_ptr<Network> build_row_gru(const Hyper& hyper, const Shape& shape);
std::shared_ptr<Network> build_vit(const Hyper& hyper, const Shape& shape);
std::shared_ptr<Network> build_window_mlp(const Hyper& hyper, const Shape& shape);
std::shared_ptr<Network> build_char_lstm(const Hyper& hyper, const Shape& shape);
std::shared_ptr<Network> build_char_transformer(const Hyper& hyper, const Shape& shape);
std::shared_ptr<Network> build_tfidf_logistic_regression(const Hyper& hyper, const Shape& shape);
std::shared_ptr<Network> build_fasttext(const Hyper& hyper, const Shape& shape);
std::shared_ptr<Network> build_kim_cnn(const Hyper& hyper, const Shape& shape);
std::shared_ptr<Network> build_text_lstm(const Hyper& hyper, const Shape& shape);
std::shared_ptr<Network> build_text_bilstm(const Hyper& hyper, const Shape& shape);
std::shared_ptr<Network> build_cnn_lstm(const Hyper& hyper, const Shape& shape);
std::shared_ptr<Network> build_text_transformer(const Hyper& hyper, const Shape& shape);

}  // namespace joule::bench::engine
