#pragma once
// Measuring a piece of a program from inside it: a Session owns the meter, a
// Scope measures from its opening to its end, track() wraps a callable in a
// scope. Under `joule run` (JOULE_CONTROL is set) the session measures nothing
// itself: scopes become phases and units go to the run through the control
// channel, so the energy is measured once, by the run, with attribution.
//
//   joule::Session session;                       // discovers the sensors
//   {
//     auto scope = session.scope("epoch 1", "sample");
//     train_one_epoch();
//     scope.add_units(60000);
//     const auto& r = scope.end();                // r.energy(), r.footprint()
//   }
//   int answer = session.track("infer", [&] { return model(x); });
//
// Misuse (ending twice, units on an ended scope, a session used after
// shutdown) throws joule::UsageError; nothing is undefined.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "joule/carbon.hpp"
#include "joule/discovery.hpp"
#include "joule/export.h"
#include "joule/meter.hpp"
#include "joule/units.hpp"

namespace joule {

// A call the object's state does not allow; what() says which object and why.
class JOULE_API UsageError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};
// The session was shut down (explicitly, or by its destructor).
class JOULE_API SessionShutDown : public UsageError {
 public:
  using UsageError::UsageError;
};

enum class SessionMode {
  automatic,  // control when JOULE_CONTROL is set, else local
  local,      // own meter: every scope is measured here
  control,    // report phases and units to `joule run`; measure nothing here
  serve,      // report phases and units to `joule serve`, as `application`;
              // measure nothing here (the exporter measures the machine)
};
JOULE_API std::string_view to_string(SessionMode mode);

struct ScopeResult;

// What a session's scopes allocate M from: the stated hardware over the
// detected.
struct SessionHardware {
  carbon::HardwareOptions stated;
  std::optional<carbon::DetectedHardware> detected;
};

struct SessionOptions {
  SessionMode mode = SessionMode::automatic;
  // Local mode only. Defaults come from the environment (JOULE_TRACE, ...).
  SensorConfig sensors = SensorConfig::from_environment();
  MeterOptions meter;
  // Where the energy is used, for footprint(); nullopt: no carbon figures.
  std::optional<carbon::ContextOptions> carbon = carbon::ContextOptions{};
  // The hardware footprint() allocates the embodied emissions M from, as
  // `joule run --embodied/--gpu/--gpus` takes it; what is not stated here (or
  // in joule.toml [hardware]) is detected from /proc, DMI and NVML
  // (`sensors`' roots). embodied = "none" leaves M out.
  carbon::HardwareOptions hardware;
  // Control mode: the socket; empty = $JOULE_CONTROL. Serve mode: empty =
  // $JOULE_SERVE, else where `joule serve` listens by default.
  std::filesystem::path control_socket;
  // Serve mode: the application its units are counted under; empty = this
  // program's name.
  std::string application;
  // Called (on the ending thread) with every scope that ends, e.g. to log it.
  // Exceptions it throws propagate out of Scope::end().
  std::function<void(const ScopeResult&)> on_scope_end;
};

// What one scope measured. Under `joule run` or `joule serve`
// (`reported_to_run`), the energy is the run's or the exporter's and
// `measurement` holds no domains.
struct JOULE_API ScopeResult {
  std::string name;
  std::string unit;                     // the scope's functional unit (R)
  std::map<std::string, double> units;  // counted, by unit name
  Seconds duration;
  bool reported_to_run = false;
  Measurement measurement;
  std::shared_ptr<const carbon::ResolvedContext> carbon_context;
  std::shared_ptr<const SessionHardware> hardware;  // null: no embodied emissions

  Joules energy() const { return measurement.total; }
  Provenance provenance() const { return measurement.total_provenance; }
  // Units of the scope's own unit counted so far.
  double unit_count() const;
  // O, M (the session's hardware over the scope's duration) and SCI per
  // `unit`. A scope that counted no units
  // of its unit counts as one when the unit is "run". Throws UsageError when
  // there is nothing to compute (under joule run, or carbon disabled) and
  // carbon::CarbonError for an unknown unit or zero units.
  carbon::Footprint footprint() const;
};

namespace detail {
struct SessionCore;
struct ScopeState;
}  // namespace detail

class JOULE_API Scope {
 public:
  Scope(Scope&& other) noexcept;
  Scope& operator=(Scope&& other) noexcept;
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
  // Ends the scope if it is still open; never throws (errors are dropped:
  // call end() to see them).
  ~Scope();

  const std::string& name() const;
  bool open() const;
  // Counts `count` (finite, >= 0) functional units of the scope's unit, or of
  // `unit`. Thread-safe.
  void add_units(double count);
  void add_units(double count, std::string_view unit);
  // Takes the closing snapshot. Throws UsageError if already ended or moved
  // from, or if the session was shut down while the scope was open.
  const ScopeResult& end();
  // Ends this scope and opens the next one (`name`, `unit`) at the same
  // instant, from the same snapshot: back-to-back scopes (one per request, per
  // batch, per epoch) with no energy falling between them, and one sensor read
  // instead of two. This scope's result() is then available as after end().
  // Throws as end() does.
  Scope next(std::string name, std::string unit = {});
  // The result of end(); throws UsageError while the scope is open.
  const ScopeResult& result() const;

 private:
  friend class Session;
  explicit Scope(std::unique_ptr<detail::ScopeState> state);
  std::unique_ptr<detail::ScopeState> state_;
};

class JOULE_API Session {
 public:
  // Discovers the sensors (local) or finds the control socket (control).
  // Throws std::runtime_error when control mode is asked for without a socket,
  // carbon::CarbonError for bad carbon options.
  explicit Session(SessionOptions options = {});
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  ~Session();  // shuts down

  // `unit` names the functional unit the scope counts ("sample", "request");
  // empty: "run" here, or the run's --unit under `joule run`.
  Scope scope(std::string name, std::string unit = {});

  // Runs f inside a scope named `name` and returns what f returns. f may take
  // the Scope& (to count units). If f throws, the scope ends and the
  // exception propagates.
  template <class F>
  decltype(auto) track(std::string name, F&& f, std::string unit = {}) {
    Scope s = scope(std::move(name), std::move(unit));
    if constexpr (std::is_invocable_v<F, Scope&>) {
      if constexpr (std::is_void_v<std::invoke_result_t<F, Scope&>>) {
        std::forward<F>(f)(s);
        s.end();
      } else {
        auto value = std::forward<F>(f)(s);
        s.end();
        return value;
      }
    } else {
      if constexpr (std::is_void_v<std::invoke_result_t<F>>) {
        std::forward<F>(f)();
        s.end();
      } else {
        auto value = std::forward<F>(f)();
        s.end();
        return value;
      }
    }
  }

  SessionMode mode() const;  // local, control or serve, never automatic
  // Control and serve modes: scopes and units are reported, not measured.
  bool reports_to_run() const {
    return mode() == SessionMode::control || mode() == SessionMode::serve;
  }
  // Serve mode: reports `joule serve` did not take (it was not running, or
  // restarting). They are dropped rather than thrown, so that an exporter's
  // restart cannot fail the requests an inference server is answering.
  std::uint64_t undelivered_reports() const;
  // Local mode: the meter's domains and backend reports (empty otherwise).
  std::vector<DomainInfo> domains() const;
  std::vector<BackendReport> backend_reports() const;
  std::shared_ptr<const carbon::ResolvedContext> carbon_context() const;
  // Stops the sampler and releases the sensors. Idempotent. Afterwards scope()
  // and the end() of scopes still open throw UsageError.
  void shutdown();
  bool is_shut_down() const;

 private:
  std::shared_ptr<detail::SessionCore> core_;
};

// A process-wide session with default options, created on first use.
JOULE_API Session& default_session();

template <class F>
decltype(auto) track(std::string name, F&& f, std::string unit = {}) {
  return default_session().track(std::move(name), std::forward<F>(f), std::move(unit));
}

}  // namespace joule
