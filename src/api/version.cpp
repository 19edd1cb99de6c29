// The library version, for programs that load libjoule at run time.
#include "joule/joule.h"

extern "C" const char* joule_version_string(void) {
  return JOULE_VERSION_STRING;
}
