#include "api/local_ranks.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <thread>

#include <fmt/format.h>

#include "joule/scope.hpp"
#include "record/job.hpp"
#include "support/files.hpp"
#include "support/strings.hpp"

namespace joule::detail {
namespace {

std::optional<std::string> environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::optional<int> non_negative(std::string_view text) {
  int number = -1;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size() || number < 0) return std::nullopt;
  return number;
}

std::optional<int> integer_variable(const char* name) {
  auto text = environment(name);
  if (!text || text->empty()) return std::nullopt;
  auto number = non_negative(support::trim(*text));
  if (!number) {
    throw UsageError(fmt::format("joule: {}='{}' is not a non-negative integer", name, *text));
  }
  return number;
}

// The ranks of one job on one node share this key. A job id names the job;
// without one, torchrun's rendezvous address does, and failing that the
// launcher that started the ranks (their common parent).
std::string rank_group() {
  std::string job = record::job_id_from_environment();
  if (!job.empty()) return "job-" + job;
  auto addr = environment("MASTER_ADDR");
  auto port = environment("MASTER_PORT");
  if (addr && port) return fmt::format("master-{}-{}", *addr, *port);
  return fmt::format("parent-{}", ::getppid());
}

// Lock file names carry the group: anything but [A-Za-z0-9._-] becomes '_'.
std::string file_name_part(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '_' || c == '-';
    if (!plain) c = '_';
  }
  return out;
}

// A job id outlives a reboot (a requeued Slurm job); the boot id keeps a
// lock file from an earlier boot out of this one's agreement.
std::string boot_id() {
  auto text = support::read_small_file("/proc/sys/kernel/random/boot_id", 64);
  return text ? std::string(support::trim(*text)) : std::string("unknown-boot");
}

bool is_gpu(const DomainInfo& d) {
  return d.component == Component::gpu;
}
bool is_amd(const DomainInfo& d) {
  return d.id.starts_with("gpu:amd-");
}

// NVML puts "(<UUID>)" at the end of a GPU's source.
bool has_uuid(const DomainInfo& d, std::string_view entry) {
  const auto open = d.source.rfind('(');
  if (open == std::string::npos) return false;
  // CUDA accepts any unique prefix of a UUID, "GPU-" included.
  return std::string_view(d.source).substr(open + 1).starts_with(entry);
}

// The GPUs one *_VISIBLE_DEVICES list names, in its order; nullopt when it
// names a MIG instance (the board is shared) or something no GPU matches.
struct Visible {
  std::vector<std::string> ids;
  std::string problem;
};
Visible visible_gpus(std::string_view list, const std::vector<const DomainInfo*>& gpus,
                     const char* variable) {
  Visible visible;
  for (std::string_view raw : support::split_list(list)) {
    const std::string_view entry = support::trim(raw);
    if (entry.empty()) continue;
    if (entry.starts_with("MIG-")) {
      visible.problem = fmt::format(
          "{} names MIG instance {}: NVML reads energy for the whole board only", variable, entry);
      return visible;
    }
    const DomainInfo* match = nullptr;
    if (auto index = non_negative(entry)) {
      if (static_cast<std::size_t>(*index) < gpus.size()) match = gpus[*index];
    } else {
      for (const DomainInfo* g : gpus) {
        if (has_uuid(*g, entry)) match = g;
      }
    }
    if (match == nullptr) {
      visible.problem = fmt::format("{} entry '{}' matches no GPU found", variable, entry);
      return visible;
    }
    visible.ids.push_back(match->id);
  }
  return visible;
}

// One vendor's GPUs for this rank, by the rule in the header.
void select_vendor(const RankEnvironment& rank, const std::vector<const DomainInfo*>& gpus,
                   const std::optional<std::string>& list, const char* variable,
                   GpuSelection& out) {
  if (gpus.empty()) return;
  Visible visible;
  if (list) {
    visible = visible_gpus(*list, gpus, variable);
  } else {
    for (const DomainInfo* g : gpus) visible.ids.push_back(g->id);
  }
  const auto n = visible.ids.size();
  std::string reason;
  if (!visible.problem.empty()) {
    out.shared = true;
    reason = visible.problem +
             ", so the GPUs are counted whole, by the rank that owns the "
             "machine-wide domains";
  } else if (list && n == 1) {
    out.mine.insert(visible.ids.front());
    reason = fmt::format("{} (the one GPU {} names)", visible.ids.front(), variable);
  } else if (n > 0 && rank.local_world_size == static_cast<int>(n) &&
             rank.local_rank < static_cast<int>(n)) {
    out.mine.insert(visible.ids[rank.local_rank]);
    reason = fmt::format("{} (LOCAL_RANK {} of {} ranks on {} GPUs: one GPU per rank)",
                         visible.ids[rank.local_rank], rank.local_rank, n, n);
  } else if (n > 0) {
    out.shared = true;
    reason = fmt::format(
        "{} GPUs{} for {} rank(s) on this node: shared, so counted by the rank that owns the "
        "machine-wide domains",
        n, list ? fmt::format(" in {}", variable) : std::string(),
        rank.local_world_size ? std::to_string(*rank.local_world_size)
                              : std::string("an unknown number of"));
  } else {
    reason = fmt::format("no GPU ({} is empty)", variable);
  }
  out.why += (out.why.empty() ? "" : "; ") + reason;
}

// The rank that owns the lock, from its file: written just after locking,
// so a reader that comes in between waits a moment for it.
std::optional<int> read_owner(const std::string& path) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (auto text = support::read_small_file(path, 64)) {
      std::string_view t = support::trim(*text);
      if (t.starts_with("rank=")) return non_negative(t.substr(5, t.find(' ') - 5));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

// Passes readings through for the domains this rank counts; the others read
// 0 J (a counter that never moves, or 0 W) whatever the hardware says.
class RankSensor : public Sensor {
 public:
  // notes[i] empty: domain i is counted here; else why not, for its label.
  RankSensor(std::unique_ptr<Sensor> inner, std::vector<std::string> notes)
      : inner_(std::move(inner)), notes_(std::move(notes)), domains_(inner_->domains()) {
    for (std::size_t i = 0; i < domains_.size(); ++i) {
      if (!notes_[i].empty()) domains_[i].label += " [" + notes_[i] + "]";
    }
  }
  std::string_view backend() const override { return inner_->backend(); }
  const std::vector<DomainInfo>& domains() const override { return domains_; }
  void read(std::span<Reading> out) override {
    inner_->read(out);
    for (std::size_t i = 0; i < out.size() && i < notes_.size(); ++i) {
      if (!notes_[i].empty()) out[i] = Reading{};
    }
  }

 private:
  std::unique_ptr<Sensor> inner_;
  std::vector<std::string> notes_;
  std::vector<DomainInfo> domains_;
};

// Why this rank does not count `d`; empty when it does.
std::string not_counted_note(const DomainInfo& d, const GpuSelection& gpus,
                             const MachineClaim& claim) {
  const bool machine_wide = !is_gpu(d) || gpus.shared;
  if (machine_wide) {
    if (claim.owns()) return {};
    return claim.owner ? fmt::format("owned by rank {}: counted there", *claim.owner)
                       : std::string("owned by another rank: counted there");
  }
  return gpus.mine.count(d.id) > 0 ? std::string() : std::string("another rank's GPU");
}

std::string machine_wide_summary(const MachineClaim& claim) {
  if (!claim.problem.empty()) {
    return "no agreement with the other ranks (" + claim.problem +
           "), so this rank counts the machine-wide domains too";
  }
  if (claim.lock) return fmt::format("counts the machine-wide domains (holds {})", claim.lock_path);
  return fmt::format("the machine-wide domains are counted by {} (lock {})",
                     claim.owner ? fmt::format("rank {}", *claim.owner) : "another rank",
                     claim.lock_path);
}

}  // namespace

std::optional<RankEnvironment> rank_environment() {
  auto rank = integer_variable("RANK");
  auto local_rank = integer_variable("LOCAL_RANK");
  if (!rank && !local_rank) return std::nullopt;
  RankEnvironment env;
  env.rank = rank.value_or(*local_rank);
  env.local_rank = local_rank.value_or(*rank);
  env.local_world_size = integer_variable("LOCAL_WORLD_SIZE");
  if (!env.local_world_size) env.local_world_size = integer_variable("WORLD_SIZE");
  env.group = rank_group();
  env.cuda_visible_devices = environment("CUDA_VISIBLE_DEVICES");
  env.hip_visible_devices = environment("HIP_VISIBLE_DEVICES");
  return env;
}

GpuSelection select_rank_gpus(const RankEnvironment& rank, const std::vector<DomainInfo>& domains) {
  std::vector<const DomainInfo*> nvidia, amd;
  for (const auto& d : domains) {
    if (is_gpu(d)) (is_amd(d) ? amd : nvidia).push_back(&d);
  }
  GpuSelection selection;
  select_vendor(rank, nvidia, rank.cuda_visible_devices, "CUDA_VISIBLE_DEVICES", selection);
  select_vendor(rank, amd, rank.hip_visible_devices, "HIP_VISIBLE_DEVICES", selection);
  return selection;
}

MachineClaim claim_machine_domains(const RankEnvironment& rank) {
  MachineClaim claim;
  try {
    claim.lock_path =
        (support::private_runtime_directory() /
         fmt::format("ranks-{}-{}.lock", file_name_part(rank.group), file_name_part(boot_id())))
            .string();
    claim.lock = support::FileLock::try_exclusive(claim.lock_path);
    if (claim.lock) {
      claim.lock->write(fmt::format("rank={} pid={}\n", rank.rank, ::getpid()));
      claim.owner = rank.rank;
    } else {
      claim.owner = read_owner(claim.lock_path);
    }
  } catch (const std::runtime_error& e) {
    claim.lock.reset();
    claim.problem = e.what();
  }
  return claim;
}

ProbeResult assign_to_rank(ProbeResult found, const RankEnvironment& rank,
                           const MachineClaim& claim) {
  std::vector<DomainInfo> all;
  for (const auto& s : found.sensors) {
    all.insert(all.end(), s->domains().begin(), s->domains().end());
  }
  const GpuSelection gpus = select_rank_gpus(rank, all);
  for (auto& sensor : found.sensors) {
    std::vector<std::string> notes;
    for (const auto& d : sensor->domains()) notes.push_back(not_counted_note(d, gpus, claim));
    const bool all_counted =
        std::all_of(notes.begin(), notes.end(), [](const auto& n) { return n.empty(); });
    if (!all_counted) sensor = std::make_unique<RankSensor>(std::move(sensor), std::move(notes));
  }
  BackendReport report{"local-rank", BackendState::active, "", ""};
  report.reason = fmt::format("rank {} (LOCAL_RANK {}) of {}: {}; GPUs: {}", rank.rank,
                              rank.local_rank, rank.group, machine_wide_summary(claim),
                              gpus.why.empty() ? std::string("none found") : gpus.why);
  if (!claim.problem.empty()) report.remedy = "set XDG_RUNTIME_DIR to a private directory";
  found.reports.push_back(std::move(report));
  return found;
}

}  // namespace joule::detail
