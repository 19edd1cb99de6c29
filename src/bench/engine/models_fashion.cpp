// The fashion-mnist networks, and the Transformer block they share with the
// character Transformer. FLOPs follow the convention in models.hpp.
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "bench/engine/models.hpp"

namespace joule::bench::engine {

torch::Tensor Network::forward_dense(const torch::Tensor&, const Dense&) {
  throw std::logic_error("this network has compute outside Linear layers");
}

TransformerBlock::TransformerBlock(int dim, int heads, int mlp_width, bool causal)
    : heads_(heads), causal_(causal) {
  if (heads <= 0 || dim % heads != 0) {
    throw std::invalid_argument(fmt::format("dim {} is not a multiple of {} heads", dim, heads));
  }
  attention_norm_ =
      register_module("attention_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
  qkv_ = register_module("qkv", torch::nn::Linear(dim, 3 * dim));
  projection_ = register_module("projection", torch::nn::Linear(dim, dim));
  mlp_norm_ = register_module("mlp_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
  expand_ = register_module("expand", torch::nn::Linear(dim, mlp_width));
  contract_ = register_module("contract", torch::nn::Linear(mlp_width, dim));
}

torch::Tensor TransformerBlock::forward(const torch::Tensor& tokens) {
  const std::int64_t batch = tokens.size(0);
  const std::int64_t length = tokens.size(1);
  const std::int64_t dim = tokens.size(2);
  const std::int64_t head_dim = dim / heads_;
  // [batch, T, 3, heads, head_dim] -> [3, batch, heads, T, head_dim]
  const torch::Tensor qkv = qkv_->forward(attention_norm_->forward(tokens))
                                .view({batch, length, 3, heads_, head_dim})
                                .permute({2, 0, 3, 1, 4});
  const torch::Tensor query = qkv[0];
  const torch::Tensor key = qkv[1];
  const torch::Tensor values = qkv[2];
  torch::Tensor scores = torch::matmul(query, key.transpose(-2, -1)) *
                         (1.0 / std::sqrt(static_cast<double>(head_dim)));
  if (causal_) {
    // Position t may attend to positions 0..t only.
    const torch::Tensor future =
        torch::ones({length, length}, torch::TensorOptions().dtype(torch::kBool)).triu(1);
    scores = scores.masked_fill(future, -std::numeric_limits<double>::infinity());
  }
  const torch::Tensor attended = torch::matmul(torch::softmax(scores, -1), values)
                                     .transpose(1, 2)
                                     .reshape({batch, length, dim});
  const torch::Tensor mixed = tokens + projection_->forward(attended);
  return mixed + contract_->forward(torch::gelu(expand_->forward(mlp_norm_->forward(mixed))));
}

double TransformerBlock::flops(int tokens, int dim, int mlp_width) {
  const double per_token = linear_flops(dim, 3.0 * dim) + linear_flops(dim, dim) +
                           linear_flops(dim, mlp_width) + linear_flops(mlp_width, dim);
  // Scores (T x T x dim multiply-adds) and the weighted sum of values (the same).
  const double attention = 2.0 * 2.0 * tokens * tokens * dim;
  return tokens * per_token + attention;
}

namespace {

// Softmax regression: one Linear layer on the flattened pixels.
class LogisticRegression : public Network {
 public:
  explicit LogisticRegression(const Shape& shape) : pixels_(shape.rows * shape.cols) {
    output_ = register_module("output", torch::nn::Linear(pixels_, shape.classes));
    classes_ = shape.classes;
  }
  torch::Tensor forward(const torch::Tensor& input) override {
    return output_->forward(input.flatten(1));
  }
  double flops_per_sample() const override { return linear_flops(pixels_, classes_); }
  std::vector<torch::nn::Linear> dense_layers() const override { return {output_}; }
  torch::Tensor forward_dense(const torch::Tensor& input, const Dense& dense) override {
    return dense(0, input.flatten(1));
  }
  std::string torchscript_source() const override {
    return "def forward(x, weight, bias):\n"
           "    return torch.linear(torch.flatten(x, 1), weight, bias)\n";
  }

 private:
  int pixels_;
  int classes_ = 0;
  torch::nn::Linear output_{nullptr};
};

// One hidden ReLU layer.
class Mlp : public Network {
 public:
  Mlp(const Hyper& hyper, const Shape& shape)
      : pixels_(shape.rows * shape.cols), hidden_width_(hyper.hidden), classes_(shape.classes) {
    hidden_ = register_module("hidden", torch::nn::Linear(pixels_, hidden_width_));
    output_ = register_module("output", torch::nn::Linear(hidden_width_, classes_));
  }
  torch::Tensor forward(const torch::Tensor& input) override {
    return output_->forward(torch::relu(hidden_->forward(input.flatten(1))));
  }
  double flops_per_sample() const override {
    return linear_flops(pixels_, hidden_width_) + linear_flops(hidden_width_, classes_);
  }
  std::vector<torch::nn::Linear> dense_layers() const override { return {hidden_, output_}; }
  torch::Tensor forward_dense(const torch::Tensor& input, const Dense& dense) override {
    return dense(1, torch::relu(dense(0, input.flatten(1))));
  }
  std::string torchscript_source() const override {
    return "def forward(x, w0, b0, w1, b1):\n"
           "    h = torch.relu(torch.linear(torch.flatten(x, 1), w0, b0))\n"
           "    return torch.linear(h, w1, b1)\n";
  }

 private:
  int pixels_;
  int hidden_width_;
  int classes_;
  torch::nn::Linear hidden_{nullptr};
  torch::nn::Linear output_{nullptr};
};

// Two 3x3 convolutions (same padding), each followed by ReLU and 2x2 max
// pooling, then a hidden dense layer: LeNet's pattern at Fashion-MNIST size.
class Cnn : public Network {
 public:
  Cnn(const Hyper& hyper, const Shape& shape)
      : shape_(shape), channels_(hyper.channels), hidden_width_(hyper.hidden) {
    namespace nn = torch::nn;
    first_ = register_module("first", nn::Conv2d(nn::Conv2dOptions(1, channels_, 3).padding(1)));
    second_ = register_module(
        "second", nn::Conv2d(nn::Conv2dOptions(channels_, 2 * channels_, 3).padding(1)));
    hidden_ = register_module("hidden", nn::Linear(flattened(), hidden_width_));
    output_ = register_module("output", nn::Linear(hidden_width_, shape.classes));
  }
  torch::Tensor forward(const torch::Tensor& input) override {
    torch::Tensor x = torch::max_pool2d(torch::relu(first_->forward(input)), 2);
    x = torch::max_pool2d(torch::relu(second_->forward(x)), 2);
    return output_->forward(torch::relu(hidden_->forward(x.flatten(1))));
  }
  double flops_per_sample() const override {
    const double kernel = 3 * 3;
    const double first = 2.0 * shape_.rows * shape_.cols * channels_ * 1 * kernel;
    const double second =
        2.0 * (shape_.rows / 2) * (shape_.cols / 2) * (2 * channels_) * channels_ * kernel;
    return first + second + linear_flops(flattened(), hidden_width_) +
           linear_flops(hidden_width_, shape_.classes);
  }
  bool convolutional() const override { return true; }

 private:
  int flattened() const { return 2 * channels_ * (shape_.rows / 4) * (shape_.cols / 4); }

  Shape shape_;
  int channels_;
  int hidden_width_;
  torch::nn::Conv2d first_{nullptr};
  torch::nn::Conv2d second_{nullptr};
  torch::nn::Linear hidden_{nullptr};
  torch::nn::Linear output_{nullptr};
};

// Reads the image one row per time step; the last hidden state classifies.
template <typename Recurrent, typename Options>
class RowRecurrent : public Network {
 public:
  RowRecurrent(const Hyper& hyper, const Shape& shape, int gates)
      : shape_(shape), hidden_width_(hyper.hidden), gates_(gates) {
    recurrent_ = register_module("recurrent",
                                 Recurrent(Options(shape.cols, hidden_width_).batch_first(true)));
    output_ = register_module("output", torch::nn::Linear(hidden_width_, shape.classes));
  }
  torch::Tensor forward(const torch::Tensor& input) override {
    const torch::Tensor rows = input.reshape({input.size(0), shape_.rows, shape_.cols});
    const torch::Tensor states = std::get<0>(recurrent_->forward(rows));
    return output_->forward(states.select(1, shape_.rows - 1));
  }
  double flops_per_sample() const override {
    // Each step: `gates` affine maps of [row, state] to the state width.
    const double step = gates_ * linear_flops(shape_.cols + hidden_width_, hidden_width_);
    return shape_.rows * step + linear_flops(hidden_width_, shape_.classes);
  }

 private:
  Shape shape_;
  int hidden_width_;
  int gates_;
  Recurrent recurrent_{nullptr};
  torch::nn::Linear output_{nullptr};
};

// Non-overlapping patches, each projected to a token, with learned positions;
// Transformer blocks; the mean of the tokens classifies (no class token, which
// matches it in accuracy at this size and is simpler).
class VisionTransformer : public Network {
 public:
  VisionTransformer(const Hyper& hyper, const Shape& shape)
      : shape_(shape),
        patch_(hyper.patch),
        dim_(hyper.dim),
        mlp_width_(hyper.mlp_ratio * hyper.dim) {
    if (patch_ <= 0 || shape.rows % patch_ != 0 || shape.cols % patch_ != 0) {
      throw std::invalid_argument(
          fmt::format("patch {} does not tile {}x{} images", patch_, shape.rows, shape.cols));
    }
    embed_ = register_module("embed", torch::nn::Linear(patch_ * patch_, dim_));
    positions_ = register_parameter("positions", torch::randn({1, tokens(), dim_}) * 0.02);
    for (int i = 0; i < hyper.layers; ++i) {
      blocks_.push_back(register_module(
          fmt::format("block{}", i),
          std::make_shared<TransformerBlock>(dim_, hyper.heads, mlp_width_, /*causal=*/false)));
    }
    norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim_})));
    output_ = register_module("output", torch::nn::Linear(dim_, shape.classes));
  }
  torch::Tensor forward(const torch::Tensor& input) override {
    const std::int64_t batch = input.size(0);
    const int down = shape_.rows / patch_;
    const int across = shape_.cols / patch_;
    // [batch, 1, rows, cols] -> [batch, down, patch, across, patch] -> [batch, tokens, patch^2]
    const torch::Tensor patches = input.reshape({batch, down, patch_, across, patch_})
                                      .permute({0, 1, 3, 2, 4})
                                      .reshape({batch, tokens(), patch_ * patch_});
    torch::Tensor x = embed_->forward(patches) + positions_;
    for (const auto& block : blocks_) x = block->forward(x);
    return output_->forward(norm_->forward(x).mean(1));
  }
  double flops_per_sample() const override {
    double flops = tokens() * linear_flops(patch_ * patch_, dim_);
    for (std::size_t i = 0; i < blocks_.size(); ++i) {
      flops += TransformerBlock::flops(tokens(), dim_, mlp_width_);
    }
    return flops + linear_flops(dim_, shape_.classes);
  }

 private:
  int tokens() const { return (shape_.rows / patch_) * (shape_.cols / patch_); }

  Shape shape_;
  int patch_;
  int dim_;
  int mlp_width_;
  torch::nn::Linear embed_{nullptr};
  torch::Tensor positions_;
  std::vector<std::shared_ptr<TransformerBlock>> blocks_;
  torch::nn::LayerNorm norm_{nullptr};
  torch::nn::Linear output_{nullptr};
};

}  // namespace

std::shared_ptr<Network> build_logistic_regression(const Hyper&, const Shape& shape) {
  return std::make_shared<LogisticRegression>(shape);
}

std::shared_ptr<Network> build_mlp(const Hyper& hyper, const Shape& shape) {
  return std::make_shared<Mlp>(hyper, shape);
}

std::shared_ptr<Network> build_cnn(const Hyper& hyper, const Shape& shape) {
  return std::make_shared<Cnn>(hyper, shape);
}

std::shared_ptr<Network> build_row_lstm(const Hyper& hyper, const Shape& shape) {
  return std::make_shared<RowRecurrent<torch::nn::LSTM, torch::nn::LSTMOptions>>(hyper, shape,
                                                                                 /*gates=*/4);
}

std::shared_ptr<Network> build_row_gru(const Hyper& hyper, const Shape& shape) {
  return std::make_shared<RowRecurrent<torch::nn::GRU, torch::nn::GRUOptions>>(hyper, shape,
                                                                               /*gates=*/3);
}

std::shared_ptr<Network> build_vit(const Hyper& hyper, const Shape& shape) {
  return std::make_shared<VisionTransformer>(hyper, shape);
}

}  // namespace joule::bench::engine
