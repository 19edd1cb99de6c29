/* The C API used from C: a scope, its result, and each misuse as a status. */
#include <stdio.h>
#include <string.h>

#include "joule/joule.h"

static int failures = 0;

#define CHECK(cond)                                                                           \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, #cond, \
              joule_last_error());                                                            \
      ++failures;                                                                             \
    }                                                                                         \
  } while (0)

int main(void) {
  joule_session* session = NULL;
  joule_scope* scope = NULL;
  joule_result result;

  CHECK(joule_session_open(&session) == JOULE_OK);
  if (!session) return 1;
  CHECK(joule_session_reports_to_run(session) == 0);

  CHECK(joule_scope_begin(session, "inference", "inference", &scope) == JOULE_OK);
  CHECK(joule_scope_add_units(scope, 4) == JOULE_OK);
  CHECK(joule_scope_end(scope, &result) == JOULE_OK);
  printf("energy %.3f J over %.6f s, provenance %d, %.6g g CO2e [%.6g .. %.6g], %.6g g/inference\n",
         result.energy_j, result.duration_s, (int)result.provenance, result.co2e_g_central,
         result.co2e_g_low, result.co2e_g_high, result.sci_g_per_unit_central);
  CHECK(result.energy_j > 0);
  CHECK(result.provenance == JOULE_MEASURED);
  CHECK(result.units == 4);
  CHECK(result.has_carbon == 1);
  CHECK(result.co2e_g_low <= result.co2e_g_central && result.co2e_g_central <= result.co2e_g_high);

  /* Ending twice, units after the end: statuses with messages. */
  CHECK(joule_scope_end(scope, &result) == JOULE_E_USAGE);
  CHECK(strstr(joule_last_error(), "already ended") != NULL);
  CHECK(joule_scope_add_units(scope, 1) == JOULE_E_USAGE);
  joule_scope_free(scope);

  /* A session used after shutdown. */
  CHECK(joule_session_shutdown(session) == JOULE_OK);
  CHECK(joule_scope_begin(session, "late", NULL, &scope) == JOULE_E_SHUT_DOWN);
  CHECK(scope == NULL);
  printf("after shutdown: %s (%s)\n", joule_last_error(), joule_status_string(JOULE_E_SHUT_DOWN));
  joule_session_free(session);

  if (failures) fprintf(stderr, "%d check(s) failed\n", failures);
  return failures ? 1 : 0;
}
