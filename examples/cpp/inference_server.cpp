// A toy inference server measured with joule: requests (Fashion-MNIST test
// images) arrive in a queue and are answered in batches by a small LibTorch
// classifier. joule measures loading, warm-up and serving separately and
// reports the energy and carbon per request (the SCI's functional unit).
//
//   inference_server [--requests N] [--batch B] [--threads T] [--data DIR]
//
// Under `joule run` the same scopes become the run's phases and the requests
// its units, so `joule run --unit request -- inference_server` needs no flag.
// The weights are random: this measures the cost of serving, not accuracy.
#include <torch/torch.h>
#include <zlib.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
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
    for (std::int64_t i = 0; i < queue.size(0); i += options.batch) {
      const std::int64_t n = std::min<std::int64_t>(options.batch, queue.size(0) - i);
      auto predicted = model.forward(queue.narrow(0, i, n)).argmax(1);
      for (std::int64_t k = 0; k < n; ++k) ++classes[predicted[k].item<std::int64_t>()];
      answered += n;
      serve.add_units(static_cast<double>(n));
    }
    const auto& served = serve.end();

    std::printf("answered %lld requests in %.3f s (%.0f requests/s)\n",
                static_cast<long long>(answered), served.duration.seconds,
                static_cast<double>(answered) / served.duration.seconds);
    print_result(loaded);
    print_result(warmed);
    print_result(served);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "inference_server: %s\n", e.what());
    return 1;
  }
}
