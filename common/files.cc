#include "common/files.h"

#include <fstream>
#include <iterator>

namespace amana {

Result<std::string> read_file_bounded(const std::filesystem::path& path, std::size_t max_bytes) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return not_found("no such file: " + path.string());
  if (std::filesystem::is_directory(path, ec)) return invalid_argument(path.string() + " is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error("cannot read " + path.string());
  std::string contents;
  char buffer[64 * 1024];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    contents.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (contents.size() > max_bytes) {
      return invalid_argument(path.string() + " is larger than the limit of " + std::to_string(max_bytes) +
                              " bytes");
    }
  }
  if (in.bad()) return io_error("error while reading " + path.string());
  return contents;
}

}  // namespace amana
