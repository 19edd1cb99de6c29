// Placeholder so the report layer links before its first file lands.
namespace joule::report {}
