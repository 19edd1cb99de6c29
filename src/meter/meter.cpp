// Replaced by the real meter shortly.
namespace joule {}
