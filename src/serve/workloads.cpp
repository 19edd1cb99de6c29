#include "serve/workloads.hpp"

#include <sys/types.h>

#include <algorithm>
#include <fstream>

#include "run/cgroup.hpp"
#include "support/files.hpp"
#include "support/proc.hpp"

namespace joule::serve {

struct WorkloadAttribution::Tracked {
  explicit Tracked(const std::vector<DomainInfo>& domains) : accumulator(domains) {}
  run::AttributionAccumulator accumulator;
  Seconds usage_last;
  bool seen_now = false;
};

namespace {

std::optional<Seconds> cgroup_cpu_usage(const std::filesystem::path& cgroup) {
  // cpu.stat is a few hundred bytes; one read(2).
  auto text = support::read_small_file(cgroup / "cpu.stat", 4096);
  if (!text) return std::nullopt;
  return run::parse_cpu_stat_usage(*text);
}

std::vector<pid_t> cgroup_pids(const std::filesystem::path& cgroup) {
  std::vector<pid_t> pids;
  std::ifstream in(cgroup / "cgroup.procs");
  pid_t pid = 0;
  while (in >> pid) pids.push_back(pid);
  return pids;
}

void collect(const std::filesystem::path& dir, int levels_left,
             std::vector<std::filesystem::path>& out) {
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_directory(ec)) continue;
    if (levels_left == 1) {
      out.push_back(it->path());
    } else {
      collect(it->path(), levels_left - 1, out);
    }
  }
}

}  // namespace

std::vector<std::filesystem::path> cgroups_at_depth(const std::filesystem::path& root, int depth) {
  std::vector<std::filesystem::path> out;
  if (depth >= 1) collect(root, depth, out);
  std::sort(out.begin(), out.end());
  return out;
}

WorkloadAttribution::WorkloadAttribution(WorkloadOptions options,
                                         const std::vector<DomainInfo>& domains)
    : options_(std::move(options)), domains_(domains) {
  has_gpu_ = std::any_of(domains_.begin(), domains_.end(),
                         [](const DomainInfo& d) { return d.component == Component::gpu; });
  if (has_gpu_) gpu_source_ = run::make_gpu_share_source(options_.nvml_library);
  busy_last_ = support::read_machine_busy_cpu(options_.proc_root).value_or(Seconds{});
}

WorkloadAttribution::~WorkloadAttribution() = default;

std::vector<std::filesystem::path> WorkloadAttribution::scan() const {
  return cgroups_at_depth(options_.root, options_.depth);
}

void WorkloadAttribution::add(const Measurement& interval) {
  const Seconds busy = support::read_machine_busy_cpu(options_.proc_root).value_or(busy_last_);
  const Seconds busy_delta = busy - busy_last_;
  busy_last_ = busy;

  auto paths = scan();
  left_out_ = paths.size() > options_.max_cgroups ? paths.size() - options_.max_cgroups : 0;
  paths.resize(std::min(paths.size(), options_.max_cgroups));
  for (auto& [name, t] : tracked_) t.seen_now = false;

  std::vector<run::GpuShare> gpu(domains_.size());
  const std::string root_prefix = (options_.root / "").string();
  for (const auto& path : paths) {
    auto usage = cgroup_cpu_usage(path);
    if (!usage) continue;  // gone between the scan and the read, or not a cgroup
    // The path below the root; relative() would resolve symlinks, a syscall per level.
    std::string name = path.string().substr(root_prefix.size());
    auto [it, fresh] = tracked_.try_emplace(name, domains_);
    Tracked& t = it->second;
    t.seen_now = true;
    // A cgroup seen for the first time starts counting now: its earlier CPU
    // time was spent before this interval.
    const Seconds used = fresh ? Seconds{} : *usage - t.usage_last;
    t.usage_last = *usage;
    if (fresh) continue;
    if (has_gpu_) {
      const auto pids = cgroup_pids(path);
      for (std::size_t i = 0; i < domains_.size(); ++i) {
        if (domains_[i].component == Component::gpu) gpu[i] = gpu_source_->share(domains_[i], pids);
      }
    }
    t.accumulator.add(interval, run::cpu_time_share(used, busy_delta), gpu);
  }
  std::erase_if(tracked_, [](const auto& entry) { return !entry.second.seen_now; });
}

std::vector<WorkloadEnergy> WorkloadAttribution::energy() const {
  std::vector<WorkloadEnergy> out;
  out.reserve(tracked_.size());
  for (const auto& [name, t] : tracked_) out.push_back({name, t.accumulator.attributed_total()});
  return out;
}

std::string WorkloadAttribution::method() const {
  std::string text =
      "CPU-side domains: the cgroup's CPU time (cpu.stat) over the machine's busy CPU time "
      "(/proc/stat), per interval";
  for (const auto& [name, t] : tracked_) {
    if (!t.accumulator.methods().empty()) {
      text += "; GPUs: ";
      text += t.accumulator.methods().front();
      break;
    }
  }
  return text;
}

}  // namespace joule::serve
