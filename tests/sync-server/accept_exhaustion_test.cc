// The real sync-server out of file descriptors: its accept loop counts the failure
// (amana_http_accept_errors_total), backs off instead of spinning or stopping, and serves
// again once connections close. The server runs under a hard limit of 64 descriptors
// (prlimit), so raising the soft limit at start cannot lift it, and the test opens more
// connections than that.
#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "common/http_client.h"
#include "tests/support.h"
#include "tests/sync-server/loopback.h"

namespace amana::server {
namespace {

std::uint64_t metric_in(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  return at == std::string::npos ? 0 : std::stoull(text.substr(at + series.size() + 2));
}

const std::string kMetricsRequest = "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n";

// The sanitizers' runtime needs descriptors of its own: UBSan's vptr check opens a pipe
// to test that memory is readable, and with none left it reports a valid object as having
// an invalid vptr and stops the server. Out of descriptors is only tried unsanitized.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

}  // namespace

TEST_CASE("accept loop: out of descriptors, the server counts the error, backs off and serves again once "
          "connections close") {
  if (kSanitized) {
    MESSAGE("not run under the sanitizers: their runtime itself needs descriptors");
    return;
  }
  testing::TempDir dir;
  const auto data = dir.path() / "server";
  REQUIRE(testing::run_command({testing::kServerBin, "--data", data.string(), "init"}, testing::kPassphrases).exit_code == 0);
  testing::BackgroundProcess server({"/usr/bin/prlimit", "--nofile=64:64", "--", testing::kServerBin, "--data", data.string(),
                                     "serve", "--listen", "127.0.0.1:0", "--plain-http"},
                                    testing::kPassphrases);
  const std::string line = server.wait_for_line("listening on ");
  const std::string url = "http://" + line.substr(std::string("listening on ").size());
  const auto port = static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));

  // More connections than the server has descriptors: the first ones are accepted and
  // held open (keep-alive), the rest wait in the kernel's backlog while accept fails.
  std::vector<std::unique_ptr<testing::LoopbackClient>> held;
  for (int i = 0; i < 100; ++i) held.push_back(std::make_unique<testing::LoopbackClient>(port));
  std::size_t asking = 0;
  CHECK(testing::eventually([&] {
    // Asked over a connection accepted before the descriptors ran out.
    while (asking < held.size()) {
      try {
        if (!held[asking]->send(kMetricsRequest)) {
          ++asking;
          continue;
        }
        return metric_in(held[asking]->read_response(), "amana_http_accept_errors_total") > 0;
      } catch (const std::exception&) {
        ++asking;
      }
    }
    return false;
  }));
  held.clear();
  // The loop resumed: a new connection is served.
  CHECK(testing::eventually([&] {
    auto metrics = http::request(*http::Url::parse(url), "GET", "/metrics", "");
    return metrics.ok() && metrics->status == 200 && metric_in(metrics->body, "amana_http_accept_errors_total") > 0;
  }));
}

}  // namespace amana::server
