// A toy inference server measured with joule: requests (Fashion-MNIST test
// images) arrive in a queue and are answered in batches by a small LibTorch
// classifier. joule measures loading, warm-up and serving separately and
// reports the energy and carbon per request (the SCI's functional unit).
//
//   inference_server [--requests N] [--batch B] [--threads T] [--data DIR]
//                    [--json FILE]
//
// Alone (its own meter), every request has a scope of its own, and every
// block of 1,000 requests a scope around its requests' scopes: it prints the
// sum of the per-request energies of each block beside the block's total and
// its uncertainty (and --json FILE writes them). A batched forward pass cannot
// say what each of its requests cost, so alone the requests are answered one
// at a time and --batch only sizes the warm-up.
//
// Under `joule run` the same scopes would each become a phase of the run, so
// there the server answers in batches of --batch with scopes load, warm-up
// and serve only; the requests are the run's units, and
// `joule run --unit request -- inference_server` needs no flag.
// The weights are random: this measures the cost of serving, not accuracy.
#include <torch/torch.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "joule/scope.hpp"

namespace {

struct Options {
  int requests = 2000;
  int batch = 32;
  int threads = static_cast<int>(std::thread::hardware_concurrency());
  std::string data = "/usr/share/datasets/fashion-mnist";
  std::string json;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--requests")
      o.requests = std::atoi(argv[i + 1]);
    else if (flag == "--batch")
      o.batch = std::atoi(argv[i + 1]);
    else if (flag == "--threads")
      o.threads = std::atoi(argv[i + 1]);
    else if (flag == "--data")
      o.data = argv[i + 1];
    else if (flag == "--json")
      o.json = argv[i + 1];
    else
      throw std::invalid_argument("unknown option " + flag);
  }
  if (o.requests <= 0 || o.batch <= 0 || o.threads <= 0) {
    throw std::invalid_argument("--requests, --batch and --threads must be positive");
  }
  return o;
}

std::uint32_t big_endian(const unsigned char* p) {
  return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

// The first `limit` images of an IDX3 file (gzipped or not), as floats in [0, 1].
torch::Tensor load_images(const std::string& path, int limit) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file) throw std::runtime_error("cannot open " + path + " (install dataset-fashion-mnist)");
  unsigned char header[16];
  if (gzread(file, header, sizeof header) != sizeof header || big_endian(header) != 0x803) {
    gzclose(file);
    throw std::runtime_error(path + ": not an IDX3 image file");
  }
  const int count = std::min<int>(limit, static_cast<int>(big_endian(header + 4)));
  const int rows = static_cast<int>(big_endian(header + 8));
  const int cols = static_cast<int>(big_endian(header + 12));
  std::vector<unsigned char> pixels(static_cast<std::size_t>(count) * rows * cols);
  const int read = gzread(file, pixels.data(), static_cast<unsigned>(pixels.size()));
  gzclose(file);
  if (read != static_cast<int>(pixels.size())) throw std::runtime_error(path + ": truncated");
  auto bytes = torch::from_blob(pixels.data(), {count, rows * cols}, torch::kUInt8);
  return bytes.to(torch::kFloat32).div_(255.0);
}

struct Classifier : torch::nn::Module {
  Classifier()
      : hidden(register_module("hidden", torch::nn::Linear(784, 256))),
        out(register_module("out", torch::nn::Linear(256, 10))) {}
  torch::Tensor forward(torch::Tensor x) { return out(torch::relu(hidden(x))); }
  torch::nn::Linear hidden, out;
};

void print_result(const joule::ScopeResult& r) {
  if (r.reported_to_run) {
    std::printf("  %-8s %7.3f s  (energy: see the joule run record)\n", r.name.c_str(),
                r.duration.seconds);
    return;
  }
  std::printf("  %-8s %7.3f s  %9.3f J  %s", r.name.c_str(), r.duration.seconds, r.energy().joules,
              std::string(joule::to_string(r.provenance())).c_str());
  if (r.unit_count() > 0) {
    auto fp = r.footprint();
    std::printf("  %.4f J/%s  %.3g g CO2e/%s [%.3g .. %.3g]", r.energy().joules / r.unit_count(),
                r.unit.c_str(), fp.sci_g_per_unit.central, r.unit.c_str(), fp.sci_g_per_unit.low,
                fp.sci_g_per_unit.high);
  }
  std::printf("\n");
}

// One block of requests answered alone: each request's energy (its own
// scope) and the block's total (a scope around them all).
struct Block {
  std::int64_t first = 0;
  std::vector<double> request_j;
  joule::ScopeResult total;
};

constexpr std::int64_t block_size = 1000;

// Answers requests [first, first + count) one at a time, each in its own
// scope, inside a scope for the whole block. The request scopes are back to
// back: Scope::next ends a request's scope and opens the next one from the
// same snapshot, so no energy falls between two requests, and what a request
// does (take it off the queue, the forward pass, count the answer) is inside
// its scope. Left outside them is only the block's first and last snapshot
// boundary; its energy is the block's total minus the sum, printed as
// "between scopes".
template <class Answer>
Block serve_block(joule::Session& session, std::int64_t first, std::int64_t count,
                  Answer&& answer) {
  Block block;
  block.first = first;
  block.request_j.reserve(static_cast<std::size_t>(count));
  auto total = session.scope(
      "requests " + std::to_string(first + 1) + "-" + std::to_string(first + count), "request");
  joule::Scope request = session.scope("request", "request");
  for (std::int64_t k = 0; k < count; ++k) {
    answer(first + k);
    request.add_units(1);
    if (k + 1 < count) {
      joule::Scope following = request.next("request", "request");
      block.request_j.push_back(request.result().energy().joules);
      request = std::move(following);
    } else {
      block.request_j.push_back(request.end().energy().joules);
    }
  }
  total.add_units(static_cast<double>(count));
  block.total = total.end();
  return block;
}

// The stated uncertainty of a block: the per-request figures and the total
// come from the same sensors (or the same model), so their systematic error
// is shared and cancels in their difference; what separates the sum from the
// total is the energy between the request scopes. So the sum must agree with
// the total within the total's own standard uncertainty,
// relative_uncertainty x E.
double stated_uncertainty_j(const joule::ScopeResult& total) {
  return total.measurement.total_relative_uncertainty * total.energy().joules;
}

void print_block(const Block& b) {
  double sum = 0;
  for (double j : b.request_j) sum += j;
  const auto [low, high] = std::minmax_element(b.request_j.begin(), b.request_j.end());
  const double total = b.total.energy().joules;
  std::printf(
      "  %-16s sum of %zu per-request %.4f J, total %.4f J +/- %.4f J (%s), between scopes "
      "%.4f J (%.1f %%); per request %.3f mJ [%.3f .. %.3f]\n",
      b.total.name.c_str(), b.request_j.size(), sum, total, stated_uncertainty_j(b.total),
      std::string(joule::to_string(b.total.provenance())).c_str(), total - sum,
      total > 0 ? (total - sum) / total * 100 : 0.0, sum / b.request_j.size() * 1e3, *low * 1e3,
      *high * 1e3);
}

void write_json(const std::string& path, const std::vector<Block>& blocks) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) throw std::runtime_error("cannot write " + path);
  std::fprintf(f, "{\"blocks\": [");
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const auto& b = blocks[i];
    std::fprintf(f,
                 "%s\n {\"name\": \"%s\", \"first\": %lld, \"total_j\": %.17g, "
                 "\"relative_uncertainty\": %.17g, \"uncertainty_j\": %.17g, "
                 "\"provenance\": \"%s\", \"duration_s\": %.17g, \"request_j\": [",
                 i ? "," : "", b.total.name.c_str(), static_cast<long long>(b.first),
                 b.total.energy().joules, b.total.measurement.total_relative_uncertainty,
                 stated_uncertainty_j(b.total),
                 std::string(joule::to_string(b.total.provenance())).c_str(),
                 b.total.duration.seconds);
    for (std::size_t k = 0; k < b.request_j.size(); ++k) {
      std::fprintf(f, "%s%.17g", k ? ", " : "", b.request_j[k]);
    }
    std::fprintf(f, "]}");
  }
  std::fprintf(f, "\n]}\n");
  if (std::fclose(f) != 0) throw std::runtime_error("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options options = parse(argc, argv);
    // LibTorch starts with one intra-op thread here: say how many we want.
    torch::set_num_threads(options.threads);
    torch::NoGradGuard no_grad;

    joule::Session session;
    std::printf("inference_server: %d requests, batch %d, %d threads, joule %s mode\n",
                options.requests, options.batch, options.threads,
                std::string(joule::to_string(session.mode())).c_str());

    auto load = session.scope("load");
    torch::manual_seed(0);
    Classifier model;
    model.eval();
    torch::Tensor queue =
        load_images(options.data + "/t10k-images-idx3-ubyte.gz", options.requests);
    const auto& loaded = load.end();

    // Warm-up answers no one: it counts no requests, so SCI is per real one.
    auto warm_up = session.scope("warm-up");
    const int warm = std::min<int>(options.batch * 4, static_cast<int>(queue.size(0)));
    model.forward(queue.narrow(0, 0, warm));
    const auto& warmed = warm_up.end();

    auto serve = session.scope("serve", "request");
    std::int64_t answered = 0;
    std::vector<std::int64_t> classes(10, 0);
    std::vector<Block> blocks;
    if (session.reports_to_run()) {
      for (std::int64_t i = 0; i < queue.size(0); i += options.batch) {
        const std::int64_t n = std::min<std::int64_t>(options.batch, queue.size(0) - i);
        auto predicted = model.forward(queue.narrow(0, i, n)).argmax(1);
        for (std::int64_t k = 0; k < n; ++k) ++classes[predicted[k].item<std::int64_t>()];
        answered += n;
        serve.add_units(static_cast<double>(n));
      }
    } else {
      const auto answer = [&](std::int64_t i) {
        ++classes[model.forward(queue.narrow(0, i, 1)).argmax(1).item<std::int64_t>()];
        ++answered;
      };
      for (std::int64_t i = 0; i < queue.size(0); i += block_size) {
        const std::int64_t n = std::min<std::int64_t>(block_size, queue.size(0) - i);
        blocks.push_back(serve_block(session, i, n, answer));
        serve.add_units(static_cast<double>(n));
      }
    }
    const auto& served = serve.end();

    std::printf("answered %lld requests in %.3f s (%.0f requests/s)\n",
                static_cast<long long>(answered), served.duration.seconds,
                static_cast<double>(answered) / served.duration.seconds);
    print_result(loaded);
    print_result(warmed);
    print_result(served);
    for (const auto& b : blocks) print_block(b);
    if (!options.json.empty()) write_json(options.json, blocks);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "inference_server: %s\n", e.what());
    return 1;
  }
}
