#include "sync-server/qr.h"

#include <doctest/doctest.h>

namespace amana::server {

TEST_CASE("qr: an enrollment code draws as qrencode -t UTF8 draws it") {
  // Captured from `qrencode -t UTF8 -l M CB5D-Y77Z-S7E1-GB5K-9D76-5D42` (qrencode 4.1.1).
  const std::string expected =
    "█████████████████████████████████\n"
    "█████████████████████████████████\n"
    "████ ▄▄▄▄▄ █▄█ █ ▀██ █ ▄▄▄▄▄ ████\n"
    "████ █   █ █▄▀▄ █▄ ▀██ █   █ ████\n"
    "████ █▄▄▄█ █▀█▀▄▀█▄▄▄█ █▄▄▄█ ████\n"
    "████▄▄▄▄▄▄▄█▄▀▄▀ ▀ ▀▄█▄▄▄▄▄▄▄████\n"
    "████▄▀ ▀█▀▄ ▀▀▀▀██▄█▄▀█ ▀▀ ▀▄████\n"
    "████▄▀█▄  ▄▀▀ ▄█▄▄ █▄▀▀█ ▀ ▀█████\n"
    "████▄▀   ▄▄▀█▄█▄ ▄▄▀ ▄▀ █▀▄  ████\n"
    "████▄▄ ▀ ▄▄▄██▀▀ ▄▄ ▄▄  ▀▀ █ ████\n"
    "████▄▄▄█▄▄▄█▀▀███ ▄▀ ▄▄▄ ▄ ▄ ████\n"
    "████ ▄▄▄▄▄ █▄  ▄█▀█  █▄█ ▄█▄▀████\n"
    "████ █   █ ██▀ ▄ ▄█  ▄  ▄▀▄██████\n"
    "████ █▄▄▄█ █▄█ ▀ ▄ █▄▀ ▄█ █▄ ████\n"
    "████▄▄▄▄▄▄▄█▄█▄██▄▄█▄██▄▄█▄▄▄████\n"
    "█████████████████████████████████\n"
    "█████████████████████████████████\n";
  auto drawn = render_qr("CB5D-Y77Z-S7E1-GB5K-9D76-5D42");
  REQUIRE(drawn.ok());
  CHECK(*drawn == expected);
}

TEST_CASE("qr: different texts draw differently, empty and oversized text are refused") {
  CHECK(*render_qr("AAAA-BBBB") != *render_qr("AAAA-BBBC"));
  CHECK(*render_qr("AAAA-BBBB") == *render_qr("AAAA-BBBB"));
  CHECK(render_qr("").status().code() == ErrorCode::invalid_argument);
  CHECK(render_qr(std::string(1001, 'x')).status().message() == "enrollment text too long for a QR code");
}

}  // namespace amana::server
