#include "sync-server/qr.h"

#include <qrencode.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace amana::server {
namespace {

constexpr std::size_t kMaxTextBytes = 1000;
constexpr int kQuietZone = 4;

struct QrFree {
  void operator()(QRcode* code) const { QRcode_free(code); }
};

Result<std::unique_ptr<QRcode, QrFree>> encode(std::string_view text) {
  if (text.empty()) return invalid_argument("nothing to draw as a QR code");
  if (text.size() > kMaxTextBytes) return invalid_argument("enrollment text too long for a QR code");
  const std::string owned(text);  // libqrencode wants a NUL-terminated string
  std::unique_ptr<QRcode, QrFree> code(QRcode_encodeString(owned.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  if (!code) return io_error(std::string("cannot draw the QR code: ") + std::strerror(errno));
  return code;
}

}  // namespace

Result<std::vector<std::string>> qr_modules(std::string_view text) {
  AMANA_ASSIGN_OR_RETURN(auto code, encode(text));
  const int width = code->width;
  const int size = width + 2 * kQuietZone;
  std::vector<std::string> rows(static_cast<std::size_t>(size), std::string(static_cast<std::size_t>(size), '0'));
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width; ++x) {
      if (code->data[y * width + x] & 1) rows[y + kQuietZone][x + kQuietZone] = '1';
    }
  }
  return rows;
}

Result<std::string> render_qr(std::string_view text) {
  AMANA_ASSIGN_OR_RETURN(auto code, encode(text));

  const int width = code->width;
  const int size = width + 2 * kQuietZone;
  // Outside the symbol (the quiet zone, and the row past the bottom) is light.
  auto light = [&](int x, int y) {
    x -= kQuietZone;
    y -= kQuietZone;
    if (x < 0 || y < 0 || x >= width || y >= width) return true;
    return (code->data[y * width + x] & 1) == 0;
  };
  std::string out;
  for (int y = 0; y < size; y += 2) {
    for (int x = 0; x < size; ++x) {
      const bool top = light(x, y);
      const bool bottom = light(x, y + 1);
      out += top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ";
    }
    out += '\n';
  }
  return out;
}

}  // namespace amana::server
