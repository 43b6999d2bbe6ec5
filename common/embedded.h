// Files compiled into the binary (the built-in form pack), generated at build time by
// cmake/embed_files.cmake. The bytes live for the whole program.
#pragma once

#include <string_view>
#include <vector>

namespace amana {

struct EmbeddedFile {
  std::string_view name;      // file name without directory, e.g. "pdm-survey.json"
  std::string_view contents;
};

}  // namespace amana
