// A small blocking HTTP/1.1 client for devices talking to the sync server (Boost.Beast).
// Plain HTTP is enough for confidentiality: every body is an end-to-end sealed envelope,
// so the network and any proxy see only ciphertext (docs/protocol.md).
//
// Every call is bounded: one deadline for resolve, connect, write and read together, and
// a limit on the response body.
#pragma once

#include <chrono>
#include <string>

#include "common/status.h"

namespace amana::http {

struct Url {
  std::string host;
  std::string port;
  std::string base_path;  // without a trailing '/'
  // "http://host:port[/path]" or "host:port"; invalid_argument otherwise (https is not
  // spoken: put a TLS-terminating proxy in front if the deployment needs one).
  static Result<Url> parse(std::string_view text);
};

struct Reply {
  int status = 0;
  std::string body;
};

struct RequestOptions {
  std::chrono::milliseconds timeout{30'000};
  std::size_t max_body_bytes = 32u << 20;
};

// io error naming the server when it cannot be reached or does not answer in time.
Result<Reply> request(const Url& url, const std::string& method, const std::string& target,
                      const std::string& body, const RequestOptions& options = {});

}  // namespace amana::http
