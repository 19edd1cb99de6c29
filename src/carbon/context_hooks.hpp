#pragma once
// What resolve_context reads from the system beyond its options: the process
// environment and two filesystem roots. The public overload reads the real
// system; tests pass their own, to resolve from a recorded tree.
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "joule/carbon.hpp"

namespace joule::carbon::detail {

struct ContextHooks {
  // nullopt: the process environment.
  std::optional<std::map<std::string, std::string>> environment;
  std::filesystem::path zoneinfo_root = "/usr/share/zoneinfo";  // zone.tab, tzdata.zi
  std::filesystem::path etc_root = "/etc";                      // timezone, localtime
};

ResolvedContext resolve_context(const ContextOptions& options, const ContextHooks& hooks);

}  // namespace joule::carbon::detail
