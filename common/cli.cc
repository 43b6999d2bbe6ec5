#include "common/cli.h"

#include <exception>
#include <iostream>

#include "common/message_catalogue.h"

namespace amana::cli {

int exit_code(const Status& status) {
  if (status.ok()) return 0;
  std::cerr << "error: " << status.message() << "\n";
  return 1;
}

int exit_code(const Status& status, Language language) {
  if (status.ok()) return 0;
  std::cerr << Message("cli.error", {{"message", status.message_in(language)}}).in(language) << "\n";
  return 1;
}

int guarded_main(int (*run)(int, char**), int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& bug) {
    std::cerr << "internal error (a bug; please report it): " << bug.what() << "\n";
    return 70;
  }
}

}  // namespace amana::cli
