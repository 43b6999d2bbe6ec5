// Nonces that prove themselves (sync-server/nonce.h): issuing one writes nothing, a forged
// or expired one is refused, each is spent once, by the request it opens, whichever of the
// organisation's server processes issued it; and no flood of requests for nonces makes an
// honest device's fail.
#include "sync-server/nonce.h"

#include <doctest/doctest.h>

#include "common/enrollment_code.h"
#include "common/envelope.h"
#include "common/http_client.h"
#include "common/sqlite.h"
#include "sync-server/admin.h"
#include "tests/support.h"
#include "tests/sync-server/in_process.h"

namespace amana::server {
namespace {

using testing::InProcessServer;

std::string to_string(const crypto::Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

// An enrolled device speaking to `server` at the message level.
struct NonceUser : testing::MessageDevice {
  explicit NonceUser(InProcessServer& server) { enroll(server); }

  template <class Message>
  HttpResponse send(InProcessServer& server, envelope::Purpose purpose, const std::string& target,
                    const std::string& nonce) const {
    Message request;
    request.set_server_nonce(nonce);
    return server.call("POST", target, seal(server, purpose, request.SerializeAsString()));
  }
  // A push with no changesets: it still spends its nonce and carries the next one.
  HttpResponse push(InProcessServer& server, const std::string& nonce) const {
    return send<pb::PushRequest>(server, envelope::Purpose::push_request, "/v1/push", nonce);
  }
  HttpResponse pull(InProcessServer& server, const std::string& nonce) const {
    return send<pb::PullRequest>(server, envelope::Purpose::pull_request, "/v1/pull", nonce);
  }
};

std::int64_t spent_nonces(const InProcessServer& server) {
  return testing::query_int(server.dir.path() / "central.db", "SELECT count(*) FROM spent_nonces");
}

}  // namespace

TEST_CASE("nonce: asking for one, a hundred thousand times, writes nothing to the store") {
  InProcessServer server;
  NonceUser device(server);
  // data_version changes when another connection commits: this one watches the server's.
  auto watcher = sql::Database::open(server.dir.path() / "central.db", sql::OpenMode::existing);
  REQUIRE(watcher.ok());
  auto data_version = [&] {
    auto query = (*watcher)->query("PRAGMA data_version");
    REQUIRE(query.ok());
    REQUIRE(*query->step());
    return query->column_int64(0);
  };
  const std::int64_t before = data_version();
  const std::int64_t spent_before = spent_nonces(server);
  for (int i = 0; i < 100'000; ++i) REQUIRE(server.call("GET", "/v1/nonce").status == 200);
  CHECK(data_version() == before);
  CHECK(spent_nonces(server) == spent_before);

  // The watcher does see a commit: spending one is a write.
  CHECK(device.push(server, server.nonce()).status == 200);
  CHECK(data_version() != before);
  CHECK(spent_nonces(server) == spent_before + 1);
}

TEST_CASE("nonce: a real server answers GET /v1/nonce two thousand times over HTTP without a write, and the device's sync still goes through") {
  testing::ServerUnderTest server;
  testing::FieldDevice amina("amina", 3);
  testing::enroll(server, amina, "amina");
  auto watcher = sql::Database::open(server.data_dir() / "central.db", sql::OpenMode::existing);
  REQUIRE(watcher.ok());
  auto data_version = [&] {
    auto query = (*watcher)->query("PRAGMA data_version");
    REQUIRE(query.ok());
    REQUIRE(*query->step());
    return query->column_int64(0);
  };
  const std::int64_t before = data_version();
  const auto url = *http::Url::parse(server.url());
  for (int i = 0; i < 2000; ++i) {
    auto reply = http::request(url, "GET", "/v1/nonce", "");
    REQUIRE(reply.ok());
    REQUIRE(reply->status == 200);
  }
  CHECK(data_version() == before);
  const auto synced = amina.run({"sync"});
  CHECK_MESSAGE(synced.exit_code == 0, synced.err);
  CHECK(data_version() != before);
}

TEST_CASE("nonce: a forged, altered, expired or other organisation's nonce is refused as replayed") {
  InProcessServer server;
  NonceUser device(server);
  std::string altered = server.nonce();
  altered[3] ^= 1;  // its expiry, moved
  CHECK(device.push(server, altered).rejection == "replayed");
  CHECK(device.push(server, std::string(32, 'n')).rejection == "replayed");
  CHECK(device.push(server, "").rejection == "replayed");

  InProcessServer other_org;
  const HttpResponse foreign = device.push(server, other_org.nonce());
  CHECK(foreign.status == 409);
  CHECK(testing::contains(foreign.body, "not issued by this server"));

  const std::string stale = server.nonce();
  server.now += 5 * 60 * 1000;  // its lifetime
  const HttpResponse expired = device.push(server, stale);
  CHECK(expired.status == 409);
  CHECK(testing::contains(expired.body, "expired"));
  CHECK(device.push(server, server.nonce()).status == 200);  // a fresh one works
}

TEST_CASE("nonce: one is spent once, across a push and a pull, and its spent entry goes when it expires") {
  InProcessServer server;
  NonceUser device(server);
  const std::string nonce = server.nonce();
  CHECK(device.push(server, nonce).status == 200);
  CHECK(device.pull(server, nonce).rejection == "replayed");
  CHECK(device.push(server, nonce).rejection == "replayed");

  const std::string other = server.nonce();
  CHECK(device.pull(server, other).status == 200);
  CHECK(device.push(server, other).rejection == "replayed");
  const std::int64_t spent = spent_nonces(server);
  CHECK(spent >= 2);

  // Past their lifetime the entries are dropped by the next spend, and the nonces are
  // refused as expired all the same.
  server.now += 5 * 60 * 1000 + 1;
  CHECK(device.push(server, server.nonce()).status == 200);
  CHECK(spent_nonces(server) == 1);
  CHECK(device.pull(server, nonce).rejection == "replayed");
}

TEST_CASE("nonce: a flood of nonce requests does not make an honest device's nonce fail") {
  InProcessServer server;
  NonceUser device(server);
  const std::string honest = server.nonce();
  // Well past the 100,000 outstanding nonces the old table kept before dropping the oldest.
  for (int i = 0; i < 150'000; ++i) REQUIRE(server.call("GET", "/v1/nonce").status == 200);
  CHECK(device.push(server, honest).status == 200);
}

TEST_CASE("nonce: server processes sharing one store accept each other's nonces, and each is still spent once") {
  InProcessServer first;
  NonceUser device(first);
  // A second process: its own connection to the same central.db, the keys unlocked again.
  auto store = open_server_store(first.dir.path());
  REQUIRE(store.ok());
  auto keys = unlock_org_keys(**store, "operator passphrase");
  REQUIRE(keys.ok());
  SyncService second(**store, *keys, std::make_shared<Metrics>(), [&] { return first.now; });

  pb::Nonce issued;
  REQUIRE(issued.ParseFromString(second.handle({"GET", "/v1/nonce", "", "", "test"}).body));
  CHECK(device.push(first, issued.nonce()).status == 200);
  pb::PushRequest replay;
  replay.set_server_nonce(issued.nonce());
  const envelope::Sender me{device.id.view(), &device.sign.secret_key};
  const auto sealed = envelope::seal(envelope::Purpose::push_request, crypto::as_bytes(replay.SerializeAsString()), me,
                                     keys->box.public_key);
  CHECK(second.handle({"POST", "/v1/push", "", to_string(sealed), "test"}).rejection == "replayed");
}

TEST_CASE("nonce: the codec checks its tag and its expiry without any store") {
  const auto key = crypto::SecretBytes::random(32);
  const NonceIssuer issuer(key, std::chrono::minutes(5));
  const std::string nonce = issuer.issue(1'000);
  CHECK(nonce.size() == NonceIssuer::kNonceBytes);
  auto checked = issuer.check(nonce, 1'000);
  REQUIRE(checked.ok());
  CHECK(checked->expires_at_ms == 1'000 + 5 * 60 * 1000);
  CHECK(checked->id.size() == 16);
  CHECK(issuer.issue(1'000) != nonce);
  CHECK(issuer.check(nonce, 1'000 + 5 * 60 * 1000).status().code() == ErrorCode::replayed);
  for (std::size_t at = 0; at < nonce.size(); ++at) {
    std::string flipped = nonce;
    flipped[at] ^= 0x40;
    CHECK(issuer.check(flipped, 1'000).status().code() == ErrorCode::replayed);
  }
  const NonceIssuer other(crypto::SecretBytes::random(32), std::chrono::minutes(5));
  CHECK(other.check(nonce, 1'000).status().code() == ErrorCode::replayed);
}

}  // namespace amana::server
