#pragma once
// Helpers for the carbon tests: a context resolved from explicit options only
// (no environment, no joule.toml, no time zone), and temporary files.
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "carbon/context_hooks.hpp"
#include "joule/carbon.hpp"

namespace joule::carbon::testing {

inline ContextOptions isolated() {
  ContextOptions o;
  o.read_config_files = false;
  o.guess_from_time_zone = false;
  return o;
}

// The real system's roots, but an empty environment in place of the process's.
inline detail::ContextHooks no_environment() {
  detail::ContextHooks hooks;
  hooks.environment = std::map<std::string, std::string>{};
  return hooks;
}

// resolve_context as the tests call it: nothing read from the process
// environment unless `hooks` says otherwise.
inline ResolvedContext resolve_isolated(const ContextOptions& options,
                                        const detail::ContextHooks& hooks = no_environment()) {
  return detail::resolve_context(options, hooks);
}

// A fresh directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("joule-carbon-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p;
  }

 private:
  static int& counter() {
    static int c = 0;
    return c;
  }
  std::filesystem::path path_;
};

}  // namespace joule::carbon::testing
