#include "joule/meter.hpp"

#include <fmt/format.h>
#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "joule/format.hpp"
#include "meter/accumulator.hpp"
#include "meter/timeline.hpp"

namespace joule {

namespace {

// The highest power we assume a domain may draw when checking the sampling
// interval against a counter's wrap period. Generous on purpose: a missed wrap
// loses a whole wrap range, while sampling a little more often costs little.
Watts assumed_max_power(Component component) {
  switch (component) {
    case Component::cpu_core:
    case Component::cpu_uncore:
    case Component::cpu_package:
      return {500};
    case Component::dram:
      return {200};
    default:
      return {1500};
  }
}

Seconds as_seconds(std::chrono::nanoseconds d) {
  return {std::chrono::duration<double>(d).count()};
}

Seconds thread_cpu_time() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return {static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9};
}

}  // namespace

std::chrono::nanoseconds safe_interval(const DomainInfo& domain, Watts max_power) {
  if (domain.kind != ReadingKind::energy_counter || !domain.wrap_range || max_power.watts <= 0) {
    return std::chrono::nanoseconds::max();
  }
  const double limit_ns = domain.wrap_range->joules / max_power.watts / 4 * 1e9;
  // A 64-bit counter (ROCm SMI's) wraps after millennia: beyond what
  // nanoseconds hold, and no limit at all.
  if (limit_ns >= static_cast<double>(std::chrono::nanoseconds::max().count())) {
    return std::chrono::nanoseconds::max();
  }
  return std::chrono::nanoseconds(static_cast<std::int64_t>(limit_ns));
}

struct Meter::State {
  struct SensorSlot {
    std::unique_ptr<Sensor> sensor;
    std::size_t first_domain = 0;  // index of its first domain in Meter::domains()
  };
  std::vector<SensorSlot> sensors;
  std::vector<Reading> readings;  // scratch, one per domain
  std::vector<meter::DomainAccumulator> accumulators;
  std::vector<bool> in_total;
  meter::Timeline timeline;
  std::vector<std::string> warnings;
  std::set<std::string, std::less<>> warned;  // dedupes repeated warnings
  mutable std::mutex mutex;

  std::thread sampler;
  std::condition_variable wake;
  bool stop_requested = false;
  // CPU time of sampler threads that have exited; a running one is read
  // through its thread CPU clock on demand, so sampling costs no extra syscall.
  double finished_sampler_cpu_seconds = 0;

  explicit State(std::size_t timeline_capacity) : timeline(timeline_capacity) {}

  void warn_once(std::string text) {
    if (warned.insert(text).second) warnings.push_back(std::move(text));
  }
};

Meter::Meter(std::vector<std::unique_ptr<Sensor>> sensors, MeterOptions options)
    : options_(options), state_(std::make_unique<State>(options.timeline_capacity)) {
  if (options_.interval <= std::chrono::nanoseconds::zero()) {
    throw std::invalid_argument("meter: the sampling interval must be positive");
  }
  std::set<std::string, std::less<>> ids;
  for (auto& sensor : sensors) {
    if (!sensor) continue;
    State::SensorSlot slot{std::move(sensor), domains_.size()};
    for (const auto& domain : slot.sensor->domains()) {
      if (!ids.insert(domain.id).second) {
        throw std::invalid_argument(
            fmt::format("meter: two sensors expose the same domain id '{}'", domain.id));
      }
      domains_.push_back(domain);
    }
    state_->sensors.push_back(std::move(slot));
  }
  state_->readings.resize(domains_.size());
  for (const auto& domain : domains_) state_->accumulators.emplace_back(domain);

  // Only domains that no other present domain contains count in totals.
  std::set<std::string, std::less<>> contained;
  for (const auto& domain : domains_)
    contained.insert(domain.contains.begin(), domain.contains.end());
  for (const auto& domain : domains_) state_->in_total.push_back(!contained.contains(domain.id));

  const bool only_counters =
      !domains_.empty() && std::all_of(domains_.begin(), domains_.end(), [](const DomainInfo& d) {
        return d.kind == ReadingKind::energy_counter;
      });
  if (options_.counter_interval > std::chrono::nanoseconds::zero() && only_counters) {
    options_.interval = options_.counter_interval;
  }
  // The interval must be well under every counter's wrap period.
  for (const auto& domain : domains_) {
    auto limit = safe_interval(domain, assumed_max_power(domain.component));
    if (options_.interval > limit) {
      state_->warn_once(fmt::format(
          "sampling interval shortened from {} to {}: {} wraps after {}, which at {} takes {}",
          as_seconds(options_.interval), as_seconds(limit), domain.id, *domain.wrap_range,
          assumed_max_power(domain.component), as_seconds(limit * 4)));
      options_.interval = std::max(limit, std::chrono::nanoseconds(std::chrono::microseconds(100)));
    }
  }
  if (domains_.empty()) {
    state_->warn_once("no energy sensor was found: every figure would be zero");
  }

  snapshot();  // establishes each domain's origin
  if (options_.start_sampler) start_sampler();
}

std::unique_ptr<Meter> Meter::discover(const SensorConfig& config, MeterOptions options) {
  return from_probe(discover_sensors(config), options);
}

std::unique_ptr<Meter> Meter::from_probe(ProbeResult found, MeterOptions options) {
  auto meter = std::make_unique<Meter>(std::move(found.sensors), options);
  meter->set_reports(std::move(found.reports));
  return meter;
}

Meter::~Meter() {
  stop_sampler();
}

Snapshot Meter::snapshot() {
  Snapshot snap;
  std::lock_guard lock(state_->mutex);
  read_locked(snap);
  return snap;
}

void Meter::read_locked(Snapshot& snap) {
  auto& s = *state_;
  for (auto& slot : s.sensors) {
    auto count = slot.sensor->domains().size();
    std::span<Reading> out(s.readings.data() + slot.first_domain, count);
    for (auto& r : out) r = Reading{};
    slot.sensor->read(out);
  }
  snap.at = MonotonicClock::now();
  snap.energy.resize(domains_.size());
  for (std::size_t i = 0; i < domains_.size(); ++i) {
    if (auto warning = s.accumulators[i].update(s.readings[i], snap.at)) {
      s.warn_once(std::move(*warning));
    }
    snap.energy[i] = s.accumulators[i].total();
  }
  s.timeline.add(snap);
}

namespace {

// A powered machine moves every real energy counter within seconds, so a
// measured counter in the total that stands still names a sensor that counts
// nothing here: psys disabled by the firmware or read on a package other than
// the platform's, or a counter a hypervisor exposes but never fills. The
// figure it gives is not the machine's energy, and the record must say so.
void warn_of_idle_counters(const std::vector<DomainInfo>& domains, Measurement& m) {
  constexpr Seconds long_enough{2.0};
  if (m.duration.seconds < long_enough.seconds) return;
  for (std::size_t i = 0; i < domains.size(); ++i) {
    const DomainInfo& domain = domains[i];
    const DomainEnergy& energy = m.domains[i];
    if (!energy.in_total || domain.provenance != Provenance::measured ||
        domain.kind != ReadingKind::energy_counter || energy.energy.joules > 0) {
      continue;
    }
    m.warnings.push_back(fmt::format(
        "{} read 0 J over {}: this counter is not counting (disabled by the firmware, read "
        "where it does not apply, or exposed by a hypervisor that never fills it), so the total "
        "is not this machine's energy; JOULE_SENSORS=estimator models it instead",
        domain.id, m.duration));
  }
}

// What a reading's resolution adds to an interval's energy, as a bound: a
// counter's two ends are each truncated to its step, and an integrated power
// is off by at most a step over the whole interval. Negligible for microjoule
// counters; a whole second's worth for psys on Sapphire Rapids (1 J steps).
double quantisation_j(const DomainInfo& domain, Seconds duration) {
  if (domain.resolution <= 0) return 0;
  return domain.kind == ReadingKind::energy_counter ? domain.resolution
                                                    : domain.resolution * duration.seconds;
}

}  // namespace

Measurement Meter::measure(const Snapshot& from, const Snapshot& to) const {
  if (from.energy.size() != domains_.size() || to.energy.size() != domains_.size()) {
    throw std::invalid_argument("meter: the snapshots were not taken by this meter");
  }
  if (to.at < from.at) {
    throw std::invalid_argument("meter: the end snapshot was taken before the start snapshot");
  }
  Measurement m;
  m.start = from.at;
  m.end = to.at;
  m.duration = seconds_between(from.at, to.at);
  double absolute_uncertainty_j = 0;
  for (std::size_t i = 0; i < domains_.size(); ++i) {
    const auto& domain = domains_[i];
    DomainEnergy d;
    d.id = domain.id;
    d.component = domain.component;
    d.provenance = domain.provenance;
    // Cumulative series never decrease, so this only guards misuse.
    d.energy = Joules{std::max(0.0, (to.energy[i] - from.energy[i]).joules)};
    d.mean_power = d.energy / m.duration;
    const double domain_uncertainty_j =
        d.energy.joules * domain.relative_uncertainty + quantisation_j(domain, m.duration);
    d.relative_uncertainty =
        d.energy.joules > 0 ? domain_uncertainty_j / d.energy.joules : domain.relative_uncertainty;
    d.in_total = state_->in_total[i];
    if (d.in_total) {
      m.total += d.energy;
      absolute_uncertainty_j += domain_uncertainty_j;
      if (domain.provenance == Provenance::modelled) m.total_provenance = Provenance::modelled;
    }
    m.domains.push_back(std::move(d));
  }
  m.mean_power = m.total / m.duration;
  m.total_relative_uncertainty = m.total.joules > 0 ? absolute_uncertainty_j / m.total.joules : 0;
  m.warnings = warnings();
  warn_of_idle_counters(domains_, m);
  return m;
}

void Meter::start_sampler() {
  std::lock_guard lock(state_->mutex);
  if (state_->sampler.joinable()) return;
  state_->stop_requested = false;
  state_->sampler = std::thread([this] { sampler_loop(); });
}

void Meter::stop_sampler() {
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->sampler.joinable()) return;
    state_->stop_requested = true;
  }
  state_->wake.notify_all();
  state_->sampler.join();
}

bool Meter::sampling() const {
  std::lock_guard lock(state_->mutex);
  return state_->sampler.joinable() && !state_->stop_requested;
}

void Meter::sampler_loop() {
  pthread_setname_np(pthread_self(), "joule-sampler");
  // Reused for every sample so that sampling allocates nothing.
  Snapshot scratch;
  auto next = MonotonicClock::now() + options_.interval;
  while (true) {
    {
      std::unique_lock lock(state_->mutex);
      if (state_->wake.wait_until(lock, next, [this] { return state_->stop_requested; })) break;
      read_locked(scratch);
    }
    next += options_.interval;
    auto now = MonotonicClock::now();
    if (next < now) next = now + options_.interval;  // fell behind: don't burst to catch up
  }
  // The thread's CPU clock dies with it: bank what it used for later reports.
  const Seconds used = thread_cpu_time();
  std::lock_guard lock(state_->mutex);
  state_->finished_sampler_cpu_seconds += used.seconds;
}

std::vector<TimelineSample> Meter::timeline() const {
  std::lock_guard lock(state_->mutex);
  return state_->timeline.samples();
}

std::vector<ReadStatus> Meter::read_status() const {
  std::lock_guard lock(state_->mutex);
  std::vector<ReadStatus> status(domains_.size(), ReadStatus::unavailable);
  for (std::size_t i = 0; i < domains_.size(); ++i) {
    status[i] = state_->accumulators[i].gone() ? ReadStatus::gone : state_->readings[i].status;
  }
  return status;
}

std::vector<std::string> Meter::warnings() const {
  std::lock_guard lock(state_->mutex);
  return state_->warnings;
}

Seconds Meter::sampler_cpu_time() const {
  std::lock_guard lock(state_->mutex);
  double seconds = state_->finished_sampler_cpu_seconds;
  if (state_->sampler.joinable() && !state_->stop_requested) {
    clockid_t clock{};
    timespec ts{};
    if (pthread_getcpuclockid(state_->sampler.native_handle(), &clock) == 0 &&
        clock_gettime(clock, &ts) == 0) {
      seconds += static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
    }
  }
  return {seconds};
}

}  // namespace joule
