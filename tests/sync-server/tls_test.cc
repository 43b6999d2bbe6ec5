// TLS end to end: the certificate `sync-server init` makes, `serve` presenting it, a device
// learning its key's pin at enrollment from the organisation's signature and holding every
// later sync to it; and plain HTTP where it is still allowed.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include "common/http_client.h"
#include "common/tls.h"
#include "field-client/store.h"
#include "field-client/sync_client.h"
#include "sync-server/admin.h"
#include "sync-server/tls_certificate.h"
#include "tests/support.h"
#include "tests/sync-server/in_process.h"

namespace amana::testing {
namespace {

std::string printed_key_pin(const std::string& init_output) {
  const std::string marker = "note its key's SHA-256:\n  ";
  const auto at = init_output.find(marker);
  REQUIRE(at != std::string::npos);
  return init_output.substr(at + marker.size(), 64);
}

// The requests a server logged (one JSON line each on stderr).
int logged_requests(const BackgroundProcess& process) {
  const std::string log = process.err();
  int count = 0;
  for (auto at = log.find("\"event\":\"request\""); at != std::string::npos; at = log.find("\"event\":\"request\"", at + 1)) {
    ++count;
  }
  return count;
}

}  // namespace

TEST_CASE("tls: init makes a self-signed certificate and a 0600 key, prints the key's SHA-256, and serve presents it") {
  TempDir dir;
  const auto data = dir.path() / "server";
  const auto init = run_command({kServerBin, "--data", data.string(), "init"}, kPassphrases);
  REQUIRE_MESSAGE(init.exit_code == 0, init.err);
  const server::TlsFiles files = server::default_tls_files(data);
  auto pin = server::certificate_key_pin(files.certificate);
  REQUIRE(pin.ok());
  CHECK(printed_key_pin(init.out) == tls::to_text(*pin));
  struct stat key_stat {};
  REQUIRE(stat(files.key.c_str(), &key_stat) == 0);
  CHECK((key_stat.st_mode & 0777) == 0600);

  std::string url;
  auto process = serve(data, url, Transport::tls);
  CHECK(contains(read_file(files.certificate), "BEGIN CERTIFICATE"));
  http::RequestOptions learn;
  learn.trust.mode = http::TlsTrust::Mode::learn;
  auto health = http::request(*http::Url::parse(url), "GET", "/healthz", "", learn);
  REQUIRE_MESSAGE(health.ok(), health.status().message());
  CHECK(health->body == "ok\n");
  REQUIRE(health->tls_key);
  CHECK(*health->tls_key == *pin);
}

TEST_CASE("tls: a device enrolls and syncs over https with the pin learnt at enrollment, and a server with another key is sent nothing") {
  ServerUnderTest server({}, Transport::tls);
  REQUIRE(starts_with(server.url(), "https://"));
  FieldDevice amina("amina", 3);
  enroll(server, amina, "amina");
  const auto synced = amina.run({"sync"});
  REQUIRE_MESSAGE(synced.exit_code == 0, synced.err);
  CHECK(amina.pending_operations() == 0);
  CHECK(server.status()["records"] == 3);

  // Another server on the same data dir (the same org keys, so its OrgKeys would sign its
  // own key as well) with another certificate: the device's pin refuses it at the handshake.
  TempDir other;
  const server::TlsFiles impostor = server::default_tls_files(other.path());
  REQUIRE(server::create_self_signed_certificate(impostor).ok());
  std::string impostor_url;
  auto second = serve(server.data_dir(), impostor_url, Transport::tls,
                      {"--tls-cert", impostor.certificate.string(), "--tls-key", impostor.key.string()});
  amina.add_surveys(2);
  const auto refused = amina.run({"sync", "--server", impostor_url});
  CHECK(refused.exit_code != 0);
  CHECK(contains(refused.err, "error: the server at 127.0.0.1:"));
  CHECK(contains(refused.err, "other than the one this device learnt at enrollment"));
  CHECK(contains(refused.err, "nothing was sent"));
  CHECK(logged_requests(*second) == 0);
  CHECK(amina.pending_operations() == 2);

  // The real one still takes them.
  const auto again = amina.run({"sync"});
  REQUIRE_MESSAGE(again.exit_code == 0, again.err);
  CHECK(server.status()["records"] == 5);
}

TEST_CASE("tls: plain http:// still works on loopback, and serving plain beyond it needs --plain-http") {
  TempDir dir;
  const auto data = dir.path() / "server";
  REQUIRE(run_command({kServerBin, "--data", data.string(), "init"}, kPassphrases).exit_code == 0);
  REQUIRE(run_command({kServerBin, "--data", data.string(), "users", "add", "amina", "--role", "assistant"},
                      kPassphrases).exit_code == 0);
  const server::TlsFiles files = server::default_tls_files(data);
  std::filesystem::remove(files.certificate);
  std::filesystem::remove(files.key);

  // Without a certificate, and without a flag: plain on loopback, saying what it leaks.
  auto process = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{kServerBin, "--data", data.string(), "serve", "--listen", "127.0.0.1:0"}, kPassphrases);
  CHECK(contains(process->wait_for_line("serving plain HTTP"), "sees which devices sync, when and how much"));
  const std::string url = "http://" + process->wait_for_line("listening on ").substr(13);
  FieldDevice amina("amina", 2);
  const auto code = run_command({kServerBin, "--data", data.string(), "enroll", "amina", "--no-qr"}, kPassphrases);
  const auto start = code.out.find("\n\n  ") + 4;
  const auto enrolled = amina.run({"enroll", code.out.substr(start, code.out.find('\n', start) - start), "--server", url});
  REQUIRE_MESSAGE(enrolled.exit_code == 0, enrolled.err);
  REQUIRE(amina.run({"sync"}).exit_code == 0);
  CHECK(amina.pending_operations() == 0);

  // Beyond loopback it refuses before binding anything (bounded by timeout in case not).
  const auto wide = run_command({"/usr/bin/timeout", "20", kServerBin, "--data", data.string(), "serve", "--listen", "0.0.0.0:0"},
                                kPassphrases);
  CHECK(wide.exit_code == 1);
  CHECK(contains(wide.err, "--plain-http"));
  const auto contradiction = run_command({"/usr/bin/timeout", "20", kServerBin, "--data", data.string(), "serve", "--plain-http",
                                          "--tls-cert", "c.pem", "--tls-key", "k.pem"},
                                         kPassphrases);
  CHECK(contradiction.exit_code == 1);
  CHECK(contains(contradiction.err, "contradict"));
}

// In process, so that the server can be made to sign a key other than the one it presents:
// what a device sees from an impostor that relays the real OrgKeys.
TEST_CASE("tls: enrollment over https stops when the presented key is not the one the organisation signed") {
  for (const bool honest : {true, false}) {
    CAPTURE(honest);
    InProcessServer org;
    TempDir tls_dir;
    const server::TlsFiles files = server::default_tls_files(tls_dir.path());
    auto pin = server::create_self_signed_certificate(files);
    REQUIRE(pin.ok());
    tls::KeyPin signed_pin = *pin;
    if (!honest) signed_pin[31] ^= 0x80;
    org.service->present_tls_key(signed_pin);
    server::HttpOptions options;
    options.listen = "127.0.0.1:0";
    options.tls = files;
    options.log_requests = false;
    auto http = server::HttpServer::start(options, [&](const server::HttpRequest& r) { return org.service->handle(r); },
                                          org.metrics);
    REQUIRE(http.ok());
    auto code = server::issue_enrollment_code(*org.store, "amina", std::chrono::hours(1), org.now);
    REQUIRE(code.ok());

    auto store = field::Store::create(tls_dir.path() / "home", "device passphrase", "amina", cheap_store_options());
    REQUIRE(store.ok());
    const std::string url = "https://127.0.0.1:" + std::to_string((*http)->port());
    auto enrolled = field::enroll_device(*store, code->code, url);
    if (honest) {
      REQUIRE_MESSAGE(enrolled.ok(), enrolled.status().message());
      auto kept = store->enrollment();
      REQUIRE(kept.ok());
      REQUIRE((*kept)->server_tls_key);
      CHECK(*(*kept)->server_tls_key == *pin);
      CHECK(org.store->devices()->size() == 1);
    } else {
      REQUIRE_FALSE(enrolled.ok());
      CHECK(enrolled.status().code() == ErrorCode::permission_denied);
      CHECK(contains(enrolled.status().message(), "other than the one the organisation signed"));
      CHECK_FALSE(store->enrollment()->has_value());
      CHECK(org.store->devices()->empty());
      // Only the public org keys were asked for.
      CHECK(org.metrics->value("amana_http_requests_total", "route=\"/v1/org-keys\",status=\"200\"") == 1);
      CHECK(org.metrics->value("amana_http_requests_total", "route=\"/v1/enroll\",status=\"200\"") == 0);
    }
  }
}

}  // namespace amana::testing
