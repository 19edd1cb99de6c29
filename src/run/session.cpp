#include "run/session.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>

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
  attribution_.add(interval, share, gpu_shares());
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
  if (message.kind == ControlMessage::Kind::units) {
    count_units(message, record);
    return;
  }
  end_phase(record, event.received);
  if (message.kind == ControlMessage::Kind::phase) {
    phase_ = OpenPhase{message.name, last_, event.received, attribution_.attributed_total()};
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
  if (!phase_) return;
  record::Phase p;
  p.name = phase_->name;
  p.start_offset_s = seconds_between(start_.at, phase_->received).seconds;
  p.end_offset_s = seconds_between(start_.at, at).seconds;
  p.machine_energy_j = meter_.measure(phase_->snapshot, last_).total.joules;
  p.attributed_energy_j = (attribution_.attributed_total() - phase_->attributed).joules;
  record.phases.push_back(p);
  auto prediction = predictor_.phase_ended(
      Joules{p.attributed_energy_j}, Seconds{p.end_offset_s - p.start_offset_s},
      attribution_.attributed_total(), seconds_between(start_.at, at));
  if (prediction) predictions_.push_back(*prediction);
  phase_.reset();
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
  record.overhead_cpu_s = support::own_cpu_time().seconds;
  record.ended_at = record::iso8601_utc(std::chrono::system_clock::now());
}

Seconds RunSession::command_cpu() {
  if (cgroup_) {
    if (auto usage = cgroup_->cpu_usage()) return *usage;
  }
  tree_.scan();
  return tree_.cpu_time();
}

}  // namespace joule::run
