// Reading files a user hands us (answers, bundles, CSV), always with a size bound.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "common/status.h"

namespace amana {

// The whole file, or not_found / io / invalid_argument (larger than max_bytes) naming it.
Result<std::string> read_file_bounded(const std::filesystem::path& path, std::size_t max_bytes);

}  // namespace amana
