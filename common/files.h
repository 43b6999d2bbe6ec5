// Files a user hands us (answers, bundles, CSV), read with a size bound; and the one way
// files are created, on the device and on the server alike.
//
// Creating a file safely (every writer goes through here: exports, their codebooks,
// reports, bundles, referral documents):
//  - the contents go to a temporary beside the target, `TARGET.partial`, opened with
//    O_CREAT|O_EXCL|O_NOFOLLOW and mode 0600: a symbolic link or someone else's file
//    planted at that name is never followed or written through, and nobody but the owner
//    can read the file at any moment of its life;
//  - it is flushed to disk, then renamed into place (and the directory flushed), so a
//    USB stick pulled out mid-write leaves the old file or the new one, never half of one;
//  - an existing target is replaced only when the caller says so; otherwise the rename
//    is made with RENAME_NOREPLACE, so a file created meanwhile is not clobbered either.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace amana {

// The whole file, or not_found / io / invalid_argument (larger than max_bytes) naming it.
Result<std::string> read_file_bounded(const std::filesystem::path& path, std::size_t max_bytes);

enum class ExistingFile { replace, refuse };

// Writes `contents` to `path` as described above. already_exists when `path` exists and
// `existing` is refuse; io_error otherwise (the temporary is removed). A leftover
// temporary of ours from an interrupted write is removed and written again; anything else
// at the temporary's name (a link, a directory, another owner's file) is refused.
Status write_file_atomically(const std::filesystem::path& path, std::string_view contents,
                             ExistingFile existing = ExistingFile::replace);

// A file written in pieces, as write_file_atomically writes it whole: for a dataset of any
// size, whose rows are written as they are made and dropped. The pieces go through a
// small buffer to the temporary; commit() flushes it to disk and renames it into place. A
// file dropped without commit() leaves nothing behind (its temporary is removed).
class AtomicFile {
 public:
  // already_exists when `path` exists and `existing` is refuse (checked again at commit).
  static Result<AtomicFile> create(const std::filesystem::path& path, ExistingFile existing = ExistingFile::replace);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  ~AtomicFile();
  Status append(std::string_view bytes);
  Status commit();

 private:
  AtomicFile(std::filesystem::path path, std::filesystem::path temporary, int fd, ExistingFile existing)
      : path_(std::move(path)), temporary_(std::move(temporary)), fd_(fd), existing_(existing) {}
  Status flush_buffer();
  std::filesystem::path path_;
  std::filesystem::path temporary_;
  int fd_ = -1;  // -1: committed or moved from
  ExistingFile existing_;
  std::string buffer_;
};

// For a writer that makes its file by name through a library (libxlsxwriter): a fresh
// directory beside `target`, mode 0700, named `TARGET.parts-XXXXXX`, removed with
// everything in it when this is destroyed. Libraries that keep temporary parts are
// pointed here, so nothing of the file passes through the system's temporary directory.
class PrivateDirectory {
 public:
  static Result<PrivateDirectory> beside(const std::filesystem::path& target);
  PrivateDirectory(PrivateDirectory&& other) noexcept;
  PrivateDirectory& operator=(PrivateDirectory&&) = delete;
  PrivateDirectory(const PrivateDirectory&) = delete;
  ~PrivateDirectory();
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit PrivateDirectory(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

// Makes `made` (a regular file this program created, e.g. inside a PrivateDirectory)
// 0600, flushes it and renames it to `target`, as write_file_atomically does.
Status move_into_place(const std::filesystem::path& made, const std::filesystem::path& target,
                       ExistingFile existing = ExistingFile::replace);

}  // namespace amana
