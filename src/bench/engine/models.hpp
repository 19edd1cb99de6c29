#pragma once
// The networks' common interface. Private to src/bench/engine: it includes
// LibTorch.
//
// FLOPs convention (flops_per_sample): forward pass only, 2 FLOPs per
// multiply-add of the matrix products and convolutions; biases, activations,
// normalisation, softmax, pooling and embedding lookups are not counted (they
// are a few percent at most for these models). Attention counts the full
// T x T score and weighting products, masked positions included, since they
// are computed. A sample is one image for fashion-mnist and one predicted
// character for austen-chars.
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "bench/engine/registry.hpp"

namespace joule::bench::engine {

class Network : public torch::nn::Module {
 public:
  // fashion-mnist: float [batch, 1, rows, cols] in [0, 1] -> logits [batch, classes].
  // austen-chars: int64 ids [batch, T] -> logits [batch, T, vocabulary], where
  // position t predicts id t + 1 from ids 0..t.
  virtual torch::Tensor forward(const torch::Tensor& input) = 0;

  virtual double flops_per_sample() const = 0;

  // Networks whose compute is all in Linear layers (plus elementwise
  // activations and lookups) can run with each Linear replaced, which is how
  // the dynamic int8 variant runs them: `dense(index, input)` stands for
  // dense_layers()[index]->forward(input).
  using Dense = std::function<torch::Tensor(std::size_t index, const torch::Tensor& input)>;
  virtual std::vector<torch::nn::Linear> dense_layers() const { return {}; }
  virtual torch::Tensor forward_dense(const torch::Tensor& input, const Dense& dense);

  // TorchScript source of the forward pass as a free function
  // `forward(input, p0, p1, ...)` taking parameters() in order; empty when the
  // network has none (there is no C++ tracer, so each is written by hand).
  virtual std::string torchscript_source() const { return {}; }

  virtual bool convolutional() const { return false; }
};

// Pre-LayerNorm Transformer block (attention and feed-forward, each residual),
// shared by the ViT and the character Transformer.
class TransformerBlock : public torch::nn::Module {
 public:
  TransformerBlock(int dim, int heads, int mlp_width, bool causal);
  torch::Tensor forward(const torch::Tensor& tokens);  // [batch, T, dim]
  // Forward FLOPs for `tokens` tokens, following the convention above.
  static double flops(int tokens, int dim, int mlp_width);

 private:
  int heads_;
  bool causal_;
  torch::nn::LayerNorm attention_norm_{nullptr};
  torch::nn::Linear qkv_{nullptr};
  torch::nn::Linear projection_{nullptr};
  torch::nn::LayerNorm mlp_norm_{nullptr};
  torch::nn::Linear expand_{nullptr};
  torch::nn::Linear contract_{nullptr};
};

// 2 FLOPs per multiply-add of a Linear layer applied to one vector.
inline double linear_flops(double inputs, double outputs) {
  return 2 * inputs * outputs;
}

}  // namespace joule::bench::engine
