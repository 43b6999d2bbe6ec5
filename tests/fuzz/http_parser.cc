// The HTTP/1.1 request parser with the server's limits (Beast's request_parser, set up as
// sync-server/http_server.cc sets it up), fed the way a socket delivers bytes: in pieces
// whose size byte 0 picks, so that every split of a header or chunk boundary is tried.
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sync-server/http_server.h"

namespace http = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const amana::server::HttpOptions options;
  const std::size_t piece = 1 + data[0] % 64;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);

  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
  parser.body_limit(options.max_body_bytes);
  parser.eager(true);
  // What the parser has not consumed stays buffered, as in the server's flat_buffer.
  std::string pending;
  std::size_t offset = 0;
  boost::beast::error_code ec;
  while (!parser.is_done()) {
    if (offset < bytes.size()) {
      const std::size_t n = std::min(piece, bytes.size() - offset);
      pending.append(bytes.substr(offset, n));
      offset += n;
    } else if (pending.empty()) {
      parser.put_eof(ec);
      break;
    }
    const std::size_t used = parser.put(boost::asio::buffer(pending), ec);
    pending.erase(0, used);
    if (ec == http::error::need_more) {
      if (offset >= bytes.size()) {
        parser.put_eof(ec);
        break;
      }
      ec = {};
      continue;
    }
    if (ec) break;
  }
  if (!ec && parser.is_done()) {
    // What the server copies out of a parsed request (http_server.cc, on_body).
    auto message = parser.release();
    amana::server::HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.content_type = std::string(message[http::field::content_type]);
    request.body = std::move(message.body());
    (void)message.keep_alive();
    if (request.body.size() > options.max_body_bytes) __builtin_trap();
  }
  return 0;
}
