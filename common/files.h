// Reading files a user hands us (answers, bundles, CSV), always with a size bound.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace amana {

// The whole file, or not_found / io / invalid_argument (larger than max_bytes) naming it.
Result<std::string> read_file_bounded(const std::filesystem::path& path, std::size_t max_bytes);

// Writes `contents` to a temporary file beside `path`, flushes it to disk and renames it
// into place: a USB stick pulled out mid-write leaves the old file or the new one, never
// half of one.
Status write_file_atomically(const std::filesystem::path& path, std::string_view contents);

}  // namespace amana
