// Placeholder so the carbon layer links before its first file lands.
namespace joule::carbon {}
