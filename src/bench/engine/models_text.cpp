// The austen-novel networks: which novel a passage of words comes from. The
// input is int64 [batch, 2W - 1]: the W word ids of the passage, then the
// W - 1 ids of its bigrams (Shape::length is W); the bag-of-n-gram models read
// both, the sequence models only the words. Shapes follow the libraries'
// text-classification examples, scaled to two CPU cores (docs/bench.md).
// FLOPs are per passage (convention in models.hpp).
#include <fmt/format.h>

#include <stdexcept>

#include "bench/engine/models.hpp"

namespace joule::bench::engine {
namespace {

// Kim (2014): filter widths 3, 4 and 5, dropout 0.5 before the output.
constexpr int kKimWidths[] = {3, 4, 5};
constexpr double kKimDropout = 0.5;
// Keras' imdb_cnn_lstm: dropout 0.25 on the embeddings, a width-5
// convolution, max-pooling by 4, then the LSTM.
constexpr double kCnnLstmDropout = 0.25;
constexpr int kCnnLstmWidth = 5;
constexpr int kCnnLstmPool = 4;
// Keras' bidirectional-LSTM example: dropout 0.5 before the output.
constexpr double kBiLstmDropout = 0.5;
// Keras' "text classification with Transformer": dropout 0.1 and a 20-unit
// ReLU layer between the pooled tokens and the output.
constexpr double kTransformerDropout = 0.1;
constexpr int kTransformerHead = 20;

void check_text_shape(const Shape& shape) {
  if (shape.length < 2 || shape.vocabulary < 1 || shape.classes < 2) {
    throw std::invalid_argument(
        fmt::format("a text network needs passages of at least 2 words, a vocabulary and 2 "
                    "classes; got {} words, vocabulary {}, {} classes",
                    shape.length, shape.vocabulary, shape.classes));
  }
}

torch::Tensor passage_words(const torch::Tensor& input, int length) {
  return input.narrow(1, 0, length);
}

// Words and bigrams as ids of one feature table: bigram b is row vocabulary + b.
torch::Tensor passage_features(const torch::Tensor& input, const Shape& shape) {
  return torch::cat({input.narrow(1, 0, shape.length),
                     input.narrow(1, shape.length, shape.length - 1) + shape.vocabulary},
                    1);
}

// A bag of n-grams, L2-normalised TF-IDF, and one weight per (n-gram, class):
// logistic regression on sparse features, as scikit-learn's TfidfVectorizer
// with LogisticRegression. The IDF is fixed from the training split.
class TfidfLogisticRegression : public Network {
 public:
  TfidfLogisticRegression(const Hyper&, const Shape& shape) : shape_(shape) {
    check_text_shape(shape);
    const std::int64_t features = shape.vocabulary + shape.bigrams;
    if (shape.idf.size() != static_cast<std::size_t>(features)) {
      throw std::invalid_argument(fmt::format("tfidf-logreg needs an IDF per feature: {} for {}",
                                              shape.idf.size(), features));
    }
    idf_ = register_buffer("idf", torch::tensor(shape.idf, torch::kFloat));
    weights_ = register_module(
        "weights", torch::nn::EmbeddingBag(
                       torch::nn::EmbeddingBagOptions(features, shape.classes).mode(torch::kSum)));
    bias_ = register_parameter("bias", torch::zeros({shape.classes}));
    torch::NoGradGuard no_grad;
    weights_->weight.zero_();  // logistic regression starts from zero, not N(0, 1)
  }
  torch::Tensor forward(const torch::Tensor& input) override {
    const torch::Tensor features = passage_features(input, shape_);
    // Each position weighs idf / norm, so a feature's repeats sum to
    // tf x idf / norm; the norm over distinct features is the sum over
    // positions of tf x idf^2.
    const torch::Tensor idf = idf_.index({features}).to(weights_->weight.scalar_type());
    const torch::Tensor tf =
        features.unsqueeze(2).eq(features.unsqueeze(1)).sum(2).to(idf.scalar_type());
    const torch::Tensor norm = (tf * idf * idf).sum(1, true).sqrt().clamp_min(1e-6);
    return weights_->forward(features, {}, idf / norm) + bias_;
  }
  double flops_per_sample() const override {
    return linear_flops(2.0 * shape_.length - 1, shape_.classes);
  }

 private:
  Shape shape_;
  torch::Tensor idf_;
  torch::nn::EmbeddingBag weights_{nullptr};
  torch::Tensor bias_;
};

// Joulin et al. (2017): the mean of word and bigram embeddings, then a
// linear classifier; the "dense" model of the essays' example.
class FastText : public Network {
 public:
  FastText(const Hyper& hyper, const Shape& shape) : shape_(shape), dim_(hyper.dim) {
    check_text_shape(shape);
    bag_ =
        register_module("bag", torch::nn::EmbeddingBag(torch::nn::EmbeddingBagOptions(
                                                           shape.vocabulary + shape.bigrams, dim_)
                                                           .mode(torch::kMean)));
    output_ = register_module("output", torch::nn::Linear(dim_, shape.classes));
  }
  torch::Tensor forward(const torch::Tensor& input) override {
    return forward_dense(
        input, [this](std::size_t, const torch::Tensor& x) { return output_->forward(x); });
  }
  double flops_per_sample() const override { return linear_flops(dim_, shape_.classes); }
  std::vector<torch::nn::Linear> dense_layers() const override { return {output_}; }
  torch::Tensor forward_dense(const torch::Tensor& input, const Dense& dense) override {
    return dense(0, bag_->forward(passage_features(input, shape_)));
  }

 private:
  Shape shape_;
  int dim_;
  torch::nn::EmbeddingBag bag_{nullptr};
  torch::nn::Linear output_{nullptr};
};

// Kim (2014): word embeddings, parallel 1-D convolutions of widths 3, 4 and
// 5 with ReLU, max over time, dropout, linear classifier.
class KimCnn : public Network {
 public:
  KimCnn(const Hyper& hyper, const Shape& shape)
      : shape_(shape), dim_(hyper.dim), filters_(hyper.channels) {
    check_text_shape(shape);
    embedding_ = register_module("embedding", torch::nn::Embedding(shape.vocabulary, dim_));
    for (const int width : kKimWidths) {
      convolutions_.push_back(
          register_module(fmt::format("conv{}", width),
                          torch::nn::Conv1d(torch::nn::Conv1dOptions(dim_, filters_, width))));
    }
    dropout_ = register_module("dropout", torch::nn::Dropout(kKimDropout));
    output_ = register_module(
        "output",
        torch::nn::Linear(filters_ * static_cast<int>(std::size(kKimWidths)), shape.classes));
  }
  torch::Tensor forward(const torch::Tensor& input) override {
    // [batch, W, dim] -> [batch, dim, W] for Conv1d
    const torch::Tensor x =
        embedding_->forward(passage_words(input, shape_.length)).transpose(1, 2);
    std::vector<torch::Tensor> pooled;
    for (auto& convolution : convolutions_) {
      pooled.push_back(std::get<0>(torch::relu(convolution->forward(x)).max(2)));
    }
    return output_->forward(dropout_->forward(torch::cat(pooled, 1)));
  }
  double flops_per_sample() const override {
    double flops = 0;
    for (const int width : kKimWidths) {
      flops += (shape_.length - width + 1) * linear_flops(dim_ * width, filters_);
    }
    return flops +
           linear_flops(filters_ * static_cast<double>(std::size(kKimWidths)), shape_.classes);
  }

 private:
  Shape shape_;
  int dim_;
  int filters_;
  torch::nn::Embedding embedding_{nullptr};
  std::vector<torch::nn::Conv1d> convolutions_;
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear output_{nullptr};
};

// FLOPs of one LSTM step: four gates, each a Linear on [input, state].
double lstm_step_flops(int inputs, int hidden) {
  return 4 * linear_flops(inputs + hidden, hidden);
}

// Word embeddings, an LSTM over the passage, its last state to the classes
// (Keras' imdb_lstm). Passages are whole windows, so there is no padding.
class TextLstm : public Network {
 public:
  TextLstm(const Hyper& hyper, const Shape& shape)
      : shape_(shape), dim_(hyper.dim), hidden_(hyper.hidden) {
    check_text_shape(shape);
    embedding_ = register_module("embedding", torch::nn::Embedding(shape.vocabulary, dim_));
    recurrent_ = register_module(
        "recurrent", torch::nn::LSTM(torch::nn::LSTMOptions(dim_, hidden_).batch_first(true)));
    output_ = register_module("output", torch::nn::Linear(hidden_, shape.classes));
  }
  torch::Tensor forward(const torch::Tensor& input) override {
    const auto [states, last] =
        recurrent_->forward(embedding_->forward(passage_words(input, shape_.length)));
    return output_->forward(std::get<0>(last)[0]);
  }
  double flops_per_sample() const override {
    return shape_.length * lstm_step_flops(dim_, hidden_) + linear_flops(hidden_, shape_.classes);
  }

 private:
  Shape shape_;
  int dim_;
  int hidden_;
  torch::nn::Embedding embedding_{nullptr};
  torch::nn::LSTM recurrent_{nullptr};
  torch::nn::Linear output_{nullptr};
};

// Keras' imdb_bidirectional_lstm: an LSTM each way, the two final states
// joined, dropout, linear classifier.
class TextBiLstm : public Network {
 public:
  TextBiLstm(const Hyper& hyper, const Shape& shape)
      : shape_(shape), dim_(hyper.dim), hidden_(hyper.hidden) {
    check_text_shape(shape);
    embedding_ = register_module("embedding", torch::nn::Embedding(shape.vocabulary, dim_));
    recurrent_ = register_module(
        "recurrent",
        torch::nn::LSTM(
            torch::nn::LSTMOptions(dim_, hidden_).batch_first(true).bidirectional(true)));
    dropout_ = register_module("dropout", torch::nn::Dropout(kBiLstmDropout));
    output_ = register_module("output", torch::nn::Linear(2 * hidden_, shape.classes));
  }
  torch::Tensor forward(const torch::Tensor& input) override {
    const auto [states, last] =
        recurrent_->forward(embedding_->forward(passage_words(input, shape_.length)));
    // h_n is [2, batch, hidden]: the forward direction's last state, then
    // the backward direction's (which has read the passage back to its start).
    const torch::Tensor final_states = std::get<0>(last);
    return output_->forward(dropout_->forward(torch::cat({final_states[0], final_states[1]}, 1)));
  }
  double flops_per_sample() const override {
    return 2 * shape_.length * lstm_step_flops(dim_, hidden_) +
           linear_flops(2 * hidden_, shape_.classes);
  }

 private:
  Shape shape_;
  int dim_;
  int hidden_;
  torch::nn::Embedding embedding_{nullptr};
  torch::nn::LSTM recurrent_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear output_{nullptr};
};

// Keras' imdb_cnn_lstm: embedding dropout, a width-5 convolution with ReLU,
// max-pooling by 4, an LSTM over the pooled steps, linear classifier.
class CnnLstm : public Network {
 public:
  CnnLstm(const Hyper& hyper, const Shape& shape)
      : shape_(shape), dim_(hyper.dim), filters_(hyper.channels), hidden_(hyper.hidden) {
    check_text_shape(shape);
    if (shape.length < kCnnLstmWidth + kCnnLstmPool - 1) {
      throw std::invalid_argument(
          fmt::format("cnn-lstm needs passages of at least {} words, got {}",
                      kCnnLstmWidth + kCnnLstmPool - 1, shape.length));
    }
    embedding_ = register_module("embedding", torch::nn::Embedding(shape.vocabulary, dim_));
    dropout_ = register_module("dropout", torch::nn::Dropout(kCnnLstmDropout));
    convolution_ = register_module(
        "convolution", torch::nn::Conv1d(torch::nn::Conv1dOptions(dim_, filters_, kCnnLstmWidth)));
    recurrent_ = register_module(
        "recurrent", torch::nn::LSTM(torch::nn::LSTMOptions(filters_, hidden_).batch_first(true)));
    output_ = register_module("output", torch::nn::Linear(hidden_, shape.classes));
  }
  torch::Tensor forward(const torch::Tensor& input) override {
    const torch::Tensor embedded =
        dropout_->forward(embedding_->forward(passage_words(input, shape_.length)));
    const torch::Tensor convolved = torch::relu(convolution_->forward(embedded.transpose(1, 2)));
    // [batch, filters, steps] -> [batch, steps, filters] for the LSTM
    const torch::Tensor pooled = torch::max_pool1d(convolved, kCnnLstmPool).transpose(1, 2);
    const auto [states, last] = recurrent_->forward(pooled);
    return output_->forward(std::get<0>(last)[0]);
  }
  double flops_per_sample() const override {
    const int positions = shape_.length - kCnnLstmWidth + 1;
    const int steps = positions / kCnnLstmPool;
    return positions * linear_flops(dim_ * kCnnLstmWidth, filters_) +
           steps * lstm_step_flops(filters_, hidden_) + linear_flops(hidden_, shape_.classes);
  }

 private:
  Shape shape_;
  int dim_;
  int filters_;
  int hidden_;
  torch::nn::Embedding embedding_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Conv1d convolution_{nullptr};
  torch::nn::LSTM recurrent_{nullptr};
  torch::nn::Linear output_{nullptr};
};

// Keras' "text classification with Transformer": token and position
// embeddings, encoder blocks (pre-LayerNorm here, as the bench's other
// Transformers), the mean of the tokens, a small ReLU layer, the classes.
class TextTransformer : public Network {
 public:
  TextTransformer(const Hyper& hyper, const Shape& shape)
      : shape_(shape), dim_(hyper.dim), mlp_width_(hyper.mlp_ratio * hyper.dim) {
    check_text_shape(shape);
    embedding_ = register_module("embedding", torch::nn::Embedding(shape.vocabulary, dim_));
    positions_ = register_parameter("positions", torch::randn({1, shape.length, dim_}) * 0.02);
    for (int i = 0; i < hyper.layers; ++i) {
      blocks_.push_back(register_module(
          fmt::format("block{}", i),
          std::make_shared<TransformerBlock>(dim_, hyper.heads, mlp_width_, /*causal=*/false)));
    }
    norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim_})));
    dropout_ = register_module("dropout", torch::nn::Dropout(kTransformerDropout));
    head_ = register_module("head", torch::nn::Linear(dim_, kTransformerHead));
    output_ = register_module("output", torch::nn::Linear(kTransformerHead, shape.classes));
  }
  torch::Tensor forward(const torch::Tensor& input) override {
    torch::Tensor x = embedding_->forward(passage_words(input, shape_.length)) + positions_;
    for (const auto& block : blocks_) x = block->forward(x);
    const torch::Tensor pooled = dropout_->forward(norm_->forward(x).mean(1));
    return output_->forward(dropout_->forward(torch::relu(head_->forward(pooled))));
  }
  double flops_per_sample() const override {
    return static_cast<double>(blocks_.size()) *
               TransformerBlock::flops(shape_.length, dim_, mlp_width_) +
           linear_flops(dim_, kTransformerHead) + linear_flops(kTransformerHead, shape_.classes);
  }

 private:
  Shape shape_;
  int dim_;
  int mlp_width_;
  torch::nn::Embedding embedding_{nullptr};
  torch::Tensor positions_;
  std::vector<std::shared_ptr<TransformerBlock>> blocks_;
  torch::nn::LayerNorm norm_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear head_{nullptr};
  torch::nn::Linear output_{nullptr};
};

}  // namespace

std::shared_ptr<Network> build_tfidf_logistic_regression(const Hyper& hyper, const Shape& shape) {
  return std::make_shared<TfidfLogisticRegression>(hyper, shape);
}

std::shared_ptr<Network> build_fasttext(const Hyper& hyper, const Shape& shape) {
  return std::make_shared<FastText>(hyper, shape);
}

std::shared_ptr<Network> build_kim_cnn(const Hyper& hyper, const Shape& shape) {
  return std::make_shared<KimCnn>(hyper, shape);
}

std::shared_ptr<Network> build_text_lstm(const Hyper& hyper, const Shape& shape) {
  return std::make_shared<TextLstm>(hyper, shape);
}

std::shared_ptr<Network> build_text_bilstm(const Hyper& hyper, const Shape& shape) {
  return std::make_shared<TextBiLstm>(hyper, shape);
}

std::shared_ptr<Network> build_cnn_lstm(const Hyper& hyper, const Shape& shape) {
  return std::make_shared<CnnLstm>(hyper, shape);
}

std::shared_ptr<Network> build_text_transformer(const Hyper& hyper, const Shape& shape) {
  return std::make_shared<TextTransformer>(hyper, shape);
}

}  // namespace joule::bench::engine
