#include "serve/workloads.hpp"

#include <sys/types.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <utility>

#include "run/cgroup.hpp"
#include "sensors/sysfs.hpp"
#include "support/proc.hpp"

namespace joule::serve {

struct WorkloadAttribution::Tracked {
  Tracked(const std::vector<DomainInfo>& domains, std::filesystem::path dir,
          sensors::sysfs::AttributeFile cpu_stat)
      : accumulator(domains), dir(std::move(dir)), cpu_stat(std::move(cpu_stat)) {}
  run::AttributionAccumulator accumulator;
  std::filesystem::path dir;
  sensors::sysfs::AttributeFile cpu_stat;  // held open: a read is one pread(2)
  std::optional<Seconds> usage_last;       // none yet: the first read is the baseline
};

namespace {

// cpu.stat is a few hundred bytes. nullopt when it no longer reads (the
// cgroup was removed: ENODEV) or is not a cpu.stat.
std::optional<Seconds> cpu_usage(const sensors::sysfs::AttributeFile& cpu_stat) {
  char buffer[4096];
  std::string_view text;
  std::string error;
  if (!cpu_stat.read_text(text, buffer, sizeof buffer, error)) return std::nullopt;
  return run::parse_cpu_stat_usage(text);
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

void WorkloadAttribution::add(const Measurement& interval) {
  const Seconds busy = support::read_machine_busy_cpu(options_.proc_root).value_or(busy_last_);
  const Seconds busy_delta = busy - busy_last_;
  busy_last_ = busy;
  const MonotonicTime now = MonotonicClock::now();
  if (!last_scan_ || now - *last_scan_ >= options_.rescan_interval) {
    rescan();
    last_scan_ = now;
  }
  attribute(interval, busy_delta);
}

void WorkloadAttribution::rescan() {
  auto paths = cgroups_at_depth(options_.root, options_.depth);
  left_out_ = paths.size() > options_.max_cgroups ? paths.size() - options_.max_cgroups : 0;
  paths.resize(std::min(paths.size(), options_.max_cgroups));
  const std::string root_prefix = (options_.root / "").string();
  std::map<std::string, Tracked> found;
  for (auto& path : paths) {
    // The path below the root; relative() would resolve symlinks, a syscall per level.
    std::string name = path.string().substr(root_prefix.size());
    if (auto known = tracked_.extract(name)) {
      found.insert(std::move(known));
      continue;
    }
    auto cpu_stat = sensors::sysfs::AttributeFile::open(path / "cpu.stat");
    if (!cpu_stat.ok()) {
      // Out of descriptors (a --max-cgroups above the process's limit): left
      // out, and counted as such. Otherwise gone since the walk, or not a cgroup.
      if (cpu_stat.errno_value == EMFILE || cpu_stat.errno_value == ENFILE) ++left_out_;
      continue;
    }
    found.try_emplace(std::move(name), domains_, std::move(path), std::move(cpu_stat.value));
  }
  tracked_ = std::move(found);  // the cgroups no longer there close their files here
}

void WorkloadAttribution::attribute(const Measurement& interval, Seconds busy_delta) {
  std::vector<run::GpuShare> gpu(domains_.size());
  for (auto it = tracked_.begin(); it != tracked_.end();) {
    Tracked& t = it->second;
    auto usage = cpu_usage(t.cpu_stat);
    if (!usage) {
      it = tracked_.erase(it);
      continue;
    }
    // A cgroup seen for the first time starts counting now: its earlier CPU
    // time was spent before this interval.
    const std::optional<Seconds> last = std::exchange(t.usage_last, *usage);
    ++it;
    if (!last) continue;
    if (has_gpu_) {
      const auto pids = cgroup_pids(t.dir);
      for (std::size_t i = 0; i < domains_.size(); ++i) {
        if (domains_[i].component == Component::gpu) gpu[i] = gpu_source_->share(domains_[i], pids);
      }
    }
    t.accumulator.add(interval, run::cpu_time_share(*usage - *last, busy_delta), gpu);
  }
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
