#pragma once
// The run record as JSON: one canonical, documented shape (docs/record.md).
// Writers always emit every field; readers accept any record of a known major
// version, fill absent fields with defaults (an older minor) and ignore unknown
// ones (a newer minor), and refuse an unknown major with a message that names
// the file and both versions.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "record/run_record.hpp"

namespace joule::carbon {

// A range as JSON, wherever one is written: {"low": 1, "central": 2, "high": 3}.
// nlohmann finds these by argument-dependent lookup (json j = estimate;
// j.get<Estimate>()). Reading keeps a bound that is absent or null at its
// current value; a bound that is not a number throws nlohmann::json::type_error.
void to_json(nlohmann::json& j, const Estimate& e);
void from_json(const nlohmann::json& j, Estimate& e);

}  // namespace joule::carbon

namespace joule::record {

// A record that cannot be read: unknown major version, malformed JSON, a field
// of the wrong type. what() names the origin (file path or "ledger row ...").
class RecordError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

nlohmann::json to_json(const RunRecord& record);
// `origin` names where the JSON came from, for error messages.
RunRecord from_json(const nlohmann::json& json, std::string_view origin);

// Pretty-printed, newline-terminated.
std::string to_json_text(const RunRecord& record);
RunRecord parse_json_text(std::string_view text, std::string_view origin);

// Writes atomically (temporary file + rename) so a reader never sees half a
// record. Throws std::runtime_error naming the path on failure.
void write_json_file(const std::filesystem::path& path, const RunRecord& record);
RunRecord read_json_file(const std::filesystem::path& path);

// Parses "1.0"; nullopt when malformed.
std::optional<SchemaVersion> parse_schema_version(std::string_view text);
std::string to_string(SchemaVersion version);

// Component and provenance names as the JSON writes them ("cpu-package",
// "measured"); unknown names read as Component::other / Provenance::modelled
// (the conservative reading for a figure we cannot vouch for).
Component parse_component(std::string_view text);
Provenance parse_provenance(std::string_view text);

}  // namespace joule::record
