// The C API: a thin shell around Session and Scope that turns every exception
// into a status code and a per-thread message.
#include <cstring>
#include <new>
#include <string>

#include <fmt/format.h>

#include "joule/joule.h"
#include "joule/scope.hpp"

struct joule_session {
  joule::Session session;
};

struct joule_scope {
  joule::Scope scope;
};

namespace {

thread_local std::string last_error;

joule_status fail(joule_status status, std::string message) {
  last_error = std::move(message);
  return status;
}

// Runs f, mapping exceptions to statuses.
template <class F>
joule_status guarded(F&& f) {
  try {
    return f();
  } catch (const joule::SessionShutDown& e) {
    return fail(JOULE_E_SHUT_DOWN, e.what());
  } catch (const joule::UsageError& e) {
    return fail(JOULE_E_USAGE, e.what());
  } catch (const joule::carbon::CarbonError& e) {
    return fail(JOULE_E_CARBON, e.what());
  } catch (const std::bad_alloc&) {
    return fail(JOULE_E_RUNTIME, "joule: out of memory");
  } catch (const std::exception& e) {
    return fail(JOULE_E_RUNTIME, e.what());
  } catch (...) {
    return fail(JOULE_E_RUNTIME, "joule: unknown error");
  }
}

void copy_note(joule_result& out, const std::string& note) {
  std::size_t n = std::min(note.size(), sizeof out.carbon_note - 1);
  std::memcpy(out.carbon_note, note.data(), n);
  out.carbon_note[n] = '\0';
}

void fill(joule_result& out, const joule::ScopeResult& r) {
  out = joule_result{};
  out.duration_s = r.duration.seconds;
  out.units = r.unit_count();
  if (r.reported_to_run) {
    out.provenance = JOULE_REPORTED_TO_RUN;
    copy_note(out, "measured by joule run: see its record");
    return;
  }
  out.energy_j = r.energy().joules;
  out.mean_power_w = r.measurement.mean_power.watts;
  out.relative_uncertainty = r.measurement.total_relative_uncertainty;
  out.provenance = r.provenance() == joule::Provenance::modelled ? JOULE_MODELLED : JOULE_MEASURED;
  try {
    auto fp = r.footprint();
    out.has_carbon = 1;
    out.co2e_g_low = fp.total_g.low;
    out.co2e_g_central = fp.total_g.central;
    out.co2e_g_high = fp.total_g.high;
    out.sci_g_per_unit_central = fp.sci_g_per_unit.central;
  } catch (const std::exception& e) {
    copy_note(out, e.what());
  }
}

}  // namespace

extern "C" {

joule_status joule_session_open(joule_session** out) {
  if (!out) return fail(JOULE_E_INVALID_ARGUMENT, "joule_session_open: out is NULL");
  *out = nullptr;
  return guarded([&] {
    *out = new joule_session{joule::Session{}};
    return JOULE_OK;
  });
}

joule_status joule_session_open_serve(const char* application, joule_session** out) {
  if (!out) return fail(JOULE_E_INVALID_ARGUMENT, "joule_session_open_serve: out is NULL");
  *out = nullptr;
  return guarded([&] {
    joule::SessionOptions options;
    options.mode = joule::SessionMode::serve;
    if (application) options.application = application;
    *out = new joule_session{joule::Session{std::move(options)}};
    return JOULE_OK;
  });
}

long long joule_session_undelivered_reports(const joule_session* session) {
  if (!session) {
    fail(JOULE_E_INVALID_ARGUMENT, "joule_session_undelivered_reports: session is NULL");
    return -1;
  }
  return static_cast<long long>(session->session.undelivered_reports());
}

int joule_session_reports_to_run(const joule_session* session) {
  if (!session) {
    fail(JOULE_E_INVALID_ARGUMENT, "joule_session_reports_to_run: session is NULL");
    return -1;
  }
  return session->session.reports_to_run() ? 1 : 0;
}

joule_status joule_session_shutdown(joule_session* session) {
  if (!session) return fail(JOULE_E_INVALID_ARGUMENT, "joule_session_shutdown: session is NULL");
  return guarded([&] {
    session->session.shutdown();
    return JOULE_OK;
  });
}

void joule_session_free(joule_session* session) {
  delete session;  // ~Session shuts down and never throws
}

joule_status joule_scope_begin(joule_session* session, const char* name, const char* unit,
                               joule_scope** out) {
  if (!out) return fail(JOULE_E_INVALID_ARGUMENT, "joule_scope_begin: out is NULL");
  *out = nullptr;
  if (!session) return fail(JOULE_E_INVALID_ARGUMENT, "joule_scope_begin: session is NULL");
  if (!name) return fail(JOULE_E_INVALID_ARGUMENT, "joule_scope_begin: name is NULL");
  return guarded([&] {
    *out = new joule_scope{session->session.scope(name, unit ? unit : "")};
    return JOULE_OK;
  });
}

joule_status joule_scope_add_units(joule_scope* scope, double count) {
  if (!scope) return fail(JOULE_E_INVALID_ARGUMENT, "joule_scope_add_units: scope is NULL");
  return guarded([&] {
    scope->scope.add_units(count);
    return JOULE_OK;
  });
}

joule_status joule_scope_end(joule_scope* scope, joule_result* out) {
  if (!scope) return fail(JOULE_E_INVALID_ARGUMENT, "joule_scope_end: scope is NULL");
  return guarded([&] {
    const auto& result = scope->scope.end();
    if (out) fill(*out, result);
    return JOULE_OK;
  });
}

void joule_scope_free(joule_scope* scope) {
  delete scope;  // ~Scope ends an open scope and never throws
}

const char* joule_last_error(void) {
  return last_error.c_str();
}

const char* joule_status_string(joule_status status) {
  switch (status) {
    case JOULE_OK:
      return "ok";
    case JOULE_E_INVALID_ARGUMENT:
      return "invalid argument";
    case JOULE_E_USAGE:
      return "usage error";
    case JOULE_E_SHUT_DOWN:
      return "session shut down";
    case JOULE_E_CARBON:
      return "carbon error";
    case JOULE_E_RUNTIME:
      return "runtime error";
  }
  return "unknown status";
}

}  // extern "C"
