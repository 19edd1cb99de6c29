#include "run/session.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "run/record_fill.hpp"
#include "support/proc.hpp"
#include "support/rusage.hpp"

namespace joule::run {
namespace {

bool has_gpu(const std::vector<DomainInfo>& domains) {
  return std::any_of(domains.begin(), domains.end(),
                     [](const DomainInfo& d) { return d.component == Component::gpu; });
}

}  // namespace

RunSession::RunSession(SessionOptions options, Meter& meter, pid_t root,
                       std::unique_ptr<RunCgroup> cgroup, const Snapshot& start)
    : options_(std::move(options)),
      meter_(meter),
      cgroup_(std::move(cgroup)),
      tree_(root, {"/proc", ::getpid(), root}),
      start_(start),
      last_(start),
      attribution_(meter.domains()),
      rank_split_(meter.domains(), options_.nvml_library),
      predictor_(options_.predict_phases, options_.predict_after) {
  busy_last_ = support::read_machine_busy_cpu().value_or(Seconds{});
  if (has_gpu(meter.domains())) gpu_source_ = make_gpu_share_source(options_.nvml_library);
}

void RunSession::tick() {
  Snapshot now = meter_.snapshot();
  Measurement interval = meter_.measure(last_, now);
  Seconds command = command_cpu();
  Seconds busy = support::read_machine_busy_cpu().value_or(busy_last_);
  double share = cpu_time_share(command - command_last_, busy - busy_last_);
  const std::vector<GpuShare> gpu = gpu_shares();
  attribution_.add(interval, share, gpu);
  rank_split_.tick(interval, busy - busy_last_, share, gpu);
  power_now_ = interval.mean_power;
  command_last_ = command;
  busy_last_ = busy;
  last_ = std::move(now);
}

std::vector<GpuShare> RunSession::gpu_shares() {
  std::vector<GpuShare> gpu(meter_.domains().size());
  if (!gpu_source_) return gpu;
  std::vector<pid_t> pids = cgroup_ ? cgroup_->pids() : tree_.live_pids();
  for (std::size_t i = 0; i < gpu.size(); ++i) {
    if (meter_.domains()[i].component == Component::gpu) {
      gpu[i] = gpu_source_->share(meter_.domains()[i], pids);
    }
  }
  return gpu;
}

void RunSession::handle(const ControlEvent& event, record::RunRecord& record) {
  const auto& message = event.message;
  switch (message.kind) {
    case ControlMessage::Kind::application:  // one command, one application
      return;
    case ControlMessage::Kind::units:
      count_units(message, record);
      return;
    case ControlMessage::Kind::hello:
    case ControlMessage::Kind::bye:
      greet(message, record);
      return;
    case ControlMessage::Kind::phase:
    case ControlMessage::Kind::end_phase:
      break;
  }
  end_phase_of(message.rank, record, event.received);
  if (message.kind == ControlMessage::Kind::phase) {
    phases_[message.rank] =
        OpenPhase{message.name, last_, event.received, attribution_.attributed_total()};
  }
}

void RunSession::greet(const ControlMessage& message, record::RunRecord& record) {
  if (!message.rank) {
    add_once(record.warnings, "control channel: 'hello' and 'bye' need a rank=N prefix");
    return;
  }
  auto it = std::find_if(record.ranks.begin(), record.ranks.end(),
                         [&](const auto& r) { return r.rank == *message.rank; });
  if (it == record.ranks.end()) {
    record.ranks.push_back({*message.rank, 0, "", false});
    it = std::prev(record.ranks.end());
  }
  if (message.kind == ControlMessage::Kind::bye) {
    it->said_goodbye = true;
    return;
  }
  if (message.pid > 0) {
    it->pid = message.pid;
    rank_split_.add(*message.rank, message.pid);
  }
  record.world_size = std::max(record.world_size, message.world);
  if (message.job.empty()) return;
  it->job_id = message.job;
  if (record.job_id.empty()) {
    record.job_id = message.job;
  } else if (record.job_id != message.job) {
    const std::string conflict = fmt::format(
        "conflicting job ids: rank {} says job '{}', but this run is job '{}' (--job, "
        "TORCHELASTIC_RUN_ID, SLURM_JOB_ID or an earlier rank); the record keeps '{}'",
        *message.rank, message.job, record.job_id, record.job_id);
    add_once(record.warnings, "error: " + conflict);
    if (!job_conflict_) record.exit.error = conflict;
    job_conflict_ = true;
  }
}

void RunSession::note_ranks_at_end(record::RunRecord& record) const {
  for (const auto& rank : record.ranks) {
    if (rank.said_goodbye) continue;
    add_once(record.warnings,
             fmt::format("rank {}{} ended without saying goodbye: it died or was killed, so the "
                         "job's figure covers it only while it ran",
                         rank.rank, rank.pid > 0 ? fmt::format(" (pid {})", rank.pid) : ""));
  }
}

void RunSession::count_units(const ControlMessage& message, record::RunRecord& record) const {
  std::string unit = message.unit.empty() ? options_.unit : message.unit;
  auto it = std::find_if(record.units.begin(), record.units.end(),
                         [&](const auto& u) { return u.name == unit; });
  if (it == record.units.end()) {
    record.units.push_back({unit, message.count});
  } else {
    it->count += message.count;
  }
}

void RunSession::end_phase(record::RunRecord& record, MonotonicTime at) {
  while (!phases_.empty()) end_phase_of(phases_.begin()->first, record, at);
}

void RunSession::end_phase_of(std::optional<int> rank, record::RunRecord& record,
                              MonotonicTime at) {
  auto open = phases_.find(rank);
  if (open == phases_.end()) return;
  const OpenPhase& phase = open->second;
  record::Phase p;
  p.name = phase.name;
  p.rank = rank;
  p.start_offset_s = seconds_between(start_.at, phase.received).seconds;
  p.end_offset_s = seconds_between(start_.at, at).seconds;
  p.machine_energy_j = meter_.measure(phase.snapshot, last_).total.joules;
  p.attributed_energy_j = (attribution_.attributed_total() - phase.attributed).joules;
  record.phases.push_back(p);
  phases_.erase(open);
  // Predictions extrapolate one sequence of phases: the unranked one, or rank 0's.
  if (rank.value_or(0) != 0) return;
  auto prediction = predictor_.phase_ended(
      Joules{p.attributed_energy_j}, Seconds{p.end_offset_s - p.start_offset_s},
      attribution_.attributed_total(), seconds_between(start_.at, at));
  if (prediction) predictions_.push_back(*prediction);
}

void RunSession::fill(record::RunRecord& record, const std::optional<record::IdleBaseline>& idle) {
  Measurement whole = meter_.measure(start_, last_);
  fill_energy(record, meter_, attribution_, whole, idle);
  fill_timeline(record, meter_, start_);
  record.attribution.method =
      cgroup_ ? "CPU-time share: the command's cgroup (cpu.stat usage_usec) over the machine's "
                "busy CPU time (/proc/stat), per interval"
              : "CPU-time share: the command's process tree (utime+stime+cutime+cstime from "
                "/proc, joule as subreaper) over the machine's busy CPU time (/proc/stat), "
                "per interval";
  record.attribution.cpu_time_s = command_last_.seconds;
  for (const auto& m : attribution_.methods()) add_once(record.attribution.notes, m);
  for (const auto& w : whole.warnings) add_once(record.warnings, w);
  for (const auto& w : attribution_.warnings()) add_once(record.warnings, w);
  fill_ranks(record);
  record.overhead_cpu_s = support::own_cpu_time().seconds;
  record.ended_at = record::iso8601_utc(std::chrono::system_clock::now());
}

void RunSession::fill_ranks(record::RunRecord& record) const {
  if (record.ranks.empty()) return;
  rank_split_.fill(record.ranks);
  Joules ranked;
  for (const auto& r : record.ranks) ranked += Joules{r.energy_j()};
  const Joules whole = attribution_.attributed_total();
  const Joules rest = whole.joules > ranked.joules ? whole - ranked : Joules{};
  record.attribution.notes.erase(
      std::remove_if(record.attribution.notes.begin(), record.attribution.notes.end(),
                     [](const std::string& n) { return n.starts_with("ranks: "); }),
      record.attribution.notes.end());
  record.attribution.notes.push_back(fmt::format(
      "ranks: {} rank(s) take {:.6g} J of the command's {:.6g} J (each its process tree's CPU-time "
      "share of the CPU-side domains plus its processes' share of each GPU); the other {:.6g} J "
      "is the launcher's and processes outside the ranks",
      record.ranks.size(), ranked.joules, whole.joules, rest.joules));
}

Seconds RunSession::command_cpu() {
  if (cgroup_) {
    if (auto usage = cgroup_->cpu_usage()) return *usage;
  }
  tree_.scan();
  return tree_.cpu_time();
}

}  // namespace joule::run
