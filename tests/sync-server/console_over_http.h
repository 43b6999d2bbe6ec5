// The office console of a real `sync-server serve` (plain HTTP on loopback), read over the
// network as its pages read it: the Host and Origin a browser sends and the session cookie
// sign-in set. For tests that need the console to show what the running server's store
// holds after devices pushed to it.
#pragma once

#include <string>

#include "tests/support.h"

namespace amana::testing {

class ConsoleOverHttp {
 public:
  struct Answer {
    int status = 0;
    std::string body;
    bool chunked = false;  // the body came chunked (a streamed download)
  };

  // Signs `user` in to `server` (served over http://) with the password set from an
  // invitation the operator issued (`sync-server users invite`); the test stops if any of
  // it fails.
  ConsoleOverHttp(const ServerUnderTest& server, const std::string& user);

  Answer get(const std::string& target) const;

 private:
  Answer call(const std::string& method, const std::string& target, const std::string& body,
              std::string* set_cookie = nullptr) const;
  std::string host_, port_;
  std::string cookie_;
};

}  // namespace amana::testing
