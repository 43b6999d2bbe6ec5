// Creating files (common/files.h): what a planted link, an existing file or a leftover
// temporary do to a write.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include "common/files.h"
#include "tests/support.h"

namespace amana {
namespace {

namespace fs = std::filesystem;

unsigned mode_of(const fs::path& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("files: a write goes through a private temporary, replaces only when asked, and never follows a link") {
  testing::TempDir dir;
  const fs::path target = dir.path() / "out.csv";
  const ::mode_t before = ::umask(022);
  REQUIRE(write_file_atomically(target, "one").ok());
  CHECK(mode_of(target) == 0600);
  CHECK(testing::read_file(target) == "one");

  const Status refused = write_file_atomically(target, "two", ExistingFile::refuse);
  CHECK(refused.code() == ErrorCode::already_exists);
  CHECK(testing::read_file(target) == "one");
  REQUIRE(write_file_atomically(target, "two").ok());
  CHECK(testing::read_file(target) == "two");

  const fs::path victim = dir.path() / "victim";
  testing::write_file(victim, "keep");
  fs::create_symlink(victim, target.string() + ".partial");
  const Status linked = write_file_atomically(target, "three");
  CHECK(linked.code() == ErrorCode::io);
  CHECK(testing::contains(linked.message(), "is in the way (a symbolic link, not followed)"));
  CHECK(testing::read_file(victim) == "keep");
  CHECK(testing::read_file(target) == "two");
  fs::remove(target.string() + ".partial");

  // A link at the target itself is replaced (rename does not follow it), not written through.
  const fs::path via_link = dir.path() / "link.csv";
  fs::create_symlink(victim, via_link);
  CHECK(write_file_atomically(via_link, "four", ExistingFile::refuse).code() == ErrorCode::already_exists);
  REQUIRE(write_file_atomically(via_link, "four").ok());
  CHECK(testing::read_file(victim) == "keep");
  CHECK(testing::read_file(via_link) == "four");
  CHECK_FALSE(fs::is_symlink(via_link));
  ::umask(before);
}

TEST_CASE("files: a private directory beside the target is 0700 and gone with everything in it") {
  testing::TempDir dir;
  const fs::path target = dir.path() / "book.xlsx";
  fs::path made;
  {
    auto parts = PrivateDirectory::beside(target);
    REQUIRE(parts.ok());
    CHECK(mode_of(parts->path()) == 0700);
    CHECK(parts->path().parent_path() == dir.path());
    made = parts->path() / "workbook.xlsx";
    testing::write_file(made, "pretend workbook");
    REQUIRE(move_into_place(made, target, ExistingFile::refuse).ok());
    testing::write_file(parts->path() / "leftover", "x");
    made = parts->path();
  }
  CHECK_FALSE(fs::exists(made));
  CHECK(mode_of(target) == 0600);
  CHECK(testing::read_file(target) == "pretend workbook");
}

}  // namespace amana
