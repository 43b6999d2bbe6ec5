// What both command-line programs do at their edge: report a failed Status as
// "error: <message>" with exit code 1, and turn an escaped exception (a bug, never a
// user's mistake) into a short message and exit code 70 instead of an abort.
#pragma once

#include "common/status.h"

namespace amana::cli {

// 0 for success; otherwise prints "error: ..." to stderr and returns 1. With a language,
// the error is shown in it ("خطأ: ..." in Arabic) when it was made from Messages.
int exit_code(const Status& status);
int exit_code(const Status& status, Language language);

// Calls run(argc, argv), catching what escapes it.
int guarded_main(int (*run)(int, char**), int argc, char** argv);

}  // namespace amana::cli
