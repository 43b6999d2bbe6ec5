// What anyone who can reach the port sends: a method, a target and a body, straight into
// SyncService::handle (the HTTP layer hands over exactly these three). Without keys, the
// envelope's first checks must refuse everything cheaply and the server keep serving.
//
// Input: byte 0 picks the route; for route 7 the target is the text up to the first '\n'.
// The rest is the body.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tests/fuzz/server_fixture.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* const kRoutes[][2] = {
      {"GET", "/v1/org-keys"}, {"GET", "/v1/nonce"}, {"POST", "/v1/enroll"}, {"POST", "/v1/push"},
      {"POST", "/v1/pull"},    {"GET", "/v1/push"},  {"POST", "/v1/org-keys"}};
  auto& server = amana::fuzz::ServerFixture::get();
  const unsigned pick = data[0] % 8;
  std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string method = pick < 7 ? kRoutes[pick][0] : "POST";
  std::string target = pick < 7 ? kRoutes[pick][1] : "";
  if (pick == 7) {
    const auto newline = rest.find('\n');
    target = rest.substr(0, newline);
    rest = newline == std::string::npos ? "" : rest.substr(newline + 1);
  }
  const auto response = server.call(method, target, rest);
  // Bad input from outside is the client's fault: never a 5xx.
  if (response.status >= 500) __builtin_trap();
  return 0;
}
