#include <fmt/format.h>

#include <cmath>

#include "api/session_core.hpp"

namespace joule {

double ScopeResult::unit_count() const {
  auto it = units.find(unit);
  return it == units.end() ? 0.0 : it->second;
}

carbon::Footprint ScopeResult::footprint() const {
  if (reported_to_run) {
    throw UsageError(fmt::format(
        "joule: scope '{}' was reported to `joule run`: its footprint is in the run's record",
        name));
  }
  if (!carbon_context) {
    throw UsageError(
        fmt::format("joule: scope '{}': the session was created without carbon options", name));
  }
  double count = unit_count();
  if (count == 0 && unit == "run") count = 1;
  carbon::EnergyInput input;
  input.energy = energy();
  input.relative_uncertainty = measurement.total_relative_uncertainty;
  input.source = fmt::format("{}: scope '{}'", to_string(provenance()), name);
  const carbon::FunctionalUnit r = carbon::parse_functional_unit(unit, count);
  if (!hardware) return carbon::footprint(*carbon_context, input, std::nullopt, r);
  const carbon::HardwarePlan plan =
      carbon::plan_hardware(*carbon_context, hardware->stated,
                            hardware->detected ? &*hardware->detected : nullptr, duration);
  return carbon::footprint(*carbon_context, input, plan, r);
}

Scope::Scope(std::unique_ptr<detail::ScopeState> state) : state_(std::move(state)) {}
Scope::Scope(Scope&& other) noexcept = default;

Scope& Scope::operator=(Scope&& other) noexcept {
  if (this != &other) {
    if (open()) {
      try {
        end();
      } catch (...) {
      }
    }
    state_ = std::move(other.state_);
  }
  return *this;
}

Scope::~Scope() {
  if (!open()) return;
  try {
    end();
  } catch (...) {
    // A destructor must not throw; end() reports these errors to callers
    // that want them.
  }
}

namespace {
detail::ScopeState& require(const std::unique_ptr<detail::ScopeState>& state) {
  if (!state) throw UsageError("joule: this Scope was moved from");
  return *state;
}
}  // namespace

const std::string& Scope::name() const {
  return require(state_).result.name;
}

bool Scope::open() const {
  if (!state_) return false;
  std::lock_guard lock(state_->mutex);
  return !state_->ended;
}

void Scope::add_units(double count) {
  add_units(count, require(state_).requested_unit);
}

void Scope::add_units(double count, std::string_view unit_in) {
  auto& s = require(state_);
  if (!std::isfinite(count) || count < 0) {
    throw UsageError(fmt::format("joule: scope '{}': units must be a finite number >= 0, got {}",
                                 s.result.name, count));
  }
  const std::string unit(unit_in);
  {
    std::lock_guard lock(s.mutex);
    if (s.ended) {
      throw UsageError(
          fmt::format("joule: cannot add units to scope '{}': it has ended", s.result.name));
    }
    s.result.units[unit.empty() ? s.result.unit : unit] += count;
  }
  auto& core = *s.core;
  std::shared_lock lock(core.lifecycle);
  core.require_running(fmt::format("cannot add units to scope '{}'", s.result.name));
  if (core.reports()) core.send_units(count, unit);
}

namespace {

// Marks the scope ended; throws if it already was.
void mark_ended(detail::ScopeState& s) {
  std::lock_guard lock(s.mutex);
  if (s.ended) {
    throw UsageError(fmt::format("joule: scope '{}' has already ended", s.result.name));
  }
  s.ended = true;
}

// Closes `s` at `boundary`, the snapshot that ends it (local mode).
void close_at(detail::ScopeState& s, const Snapshot& boundary) {
  s.result.measurement = s.core->meter->measure(s.start, boundary);
  s.result.duration = s.result.measurement.duration;
  s.result.carbon_context = s.core->carbon;
  s.result.hardware = s.core->hardware;
}

void close_reported(detail::ScopeState& s) {
  s.result.reported_to_run = true;
  s.result.duration = seconds_between(s.started, MonotonicClock::now());
  s.core->phase_closed(s.id);
}

}  // namespace

const ScopeResult& Scope::end() {
  auto& s = require(state_);
  mark_ended(s);
  auto& core = *s.core;
  {
    std::shared_lock lock(core.lifecycle);
    core.require_running(fmt::format("cannot end scope '{}'", s.result.name));
    if (core.reports()) {
      close_reported(s);
    } else {
      close_at(s, core.meter->snapshot());
    }
  }
  if (core.on_scope_end) core.on_scope_end(s.result);
  return s.result;
}

Scope Scope::next(std::string name, std::string unit) {
  auto& s = require(state_);
  mark_ended(s);
  auto& core = *s.core;
  auto following = detail::new_scope_state(s.core, std::move(name), std::move(unit));
  {
    std::shared_lock lock(core.lifecycle);
    core.require_running(fmt::format("cannot end scope '{}'", s.result.name));
    if (core.reports()) {
      close_reported(s);
      core.phase_opened(following->id, following->result.name);
      following->started = MonotonicClock::now();
    } else {
      following->start = core.meter->snapshot();
      following->started = following->start.at;
      close_at(s, following->start);
    }
  }
  if (core.on_scope_end) core.on_scope_end(s.result);
  return Scope(std::move(following));
}

const ScopeResult& Scope::result() const {
  auto& s = require(state_);
  std::lock_guard lock(s.mutex);
  if (!s.ended) {
    throw UsageError(fmt::format("joule: scope '{}' is still open: end() it first", s.result.name));
  }
  return s.result;
}

}  // namespace joule
