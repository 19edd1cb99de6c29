#pragma once
// Who and where a run is: the host and the git commit of the working
// directory, for the run record. Read from files only (no `git` process): joule
// run must start the command within milliseconds, and it reaps every child
// it has, so it starts none of its own.
#include <filesystem>
#include <optional>

#include "record/run_record.hpp"

namespace joule::record {

HostInfo read_host_info();

// The repository holding `directory` (searching upward for .git): HEAD's
// commit and branch from .git/HEAD, refs and packed-refs. `dirty` is not
// known without reading the index and is left false. nullopt outside a
// repository.
std::optional<GitInfo> read_git_info(const std::filesystem::path& directory);

}  // namespace joule::record
