#include "common/files.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <utility>
#include <vector>

#include "common/message_catalogue.h"

namespace amana {
namespace {

std::string why() { return std::strerror(errno); }

std::filesystem::path directory_of(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

// Best effort: a rename is durable once its directory is; some file systems (FAT on a USB
// stick) refuse to flush a directory, and there the rename is as durable as they allow.
void flush_directory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

Status refuse_existing(const std::filesystem::path& path) {
  return Status(ErrorCode::already_exists, path.string() + " already exists: it was not replaced");
}

bool exists_here(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::exists(std::filesystem::symlink_status(path, ec));
}

// Renames without replacing: RENAME_NOREPLACE where the file system has it, else a hard
// link (which fails on an existing name) and an unlink.
Status rename_into_place(const std::filesystem::path& from, const std::filesystem::path& to, ExistingFile existing) {
  if (existing == ExistingFile::replace) {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return io_error("cannot move " + from.string() + " to " + to.string() + ": " + why());
    }
  } else if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) != 0) {
    if (errno == EEXIST) return refuse_existing(to);
    if (errno != EINVAL && errno != ENOSYS) {
      return io_error("cannot move " + from.string() + " to " + to.string() + ": " + why());
    }
    if (::link(from.c_str(), to.c_str()) != 0) {
      if (errno == EEXIST) return refuse_existing(to);
      return io_error("cannot move " + from.string() + " to " + to.string() + ": " + why());
    }
    ::unlink(from.c_str());
  }
  flush_directory(directory_of(to));
  return Status();
}

// The temporary beside `path`, created here and now, never an existing file or a link.
Result<int> create_temporary(const std::filesystem::path& temporary) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
    if (errno != EEXIST) return io_error("cannot write " + temporary.string() + ": " + why());
    struct stat found {};
    if (::lstat(temporary.c_str(), &found) != 0) continue;  // gone meanwhile: try again
    // Our own leftover from an interrupted write: a plain file of ours with no other name.
    const bool leftover = S_ISREG(found.st_mode) && found.st_uid == ::geteuid() && found.st_nlink == 1;
    if (!leftover || attempt > 0) {
      return io_error(temporary.string() + " is in the way (" +
                      (S_ISLNK(found.st_mode) ? "a symbolic link, not followed"
                                              : S_ISREG(found.st_mode) ? "a file that is not this program's"
                                                                       : "not a regular file") +
                      "): look at it, remove it, and try again");
    }
    // unlink removes the name whatever it has become since lstat; O_EXCL then decides.
    ::unlink(temporary.c_str());
  }
  return io_error("cannot create " + temporary.string() + ": something keeps putting a file there");
}

}  // namespace

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

Status write_file_atomically(const std::filesystem::path& path, std::string_view contents, ExistingFile existing) {
  AMANA_ASSIGN_OR_RETURN(AtomicFile file, AtomicFile::create(path, existing));
  AMANA_RETURN_IF_ERROR(file.append(contents));
  return file.commit();
}

Result<AtomicFile> AtomicFile::create(const std::filesystem::path& path, ExistingFile existing) {
  if (existing == ExistingFile::refuse && exists_here(path)) return refuse_existing(path);
  std::filesystem::path temporary = path.string() + ".partial";
  AMANA_ASSIGN_OR_RETURN(const int fd, create_temporary(temporary));
  return AtomicFile(path, std::move(temporary), fd, existing);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)),
      temporary_(std::move(other.temporary_)),
      fd_(std::exchange(other.fd_, -1)),
      existing_(other.existing_),
      buffer_(std::move(other.buffer_)) {}

// A failed or abandoned write leaves nothing behind: the temporary may hold an export.
AtomicFile::~AtomicFile() {
  if (fd_ < 0) return;
  ::close(fd_);
  ::unlink(temporary_.c_str());
}

Status AtomicFile::flush_buffer() {
  std::size_t written = 0;
  while (written < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + written, buffer_.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write " + temporary_.string() + ": " + why());
    }
    written += static_cast<std::size_t>(n);
  }
  buffer_.clear();
  return Status();
}

Status AtomicFile::append(std::string_view bytes) {
  if (fd_ < 0) throw std::logic_error("AtomicFile::append after commit");
  constexpr std::size_t kBuffer = 64 * 1024;
  buffer_.append(bytes);
  return buffer_.size() >= kBuffer ? flush_buffer() : Status();
}

Status AtomicFile::commit() {
  if (fd_ < 0) throw std::logic_error("AtomicFile::commit twice");
  AMANA_RETURN_IF_ERROR(flush_buffer());
  if (::fsync(fd_) != 0) return io_error("cannot flush " + temporary_.string() + " to disk: " + why());
  ::close(std::exchange(fd_, -1));
  const Status moved = rename_into_place(temporary_, path_, existing_);
  if (!moved.ok()) ::unlink(temporary_.c_str());
  return moved;
}

Status move_into_place(const std::filesystem::path& made, const std::filesystem::path& target, ExistingFile existing) {
  if (existing == ExistingFile::refuse && exists_here(target)) return refuse_existing(target);
  const int fd = ::open(made.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open " + made.string() + ": " + why());
  struct stat found {};
  const bool regular = ::fstat(fd, &found) == 0 && S_ISREG(found.st_mode);
  const bool ready = regular && ::fchmod(fd, 0600) == 0 && ::fsync(fd) == 0;
  const std::string reason = regular ? why() : "not a regular file";
  ::close(fd);
  if (!ready) return io_error("cannot flush " + made.string() + " to disk: " + reason);
  return rename_into_place(made, target, existing);
}

Result<PrivateDirectory> PrivateDirectory::beside(const std::filesystem::path& target) {
  std::string name = target.string() + ".parts-XXXXXX";
  std::vector<char> buffer(name.begin(), name.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {  // mode 0700, a name nobody had
    return io_error("cannot create a working directory beside " + target.string() + ": " + why());
  }
  return PrivateDirectory(std::filesystem::path(buffer.data()));
}

PrivateDirectory::PrivateDirectory(PrivateDirectory&& other) noexcept : path_(std::move(other.path_)) {
  other.path_.clear();
}

PrivateDirectory::~PrivateDirectory() {
  if (path_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);  // removes links inside, never what they point to
}

}  // namespace amana
