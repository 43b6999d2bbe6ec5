// Enrollment codes as QR codes drawn in the terminal, so that a device with a camera (or
// a person with a phone) can take the code off the office screen without typing it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace amana::server {

// `text` as a QR code (error correction M) drawn with Unicode half blocks, two module
// rows per line, with a 4-module quiet zone: light modules are blocks, dark ones spaces,
// as `qrencode -t UTF8` draws it for a dark terminal. invalid_argument when `text` is
// empty or over 1000 bytes; io when libqrencode fails.
Result<std::string> render_qr(std::string_view text);

// The same symbol as rows of '1' (dark) and '0' (light), quiet zone included, for a page to
// draw (the console's device enrollment). Same errors as render_qr.
Result<std::vector<std::string>> qr_modules(std::string_view text);

}  // namespace amana::server
