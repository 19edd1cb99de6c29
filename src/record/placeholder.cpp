// Placeholder so the record layer links before its first file lands.
namespace joule::record {}
