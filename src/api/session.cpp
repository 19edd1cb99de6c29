#include <fmt/format.h>

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <optional>
#include <stdexcept>

#include "api/local_ranks.hpp"
#include "api/session_core.hpp"
#include "record/job.hpp"
#include "run/control_channel.hpp"
#include "run/hardware.hpp"
#include "support/files.hpp"
#include "support/strings.hpp"

namespace joule {

std::string_view to_string(SessionMode mode) {
  switch (mode) {
    case SessionMode::automatic:
      return "automatic";
    case SessionMode::local:
      return "local";
    case SessionMode::control:
      return "control";
    case SessionMode::serve:
      return "serve";
  }
  return "?";
}

namespace {

// /proc/self/comm: the name an application is known by when it gives none.
std::string program_name() {
  auto comm = support::read_small_file("/proc/self/comm", 64);
  std::string name = comm ? std::string(support::trim(*comm)) : std::string();
  return name.empty() ? std::string("unnamed") : name;
}

}  // namespace

namespace detail {

std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

void SessionCore::require_running(std::string_view what) const {
  if (shut_down) {
    throw SessionShutDown(fmt::format("joule: {}: the session has been shut down", what));
  }
}

void SessionCore::send(const std::string& lines) const {
  if (mode != SessionMode::serve) {
    run::send_control(control_socket, rank_prefix + lines);
    return;
  }
  try {
    run::send_control(control_socket, fmt::format("app {}\n{}", application, lines));
  } catch (const std::runtime_error&) {
    undelivered.fetch_add(1, std::memory_order_relaxed);
  }
}

void SessionCore::phase_opened(std::uint64_t id, const std::string& name) {
  std::lock_guard lock(phase_mutex);
  open_phases.push_back({id, one_line(name)});
  send(fmt::format("phase {}\n", open_phases.back().name));
}

void SessionCore::phase_closed(std::uint64_t id) {
  std::lock_guard lock(phase_mutex);
  auto it = std::find_if(open_phases.begin(), open_phases.end(),
                         [id](const OpenPhase& p) { return p.id == id; });
  if (it == open_phases.end()) return;
  const bool innermost = std::next(it) == open_phases.end();
  open_phases.erase(it);
  // Only the innermost scope is the run's current phase; closing it resumes
  // the enclosing one (as a new phase of the same name), or ends the phase.
  if (!innermost) return;
  send(open_phases.empty() ? std::string("end-phase\n")
                           : fmt::format("phase {}\n", open_phases.back().name));
}

void SessionCore::send_units(double count, const std::string& unit) const {
  send(unit.empty() ? fmt::format("units {}\n", count)
                    : fmt::format("units {} {}\n", count, one_line(unit)));
}

void SessionCore::shutdown() {
  std::unique_lock lock(lifecycle);
  if (shut_down) return;
  shut_down = true;
  meter.reset();  // joins the sampler
  machine_lock.reset();
  if (reports()) {
    std::lock_guard phases(phase_mutex);
    try {
      if (!open_phases.empty()) send("end-phase\n");
      if (!rank_prefix.empty()) send("bye\n");
    } catch (const std::exception&) {
      // The run has ended already: nothing left to tell it.
    }
    open_phases.clear();
  }
}

// A rank of a distributed job (torchrun's RANK, WORLD_SIZE) says hello, so
// the run records it among the job's ranks and can tell when it dies.
// RANK and WORLD_SIZE as torchrun sets them; nullopt when unset or empty,
// a UsageError when not a whole number of at least `least`.
std::optional<int> whole_number_from_environment(const char* name, int least) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  const std::string_view text(value);
  int number = -1;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size() || number < least) {
    throw UsageError(fmt::format("joule: {}='{}' is not {}", name, text,
                                 least == 0 ? "a non-negative integer" : "a positive integer"));
  }
  return number;
}

void announce_rank(SessionCore& core) {
  const auto rank = whole_number_from_environment("RANK", 0);
  if (!rank) return;
  run::ControlMessage hello{.kind = run::ControlMessage::Kind::hello};
  hello.rank = *rank;
  hello.pid = static_cast<int>(::getpid());
  hello.job = record::job_id_from_environment();
  // The job's size when the launcher gives it; 0 (unknown) otherwise.
  if (auto world = whole_number_from_environment("WORLD_SIZE", 1)) hello.world = *world;
  core.rank_prefix = fmt::format("rank={} ", *hello.rank);
  run::send_control(core.control_socket, run::format_control_message(hello));
}

// Local mode. A rank of a distributed job counts only its share of the node
// (api/local_ranks.hpp), so that the ranks' figures add up to it once.
std::unique_ptr<Meter> local_meter(SessionCore& core, const SensorConfig& sensors,
                                   const MeterOptions& options) {
  auto rank = rank_environment();
  if (!rank) return Meter::discover(sensors, options);
  MachineClaim claim = claim_machine_domains(*rank);
  ProbeResult found = assign_to_rank(discover_sensors(sensors), *rank, claim);
  core.machine_lock = std::move(claim.lock);
  return Meter::from_probe(std::move(found), options);
}

}  // namespace detail

Session::Session(SessionOptions options) : core_(std::make_shared<detail::SessionCore>()) {
  auto& core = *core_;
  core.on_scope_end = std::move(options.on_scope_end);
  std::optional<std::filesystem::path> socket;
  if (!options.control_socket.empty()) {
    socket = options.control_socket;
  } else if (options.mode == SessionMode::serve) {
    socket = run::serve_socket_path();
  } else {
    socket = run::control_socket_from_environment();
  }
  core.mode = options.mode;
  if (core.mode == SessionMode::serve) {
    core.control_socket = *socket;
    core.application =
        detail::one_line(options.application.empty() ? program_name() : options.application);
    return;  // the exporter measures the machine and does the carbon arithmetic
  }
  if (core.mode == SessionMode::automatic) {
    core.mode = socket ? SessionMode::control : SessionMode::local;
  }
  if (core.mode == SessionMode::control) {
    if (!socket) {
      throw std::runtime_error(fmt::format(
          "joule: control mode needs a socket: run under `joule run` (which sets {}) or give one",
          run::kControlEnvironmentVariable));
    }
    core.control_socket = *socket;
    detail::announce_rank(core);
    return;  // the run measures and does the carbon arithmetic
  }
  if (options.carbon) {
    carbon::check_hardware(options.hardware, options.carbon->data_files);
    core.carbon =
        std::make_shared<const carbon::ResolvedContext>(carbon::resolve_context(*options.carbon));
    auto hardware = std::make_shared<SessionHardware>();
    hardware->stated = options.hardware;
    auto detected = run::detect_hardware(
        {options.sensors.proc_root, options.sensors.sysfs_root, options.sensors.nvml_library});
    if (!detected.read_from.empty()) hardware->detected = std::move(detected);
    core.hardware = std::move(hardware);
  }
  core.meter = detail::local_meter(core, options.sensors, options.meter);
}

Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&& other) noexcept {
  if (this != &other) {
    if (core_) core_->shutdown();
    core_ = std::move(other.core_);
  }
  return *this;
}

Session::~Session() {
  if (core_) core_->shutdown();
}

namespace {
detail::SessionCore& require(const std::shared_ptr<detail::SessionCore>& core) {
  if (!core) throw UsageError("joule: this Session was moved from");
  return *core;
}
}  // namespace

SessionMode Session::mode() const {
  return require(core_).mode;
}

std::uint64_t Session::undelivered_reports() const {
  return require(core_).undelivered.load(std::memory_order_relaxed);
}

std::vector<DomainInfo> Session::domains() const {
  auto& core = require(core_);
  std::shared_lock lock(core.lifecycle);
  return core.meter ? core.meter->domains() : std::vector<DomainInfo>{};
}

std::vector<BackendReport> Session::backend_reports() const {
  auto& core = require(core_);
  std::shared_lock lock(core.lifecycle);
  return core.meter ? core.meter->backend_reports() : std::vector<BackendReport>{};
}

std::shared_ptr<const carbon::ResolvedContext> Session::carbon_context() const {
  return require(core_).carbon;
}

void Session::shutdown() {
  require(core_).shutdown();
}

bool Session::is_shut_down() const {
  auto& core = require(core_);
  std::shared_lock lock(core.lifecycle);
  return core.shut_down;
}

std::unique_ptr<detail::ScopeState> detail::new_scope_state(
    const std::shared_ptr<SessionCore>& core, std::string name, std::string unit) {
  auto state = std::make_unique<detail::ScopeState>();
  state->core = core;
  state->id = core->next_scope_id.fetch_add(1, std::memory_order_relaxed);
  state->requested_unit = unit;
  state->result.name = std::move(name);
  state->result.unit = unit.empty() ? "run" : std::move(unit);
  return state;
}

Scope Session::scope(std::string name, std::string unit) {
  auto& core = require(core_);
  auto state = detail::new_scope_state(core_, std::move(name), std::move(unit));
  {
    std::shared_lock lock(core.lifecycle);
    core.require_running(fmt::format("cannot open scope '{}'", state->result.name));
    if (core.reports()) {
      core.phase_opened(state->id, state->result.name);
    } else {
      state->start = core.meter->snapshot();
    }
  }
  state->started = core.reports() ? MonotonicClock::now() : state->start.at;
  return Scope(std::move(state));
}

Session& default_session() {
  static Session session;
  return session;
}

}  // namespace joule
