#include "common/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "common/message_catalogue.h"

namespace amana {

Result<std::string> read_file_bounded(const std::filesystem::path& path, std::size_t max_bytes) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return not_found(Message("file.missing", {{"path", path.string()}}));
  if (std::filesystem::is_directory(path, ec)) {
    return invalid_argument(Message("file.directory", {{"path", path.string()}}));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorCode::io, Message("file.unreadable", {{"path", path.string()}}));
  std::string contents;
  char buffer[64 * 1024];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    contents.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (contents.size() > max_bytes) {
      return invalid_argument(Message("file.too_large", {{"path", path.string()},
                                                         {"limit", static_cast<std::int64_t>(max_bytes)}}));
    }
  }
  if (in.bad()) return io_error("error while reading " + path.string());
  return contents;
}

Status write_file_atomically(const std::filesystem::path& path, std::string_view contents) {
  const std::filesystem::path temporary = path.string() + ".partial";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot write " + temporary.string() + ": " + std::strerror(errno));
  std::size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      return io_error("cannot write " + temporary.string() + ": " + why);
    }
    written += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  std::error_code ec;
  // A failed write leaves nothing behind: the temporary may hold an export or a bundle,
  // and `path` naming a directory would otherwise leave it there under a hidden name.
  if (!synced) {
    std::filesystem::remove(temporary, ec);
    return io_error("cannot flush " + temporary.string() + " to disk");
  }
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    const std::string why = ec.message();
    std::filesystem::remove(temporary, ec);
    return io_error("cannot move " + temporary.string() + " to " + path.string() + ": " + why);
  }
  return Status();
}

}  // namespace amana
