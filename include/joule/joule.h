/* joule C API: measure the energy (and carbon) of a piece of a program.
 *
 *   joule_session* session = NULL;
 *   if (joule_session_open(&session) != JOULE_OK) { puts(joule_last_error()); ... }
 *   joule_scope* scope = NULL;
 *   joule_scope_begin(session, "inference", "inference", &scope);
 *   ... work ...
 *   joule_scope_add_units(scope, 32);
 *   joule_result result;
 *   joule_scope_end(scope, &result);   // result.energy_j, result.co2e_g_central
 *   joule_scope_free(scope);
 *   joule_session_free(session);       // shuts down if still running
 *
 * Every function returns a joule_status; on failure joule_last_error() holds a
 * sentence saying why (per thread, until the next failing call). Misuse is an
 * error code, never undefined behaviour: ending a scope twice, adding units to
 * an ended scope, using a session after joule_session_shutdown(). A handle is
 * valid from its creation until its *_free() call (like malloc/free).
 * Thread-safe: sessions and scopes may be used from several threads. */
#ifndef JOULE_JOULE_H
#define JOULE_JOULE_H

#include "joule/export.h"
#include "joule/version.h" /* JOULE_VERSION_MAJOR, _MINOR, _PATCH, _STRING */

#ifdef __cplusplus
extern "C" {
#endif

typedef enum joule_status {
  JOULE_OK = 0,
  JOULE_E_INVALID_ARGUMENT = 1, /* a NULL handle or out pointer, a bad number */
  JOULE_E_USAGE = 2,            /* the object's state forbids it (scope ended twice, ...) */
  JOULE_E_SHUT_DOWN = 3,        /* the session has been shut down */
  JOULE_E_CARBON = 4,           /* bad carbon options or functional unit */
  JOULE_E_RUNTIME = 5,          /* the system failed (sensor, control socket, memory) */
} joule_status;

typedef enum joule_provenance {
  JOULE_MEASURED = 0,       /* read from hardware or driver counters */
  JOULE_MODELLED = 1,       /* estimated from utilization and reference tables */
  JOULE_REPORTED_TO_RUN = 2 /* measured by `joule run`: see its record */
} joule_provenance;

typedef struct joule_session joule_session;
typedef struct joule_scope joule_scope;

/* What a scope measured. Under `joule run`, provenance is
 * JOULE_REPORTED_TO_RUN and the energy and carbon fields are 0. Carbon fields
 * are 0 with has_carbon = 0 when they could not be computed
 * (joule_last_error() is not set for that: see carbon_note). */
typedef struct joule_result {
  double duration_s;
  double energy_j; /* sum over disjoint domains */
  double mean_power_w;
  double relative_uncertainty; /* of energy_j, e.g. 0.3 for +-30 % */
  joule_provenance provenance;
  double units; /* counted units of the scope's unit */
  int has_carbon;
  double co2e_g_low, co2e_g_central, co2e_g_high; /* operational, g CO2e */
  double sci_g_per_unit_central;                  /* co2e / units (run: 1) */
  char carbon_note[160];                          /* why has_carbon is 0; "" otherwise */
} joule_result;

/* Opens a session configured from the environment (JOULE_TRACE,
 * JOULE_SENSORS, JOULE_COUNTRY, ...). Under `joule run` (JOULE_CONTROL set)
 * scopes are reported to the run as phases instead of being measured here. */
JOULE_API joule_status joule_session_open(joule_session** out);
/* Opens a session that reports scopes (as phases) and units to `joule serve`
 * under `application` (NULL or "": this program's name), over $JOULE_SERVE or
 * the exporter's default socket. Nothing is measured here; reports the
 * exporter does not take are dropped and counted, never an error. */
JOULE_API joule_status joule_session_open_serve(const char* application, joule_session** out);
/* Reports joule serve did not take (serve sessions; 0 otherwise), -1 on error. */
JOULE_API long long joule_session_undelivered_reports(const joule_session* session);
/* 1 when scopes are reported to `joule run` or `joule serve`, 0 when
 * measured here, -1 on error. */
JOULE_API int joule_session_reports_to_run(const joule_session* session);
/* Stops the sampler and releases the sensors; the handle stays valid and
 * every later use returns JOULE_E_SHUT_DOWN. A second call is JOULE_OK. */
JOULE_API joule_status joule_session_shutdown(joule_session* session);
/* Shuts down (if needed) and frees. NULL is allowed. */
JOULE_API void joule_session_free(joule_session* session);

/* unit: the functional unit the scope counts ("inference", "sample", ...);
 * NULL or "" = "run" (under joule run: the run's --unit). */
JOULE_API joule_status joule_scope_begin(joule_session* session, const char* name, const char* unit,
                                         joule_scope** out);
JOULE_API joule_status joule_scope_add_units(joule_scope* scope, double count);
/* Ends the scope; `out` may be NULL. A second call returns JOULE_E_USAGE. */
JOULE_API joule_status joule_scope_end(joule_scope* scope, joule_result* out);
/* Frees the scope, ending it first (results dropped) if still open. */
JOULE_API void joule_scope_free(joule_scope* scope);

/* The calling thread's last error message; "" when none. */
JOULE_API const char* joule_last_error(void);
JOULE_API const char* joule_status_string(joule_status status);
/* The library's version ("MAJOR.MINOR.PATCH"), which may differ from the
 * header's JOULE_VERSION_STRING. */
JOULE_API const char* joule_version_string(void);

#ifdef __cplusplus
}
#endif

#endif /* JOULE_JOULE_H */
