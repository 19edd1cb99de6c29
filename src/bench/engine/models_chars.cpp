// The austen-chars networks. Each maps ids [batch, T] to next-id logits at
// every position, so that training, evaluation and inference share one loop;
// FLOPs are per predicted character (convention in models.hpp).
#include <fmt/format.h>

#include <stdexcept>

#include "bench/engine/models.hpp"

namespace joule::bench::engine {
namespace {

// Bengio et al.'s neural probabilistic language model without the direct
// input-to-output connections: the embeddings of the last `window` ids
// (the current one included) are concatenated and go through one tanh layer.
// Positions with fewer than `window` ids before them see a padding id.
class WindowMlp : public Network {
 public:
  WindowMlp(const Hyper& hyper, const Shape& shape)
      : window_(hyper.window),
        embedding_width_(hyper.dim),
        hidden_width_(hyper.hidden),
        vocabulary_(shape.vocabulary) {
    // One extra row for the padding id, vocabulary_.
    embedding_ =
        register_module("embedding", torch::nn::Embedding(vocabulary_ + 1, embedding_width_));
    hidden_ =
        register_module("hidden", torch::nn::Linear(window_ * embedding_width_, hidden_width_));
    output_ = register_module("output", torch::nn::Linear(hidden_width_, vocabulary_));
  }
  torch::Tensor forward(const torch::Tensor& input) override {
    return forward_dense(input, [this](std::size_t index, const torch::Tensor& x) {
      return index == 0 ? hidden_->forward(x) : output_->forward(x);
    });
  }
  double flops_per_sample() const override {
    return linear_flops(window_ * embedding_width_, hidden_width_) +
           linear_flops(hidden_width_, vocabulary_);
  }
  std::vector<torch::nn::Linear> dense_layers() const override { return {hidden_, output_}; }
  torch::Tensor forward_dense(const torch::Tensor& input, const Dense& dense) override {
    return dense(1, torch::tanh(dense(0, windows(input))));
  }
  std::string torchscript_source() const override {
    return fmt::format(
        "def forward(ids, table, w0, b0, w1, b1):\n"
        "    padded = torch.constant_pad_nd(ids, [{window} - 1, 0], {pad})\n"
        "    windows = torch.embedding(table, padded).unfold(1, {window}, 1).transpose(2, 3)\n"
        "    x = torch.flatten(windows, 2)\n"
        "    return torch.linear(torch.tanh(torch.linear(x, w0, b0)), w1, b1)\n",
        fmt::arg("window", window_), fmt::arg("pad", vocabulary_));
  }

 private:
  // [batch, T] ids -> [batch, T, window x embedding]
  torch::Tensor windows(const torch::Tensor& ids) {
    const torch::Tensor padded = torch::constant_pad_nd(ids, {window_ - 1, 0}, vocabulary_);
    // unfold gives [batch, T, embedding, window]; put the window first.
    return embedding_->forward(padded).unfold(1, window_, 1).transpose(2, 3).flatten(2);
  }

  int window_;
  int embedding_width_;
  int hidden_width_;
  int vocabulary_;
  torch::nn::Embedding embedding_{nullptr};
  torch::nn::Linear hidden_{nullptr};
  torch::nn::Linear output_{nullptr};
};

class CharLstm : public Network {
 public:
  CharLstm(const Hyper& hyper, const Shape& shape)
      : embedding_width_(hyper.dim), hidden_width_(hyper.hidden), vocabulary_(shape.vocabulary) {
    embedding_ = register_module("embedding", torch::nn::Embedding(vocabulary_, embedding_width_));
    recurrent_ = register_module(
        "recurrent",
        torch::nn::LSTM(torch::nn::LSTMOptions(embedding_width_, hidden_width_).batch_first(true)));
    output_ = register_module("output", torch::nn::Linear(hidden_width_, vocabulary_));
  }
  torch::Tensor forward(const torch::Tensor& input) override {
    return output_->forward(std::get<0>(recurrent_->forward(embedding_->forward(input))));
  }
  double flops_per_sample() const override {
    return 4 * linear_flops(embedding_width_ + hidden_width_, hidden_width_) +
           linear_flops(hidden_width_, vocabulary_);
  }

 private:
  int embedding_width_;
  int hidden_width_;
  int vocabulary_;
  torch::nn::Embedding embedding_{nullptr};
  torch::nn::LSTM recurrent_{nullptr};
  torch::nn::Linear output_{nullptr};
};

// Decoder-only: token embeddings plus learned positions, causal blocks, a
// final LayerNorm and a Linear to the vocabulary.
class CharTransformer : public Network {
 public:
  CharTransformer(const Hyper& hyper, const Shape& shape)
      : context_(hyper.context),
        dim_(hyper.dim),
        mlp_width_(hyper.mlp_ratio * hyper.dim),
        vocabulary_(shape.vocabulary) {
    embedding_ = register_module("embedding", torch::nn::Embedding(vocabulary_, dim_));
    positions_ = register_parameter("positions", torch::randn({1, context_, dim_}) * 0.02);
    for (int i = 0; i < hyper.layers; ++i) {
      blocks_.push_back(register_module(
          fmt::format("block{}", i),
          std::make_shared<TransformerBlock>(dim_, hyper.heads, mlp_width_, /*causal=*/true)));
    }
    norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim_})));
    output_ = register_module("output", torch::nn::Linear(dim_, vocabulary_));
  }
  torch::Tensor forward(const torch::Tensor& input) override {
    const std::int64_t length = input.size(1);
    if (length > context_) {
      throw std::invalid_argument(
          fmt::format("sequence of {} exceeds the context of {}", length, context_));
    }
    torch::Tensor x = embedding_->forward(input) + positions_.narrow(1, 0, length);
    for (const auto& block : blocks_) x = block->forward(x);
    return output_->forward(norm_->forward(x));
  }
  double flops_per_sample() const override {
    // A full context of predictions shares the attention cost.
    double flops = 0;
    for (std::size_t i = 0; i < blocks_.size(); ++i) {
      flops += TransformerBlock::flops(context_, dim_, mlp_width_);
    }
    return flops / context_ + linear_flops(dim_, vocabulary_);
  }

 private:
  int context_;
  int dim_;
  int mlp_width_;
  int vocabulary_;
  torch::nn::Embedding embedding_{nullptr};
  torch::Tensor positions_;
  std::vector<std::shared_ptr<TransformerBlock>> blocks_;
  torch::nn::LayerNorm norm_{nullptr};
  torch::nn::Linear output_{nullptr};
};

}  // namespace

std::shared_ptr<Network> build_window_mlp(const Hyper& hyper, const Shape& shape) {
  return std::make_shared<WindowMlp>(hyper, shape);
}

std::shared_ptr<Network> build_char_lstm(const Hyper& hyper, const Shape& shape) {
  return std::make_shared<CharLstm>(hyper, shape);
}

std::shared_ptr<Network> build_char_transformer(const Hyper& hyper, const Shape& shape) {
  return std::make_shared<CharTransformer>(hyper, shape);
}

}  // namespace joule::bench::engine
