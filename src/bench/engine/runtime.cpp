// How LibTorch runs on this machine: threads, OpenMP wait policy, malloc
// thresholds, which BLAS is really loaded. Each of these changed measured
// energy 5 to 30 times on the project's VMs, so joule bench sets them
// explicitly and prints what it got.
#include <malloc.h>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "bench/engine/engine.hpp"

namespace joule::bench {
namespace {

// The BLAS library mapped into this process. Debian's libtorch links
// libblas.so.3, which the alternatives system points at OpenBLAS or at the
// 30x slower reference implementation.
std::string loaded_blas() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    const std::string name = std::filesystem::path(path).filename().string();
    if (name.find("openblas") != std::string::npos || name.find("mkl") != std::string::npos ||
        name.find("libblas") != std::string::npos || name.find("blis") != std::string::npos) {
      std::error_code error;
      const auto real = std::filesystem::canonical(path, error);
      const std::string resolved = error ? path : real.string();
      if (resolved.find("openblas-openmp") != std::string::npos) {
        return "OpenBLAS, OpenMP build (" + resolved + ")";
      }
      if (resolved.find("openblas") != std::string::npos) return "OpenBLAS (" + resolved + ")";
      if (resolved.find("mkl") != std::string::npos) return "Intel MKL (" + resolved + ")";
      if (resolved.find("blis") != std::string::npos) return "BLIS (" + resolved + ")";
      return "reference BLAS, about 30x slower: install libopenblas0-openmp (" + resolved + ")";
    }
  }
  return "none mapped (LibTorch's own kernels only)";
}

bool cpu_has_flag(const std::string& flag) {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) == 0)
      return (line + " ").find(" " + flag + " ") != std::string::npos;
  }
  return false;
}

bool int8_dynamic_available() {
  return c10::Dispatcher::singleton().findSchema({"quantized::linear_dynamic", ""}).has_value();
}

}  // namespace

bool cpu_has_native_bfloat16() {
  return cpu_has_flag("avx512_bf16") || cpu_has_flag("amx_bf16");
}

void prepare_process_environment() {
  // Spinning OpenMP workers collapse when another process competes for the
  // cores; passive waiting costs little in steady state.
  setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
  // Keep large activation buffers inside the heap instead of mmap/munmap (and
  // page faults) on every batch.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

RuntimeInfo configure_runtime(int threads) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads > 0 ? threads : cores);
  RuntimeInfo info;
  info.torch_version = TORCH_VERSION;
  info.blas = loaded_blas();
  info.threads = torch::get_num_threads();
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  info.omp_wait_policy = policy != nullptr ? policy : "unset (the runtime's default spins)";
  info.bfloat16_fast = cpu_has_native_bfloat16();
  info.int8_dynamic = int8_dynamic_available();
  return info;
}

}  // namespace joule::bench
