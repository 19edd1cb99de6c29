// Inference on the trained network: batch 1 and the large batch ("default"),
// then the hidden-cost variants, each against a default as its baseline:
//  - threads=1: one intra-op thread instead of all;
//  - batch=N: a smaller batch (large batch / 8);
//  - channels-last (CNN): NHWC memory format for weights and input;
//  - bfloat16: weights and inputs in bf16 (native on CPUs with avx512_bf16
//    or AMX, emulated by conversions otherwise);
//  - int8-dynamic (Linear-only networks): weights quantized to int8 per
//    tensor, activations quantized on the fly, through the dispatcher ops
//    quantized::linear_prepack / quantized::linear_dynamic, since the C++
//    frontend has no quantize_dynamic;
//  - torchscript: the forward pass compiled from hand-written TorchScript
//    (there is no C++ tracer), where the network has one.
// A sample is an image or a predicted character (a chars batch is a number
// of sequences of the model's context length).
#include <ATen/native/quantized/PackedParams.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "bench/engine/workload.hpp"

namespace joule::bench::engine {
namespace {

using Clock = std::chrono::steady_clock;
using Forward = std::function<torch::Tensor(const torch::Tensor&)>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Untimed batches before each configuration's measurement.
constexpr int kWarmUpBatches = 2;
// The small-batch variant's batch is the large batch divided by this.
constexpr int kSmallBatchDivisor = 8;

Seconds seconds_since(Clock::time_point start) {
  return seconds_between(start, Clock::now());
}

struct Setup {
  std::string variant;
  std::string baseline;
  int batch = 1;
  std::string note;
  Forward forward;
};

double median(std::vector<double> values) {
  if (values.empty()) return kNaN;
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

}  // namespace

std::size_t batches_to_run(const std::function<void(std::size_t)>& run_batch,
                           std::size_t batches_for_samples, Seconds min_time) {
  constexpr Seconds calibration_time{0.02};
  constexpr std::size_t calibration_batches = 1000;
  const auto started = Clock::now();
  std::size_t timed = 0;
  while (timed < calibration_batches && seconds_since(started) < calibration_time) {
    run_batch(timed++);
  }
  const Seconds batch_time =
      std::max(seconds_since(started) / static_cast<double>(timed), Seconds{1e-9});
  return std::max(batches_for_samples, static_cast<std::size_t>(std::ceil(min_time / batch_time)));
}

namespace {

// Runs `setup.forward` over test batches for at least budget.inference_samples
// samples and budget.inference_min_time, inside one probe measurement.
// Quality is scored, after the measurement, on the first
// budget.inference_samples samples of the test split (whole items), the same
// ones at every batch size, so that variants compare like with like.
InferenceResult measure(const Setup& setup, const Workload& workload, EnergyProbe& probe,
                        const Budget& budget) {
  InferenceResult result;
  result.variant = setup.variant;
  result.baseline = setup.baseline;
  result.batch = setup.batch;
  result.note = setup.note;
  result.threads = torch::get_num_threads();
  result.quality = kNaN;
  const std::size_t items = workload.test_items();
  if (items == 0) throw std::invalid_argument("no test data to run inference on");

  const auto batch = static_cast<std::size_t>(setup.batch);
  const double samples_per_item = workload.predictions_per_item();
  if (samples_per_item > 1) {
    result.note = fmt::format(
        "a batch is {} sequence(s) of {:g} characters, a sample one "
        "predicted character{}{}",
        setup.batch, samples_per_item, setup.note.empty() ? "" : "; ", setup.note);
  }
  const std::size_t scored_items = std::min(
      items,
      static_cast<std::size_t>(std::max(
          1.0, std::ceil(static_cast<double>(budget.inference_samples) / samples_per_item))));
  const std::size_t distinct = (scored_items + batch - 1) / batch;
  std::vector<Example> batches;
  std::vector<std::size_t> scored_rows;
  for (std::size_t i = 0; i < distinct; ++i) {
    batches.push_back(workload.test_batch(i * batch, batch));
    scored_rows.push_back(std::min(batch, scored_items - i * batch));
  }

  c10::InferenceMode inference_mode;
  for (int i = 0; i < kWarmUpBatches; ++i) setup.forward(batches[i % distinct].input);
  const auto wanted = static_cast<std::size_t>(
      std::ceil(static_cast<double>(budget.inference_samples) / (samples_per_item * batch)));
  const std::size_t count =
      batches_to_run([&](std::size_t i) { setup.forward(batches[i % distinct].input); },
                     std::max(wanted, distinct), budget.inference_min_time);

  std::vector<double> latencies_ms;
  latencies_ms.reserve(count);
  std::vector<torch::Tensor> first_logits(distinct);
  result.cost = probe.measure([&] {
    for (std::size_t i = 0; i < count; ++i) {
      const auto started = Clock::now();
      torch::Tensor logits = setup.forward(batches[i % distinct].input);
      latencies_ms.push_back(seconds_since(started).seconds * 1e3);
      if (i < distinct) first_logits[i] = std::move(logits);
    }
  });

  Score score;
  for (std::size_t i = 0; i < distinct; ++i) {
    workload.score(first_logits[i], batches[i].target, scored_rows[i], score);
  }
  result.quality = workload.quality(score);
  result.samples = static_cast<double>(count) * samples_per_item * static_cast<double>(batch);
  result.energy_per_1000 = result.cost.energy / result.samples * 1000;
  result.latency_ms = median(latencies_ms);
  return result;
}

// Keeps copies of the parameters and buffers and puts them back when it
// goes out of scope, so that a variant that converts the network (bf16,
// channels-last) leaves it exactly as trained.
class ParameterSnapshot {
 public:
  explicit ParameterSnapshot(Network& network) {
    torch::NoGradGuard no_grad;
    for (torch::Tensor& tensor : tensors(network)) {
      saved_.push_back({tensor, tensor.clone()});
    }
  }
  ~ParameterSnapshot() {
    torch::NoGradGuard no_grad;
    for (auto& [live, copy] : saved_) live.set_data(copy);
  }
  ParameterSnapshot(const ParameterSnapshot&) = delete;
  ParameterSnapshot& operator=(const ParameterSnapshot&) = delete;

 private:
  static std::vector<torch::Tensor> tensors(Network& network) {
    std::vector<torch::Tensor> all = network.parameters();
    for (torch::Tensor& buffer : network.buffers()) all.push_back(buffer);
    return all;
  }
  std::vector<std::pair<torch::Tensor, torch::Tensor>> saved_;
};

Forward eager(Network& network) {
  return [&network](const torch::Tensor& input) { return network.forward(input); };
}

// Not measured: zero cost, NaN quality, and why.
InferenceResult unsupported(const std::string& variant, int batch, const std::string& why) {
  InferenceResult result;
  result.variant = variant;
  result.baseline = "default";
  result.batch = batch;
  result.threads = torch::get_num_threads();
  result.supported = false;
  result.note = why;
  result.quality = kNaN;
  return result;
}

InferenceResult threads_variant(Network& network, const Workload& workload, EnergyProbe& probe,
                                const Budget& budget) {
  const int threads = torch::get_num_threads();
  torch::set_num_threads(1);
  struct Restore {
    int threads;
    ~Restore() { torch::set_num_threads(threads); }
  } restore{threads};
  return measure({"threads=1", "default", budget.large_batch,
                  threads == 1 ? "the same as the default: the run already uses 1 thread"
                               : fmt::format("1 intra-op thread instead of {}", threads),
                  eager(network)},
                 workload, probe, budget);
}

InferenceResult small_batch_variant(Network& network, const Workload& workload, EnergyProbe& probe,
                                    const Budget& budget) {
  const int batch = std::max(1, budget.large_batch / kSmallBatchDivisor);
  return measure({fmt::format("batch={}", batch), "default", batch,
                  fmt::format("batch {} instead of {}", batch, budget.large_batch), eager(network)},
                 workload, probe, budget);
}

InferenceResult channels_last_variant(Network& network, const Workload& workload,
                                      EnergyProbe& probe, const Budget& budget) {
  // nn::Module::to(MemoryFormat) is missing in LibTorch 1.13: convert each
  // 4-d weight in place.
  ParameterSnapshot snapshot(network);
  {
    torch::NoGradGuard no_grad;
    for (torch::Tensor& parameter : network.parameters()) {
      if (parameter.dim() == 4) {
        parameter.set_data(parameter.contiguous(torch::MemoryFormat::ChannelsLast));
      }
    }
  }
  return measure(
      {"channels-last", "default", budget.large_batch, "NHWC weights and input instead of NCHW",
       [&network](const torch::Tensor& input) {
         return network.forward(input.contiguous(torch::MemoryFormat::ChannelsLast));
       }},
      workload, probe, budget);
}

InferenceResult bfloat16_variant(Network& network, const Workload& workload, EnergyProbe& probe,
                                 const Budget& budget) {
  const bool native = cpu_has_native_bfloat16();
  ParameterSnapshot snapshot(network);
  {
    torch::NoGradGuard no_grad;
    network.to(torch::kBFloat16);
  }
  return measure(
      {"bfloat16", "default", budget.large_batch,
       native ? "bf16 weights and activations; this CPU has native bf16 (avx512_bf16)"
              : "bf16 weights and activations; this CPU has no native bf16, so "
                "LibTorch converts to float32 around each operation",
       [&network](const torch::Tensor& input) {
         return network.forward(input.is_floating_point() ? input.to(torch::kBFloat16) : input);
       }},
      workload, probe, budget);
}

using PackedLinear = c10::intrusive_ptr<LinearPackedParamsBase>;

InferenceResult int8_variant(Network& network, const Workload& workload, EnergyProbe& probe,
                             const Budget& budget) {
  const std::vector<torch::nn::Linear> layers = network.dense_layers();
  if (layers.empty()) {
    return unsupported("int8-dynamic", budget.large_batch,
                       "not a Linear-only network: LibTorch's C++ API offers dynamic int8 only "
                       "for Linear layers");
  }
  auto& dispatcher = c10::Dispatcher::singleton();
  const auto prepack = dispatcher.findSchemaOrThrow("quantized::linear_prepack", "")
                           .typed<PackedLinear(at::Tensor, c10::optional<at::Tensor>)>();
  const auto linear_dynamic = dispatcher.findSchemaOrThrow("quantized::linear_dynamic", "")
                                  .typed<at::Tensor(at::Tensor, const PackedLinear&, bool)>();
  // FBGEMM's int8 kernels can overflow with full-range activations; the
  // other engines (oneDNN, QNNPACK) take the full range.
  const bool reduce_range = at::globalContext().qEngine() == at::QEngine::FBGEMM;
  std::vector<PackedLinear> packed;
  {
    torch::NoGradGuard no_grad;
    for (const torch::nn::Linear& layer : layers) {
      // Symmetric per-tensor scale, as PyTorch's default dynamic qconfig.
      const torch::Tensor weight = layer->weight.detach();
      const double scale = std::max(weight.abs().max().item<double>(), 1e-12) / 127.0;
      packed.push_back(prepack.call(torch::quantize_per_tensor(weight, scale, 0, torch::kQInt8),
                                    layer->bias.detach()));
    }
  }
  const std::string engine = at::globalContext().qEngine() == at::QEngine::FBGEMM   ? "FBGEMM"
                             : at::globalContext().qEngine() == at::QEngine::ONEDNN ? "oneDNN"
                                                                                    : "QNNPACK";
  return measure({"int8-dynamic", "default", budget.large_batch,
                  fmt::format("{} Linear layers with int8 weights (per tensor), activations "
                              "quantized per batch; {} kernels",
                              layers.size(), engine),
                  [&network, &packed, linear_dynamic, reduce_range](const torch::Tensor& input) {
                    return network.forward_dense(
                        input, [&](std::size_t index, const torch::Tensor& x) {
                          return linear_dynamic.call(x, packed[index], reduce_range);
                        });
                  }},
                 workload, probe, budget);
}

InferenceResult torchscript_variant(Network& network, const Workload& workload, EnergyProbe& probe,
                                    const Budget& budget) {
  const std::string source = network.torchscript_source();
  if (source.empty()) {
    return unsupported("torchscript", budget.large_batch,
                       "no C++ tracer in LibTorch 1.13, and no hand-written TorchScript for "
                       "this model");
  }
  const std::shared_ptr<torch::jit::CompilationUnit> unit = torch::jit::compile(source);
  torch::jit::Function& function = unit->get_function("forward");
  std::vector<c10::IValue> parameters;
  for (const torch::Tensor& parameter : network.parameters()) {
    parameters.emplace_back(parameter.detach());
  }
  return measure({"torchscript", "default", budget.large_batch,
                  "forward pass compiled from hand-written TorchScript, trained weights as "
                  "arguments",
                  [&function, &parameters](const torch::Tensor& input) {
                    std::vector<c10::IValue> stack;
                    stack.reserve(parameters.size() + 1);
                    stack.emplace_back(input);
                    stack.insert(stack.end(), parameters.begin(), parameters.end());
                    return function(std::move(stack)).toTensor();
                  }},
                 workload, probe, budget);
}

using Variant = InferenceResult (*)(Network&, const Workload&, EnergyProbe&, const Budget&);

struct NamedVariant {
  const char* name;
  Variant run;
  bool (*applies)(const Network&);
};

bool always(const Network&) {
  return true;
}
bool convolutional(const Network& network) {
  return network.convolutional();
}

const NamedVariant kVariants[] = {
    {"threads=1", &threads_variant, &always},
    {"batch", &small_batch_variant, &always},
    {"channels-last", &channels_last_variant, &convolutional},
    {"bfloat16", &bfloat16_variant, &always},
    {"int8-dynamic", &int8_variant, &always},
    {"torchscript", &torchscript_variant, &always},
};

}  // namespace

std::vector<InferenceResult> measure_inference(
    Network& network, const Workload& workload, EnergyProbe& probe, const Budget& budget,
    RunResult& run, const std::function<void(double, const std::string&)>& progress) {
  network.eval();
  std::vector<InferenceResult> results;
  const int defaults[] = {1, budget.large_batch};
  std::size_t applicable = 0;
  for (const NamedVariant& variant : kVariants) applicable += variant.applies(network) ? 1 : 0;
  const double steps = 2.0 + (budget.variants ? static_cast<double>(applicable) : 0.0);

  for (const int batch : defaults) {
    if (progress)
      progress(static_cast<double>(results.size()) / steps,
               fmt::format("inference batch {}", batch));
    results.push_back(measure({"default", "", batch, "", eager(network)}, workload, probe, budget));
    check_disturbance(results.back().cost, fmt::format("inference at batch {}", batch), run);
  }
  if (!budget.variants) return results;

  for (const NamedVariant& variant : kVariants) {
    if (!variant.applies(network)) continue;
    if (progress)
      progress(static_cast<double>(results.size()) / steps,
               fmt::format("variant {}", variant.name));
    try {
      results.push_back(variant.run(network, workload, probe, budget));
      if (results.back().supported) {
        check_disturbance(results.back().cost, "inference variant " + results.back().variant, run);
      }
    } catch (const std::exception& error) {
      const bool batch_variant = variant.run == &small_batch_variant;
      const int batch =
          batch_variant ? std::max(1, budget.large_batch / kSmallBatchDivisor) : budget.large_batch;
      results.push_back(unsupported(batch_variant ? fmt::format("batch={}", batch) : variant.name,
                                    batch, error_message(error)));
    }
  }
  return results;
}

}  // namespace joule::bench::engine
