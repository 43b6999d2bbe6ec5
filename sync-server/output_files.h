// Where the server's commands may write a file a person asked for (exports and their
// codebooks, reports, bundles for devices): never inside the server's data directory,
// and never over an existing file unless the person said so (--force).
//
// The data directory holds the central store and the sealed org keys: an export named
// DATA/central.db once replaced the store itself, and a file left there sits beside the
// keys in every backup. An existing file is most often an earlier export of someone else,
// or a link planted to make the server write through it: refusing by default costs a
// tired user one more word and saves their colleague's file.
#pragma once

#include <filesystem>
#include <initializer_list>

#include "common/files.h"
#include "common/status.h"

namespace amana::server {

// invalid_argument for a target inside `data_dir` (after resolving links and ".."),
// already_exists (saying --force) for an existing target when `force` is false. Checks
// every target before the caller writes any.
Status check_output_paths(const std::filesystem::path& data_dir, std::initializer_list<std::filesystem::path> targets,
                          bool force);

// What to pass to the writers of common/files.h after the check.
inline ExistingFile existing_policy(bool force) { return force ? ExistingFile::replace : ExistingFile::refuse; }

}  // namespace amana::server
