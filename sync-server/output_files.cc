#include "sync-server/output_files.h"

#include <algorithm>

namespace amana::server {
namespace {

// The path with links and ".." resolved as far as it exists; the rest as given.
std::filesystem::path resolved(const std::filesystem::path& path) {
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path, ec);
  if (ec) return path;
  auto canonical = std::filesystem::weakly_canonical(absolute, ec);
  return ec ? absolute.lexically_normal() : canonical;
}

bool is_within(const std::filesystem::path& inner, const std::filesystem::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing separator
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

}  // namespace

Status check_output_paths(const std::filesystem::path& data_dir, std::initializer_list<std::filesystem::path> targets,
                          bool force) {
  const std::filesystem::path data = resolved(data_dir);
  for (const std::filesystem::path& target : targets) {
    // The directory it lands in, resolved; the name itself is replaced, never followed.
    const std::filesystem::path where = resolved(target.has_parent_path() ? target.parent_path() : ".") / target.filename();
    if (is_within(where, data)) {
      return invalid_argument(target.string() + " is inside the server's data directory " + data_dir.string() +
                              ": write exports, reports and bundles somewhere else");
    }
    std::error_code ec;
    if (!force && std::filesystem::exists(std::filesystem::symlink_status(target, ec))) {
      return Status(ErrorCode::already_exists,
                    target.string() + " already exists: choose another name, or add --force to replace it");
    }
  }
  return Status();
}

}  // namespace amana::server
