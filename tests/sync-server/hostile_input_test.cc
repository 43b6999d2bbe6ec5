// Hostile input to the sync server: what an attacker with a TCP connection, or with the
// keys of one enrolled device gone rogue, can send. Every refusal is checked for its
// specific reason, and after each one the server is shown to still serve a good request.
// The protocol runs in process against a real SQLite central store; the connection limits
// and timeouts run against a real HttpServer on 127.0.0.1.
#include <doctest/doctest.h>

#include <set>
#include <thread>

#include "common/enrollment_code.h"
#include "common/envelope.h"
#include "common/hlc.h"
#include "common/ids.h"
#include "proto/sync.pb.h"
#include "sync-server/admin.h"
#include "sync-server/http_server.h"
#include "sync-server/providers.h"
#include "sync-server/service.h"
#include "tests/support.h"
#include "tests/sync-server/in_process.h"
#include "tests/sync-server/loopback.h"

namespace amana::server {
namespace {

using testing::InProcessServer;
constexpr std::int64_t kNow = InProcessServer::kStartMs;

std::string text(const crypto::Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

// A device with real keys: enrolled, it is the rogue-device threat, signing whatever it likes.
struct RogueDevice {
  DeviceId id = new_device_id();
  crypto::SigningKeyPair sign = crypto::SigningKeyPair::generate();
  crypto::BoxKeyPair box = crypto::BoxKeyPair::generate();

  std::string id_bytes() const { return std::string(id.bytes.begin(), id.bytes.end()); }

  HttpResponse enroll(InProcessServer& org, crypto::ByteView token) const {
    pb::EnrollRequest request;
    request.set_token(token.data(), token.size());
    request.set_device_id(id_bytes());
    request.set_box_public_key(box.public_key.data(), box.public_key.size());
    request.set_server_nonce(org.nonce());
    const envelope::Sender self{crypto::ByteView(sign.public_key), &sign.secret_key};
    return org.call("POST", "/v1/enroll",
                    text(envelope::seal(envelope::Purpose::enroll_request,
                                        crypto::as_bytes(request.SerializeAsString()), self, org.keys.box.public_key)));
  }

  void enroll(InProcessServer& org) const {
    auto code = issue_enrollment_code(*org.store, "amina", std::chrono::hours(1), kNow);
    REQUIRE(code.ok());
    const auto response = enroll(org, EnrollmentCode::parse(code->code)->token);
    REQUIRE_MESSAGE(response.status == 200, response.body);
  }

  // Any payload, signed by this device and sealed to the org.
  std::string seal(const InProcessServer& org, envelope::Purpose purpose, const std::string& payload) const {
    const envelope::Sender me{id.view(), &sign.secret_key};
    return text(envelope::seal(purpose, crypto::as_bytes(payload), me, org.keys.box.public_key));
  }

  HttpResponse push(InProcessServer& org, pb::PushRequest request) const {
    request.set_server_nonce(org.nonce());
    return push_raw(org, request.SerializeAsString());
  }

  HttpResponse push_raw(InProcessServer& org, const std::string& payload) const {
    return org.call("POST", "/v1/push", seal(org, envelope::Purpose::push_request, payload));
  }
};

pb::Operation write_operation(const RogueDevice& device, const std::string& form_id, const std::string& field,
                              const std::string& value, const std::string& author) {
  pb::Operation operation;
  const RecordId record = new_record_id(kNow);
  operation.set_record_id(record.bytes.data(), record.bytes.size());
  operation.set_kind(pb::Operation::CREATE);
  operation.set_form_id(form_id);
  operation.set_form_version(1);
  operation.set_hlc(static_cast<std::uint64_t>(make_hlc(kNow, 0)));
  operation.set_device_id(device.id_bytes());
  operation.set_author(author);
  operation.set_created_at_ms(kNow);
  auto* w = operation.add_writes();
  w->set_field(field);
  w->set_value(value);
  w->set_hlc(static_cast<std::uint64_t>(make_hlc(kNow, 0)));
  return operation;
}

pb::Changeset first_changeset(const RogueDevice& device, std::vector<pb::Operation> operations) {
  pb::Changeset changeset;
  changeset.set_device_id(device.id_bytes());
  changeset.set_number(1);
  for (auto& operation : operations) *changeset.add_operations() = std::move(operation);
  return changeset;
}

// Protobuf wire bytes: field `number` as length-delimited, with the length prefix given.
std::string length_delimited(int number, std::uint64_t claimed_length, std::string_view body) {
  std::string out(1, static_cast<char>((number << 3) | 2));
  do {
    std::uint8_t byte = claimed_length & 0x7F;
    claimed_length >>= 7;
    if (claimed_length) byte |= 0x80;
    out.push_back(static_cast<char>(byte));
  } while (claimed_length);
  out.append(body);
  return out;
}

// After every refusal: the same server still merges a good first changeset from the device.
void still_serves(InProcessServer& org, const RogueDevice& device) {
  pb::PushRequest good;
  good.add_changesets(
      first_changeset(device, {write_operation(device, "pdm-survey", "satisfaction", "4", "amina")}).SerializeAsString());
  const HttpResponse response = device.push(org, good);
  REQUIRE_MESSAGE(response.status == 200, response.body);
  const envelope::Recipient me{device.box.public_key, &device.box.secret_key};
  auto org_key = [&](crypto::ByteView) -> Result<crypto::PublicKey> { return org.keys.sign.public_key; };
  auto opened = envelope::open(crypto::as_bytes(response.body), envelope::Purpose::push_response, me, org_key);
  REQUIRE(opened.ok());
  pb::PushResponse reply;
  REQUIRE(reply.ParseFromArray(opened->payload.data(), static_cast<int>(opened->payload.size())));
  REQUIRE(reply.results_size() == 1);
  CHECK(reply.results(0).outcome() == pb::PushResponse::MERGED);
}

}  // namespace

TEST_CASE("hostile: length prefixes claiming gigabytes are malformed requests, and the server carries on") {
  InProcessServer org;
  RogueDevice device;
  device.enroll(org);
  constexpr std::uint64_t k4GiB = std::uint64_t{4} << 30;

  // The push itself: a changesets field that says 4 GiB follow.
  HttpResponse response = device.push_raw(org, length_delimited(2, k4GiB, "abc"));
  CHECK(response.status == 400);
  CHECK(response.rejection == "malformed");
  CHECK(response.body == "push request does not parse\n");

  // A well-formed push whose changeset claims 4 GiB of operations.
  pb::PushRequest push;
  push.add_changesets("\x10\x01" + length_delimited(6, k4GiB, "\x0a\x10"));
  response = device.push(org, push);
  CHECK(response.status == 400);
  CHECK(response.body == "a changeset does not parse or is too large\n");

  // Anyone can seal to the org's public key: a SignedMessage claiming 2 GiB of payload.
  const std::string forged = length_delimited(3, std::uint64_t{2} << 30, std::string(64, 'p'));
  response = org.call("POST", "/v1/push", text(crypto::box_seal(org.keys.box.public_key, crypto::as_bytes(forged))));
  CHECK(response.status == 400);
  CHECK(response.rejection == "forged");
  still_serves(org, device);
}

TEST_CASE("hostile: counts past the service limits are refused before anything merges") {
  InProcessServer org;
  RogueDevice device;
  device.enroll(org);
  const ServiceLimits limits;

  pb::PushRequest too_many_changesets;
  for (std::size_t i = 0; i <= limits.max_changesets_per_push; ++i) {
    pb::Changeset changeset = first_changeset(device, {});
    changeset.set_number(i + 1);
    too_many_changesets.add_changesets(changeset.SerializeAsString());
  }
  HttpResponse response = device.push(org, too_many_changesets);
  CHECK(response.status == 400);
  CHECK(response.body == "push carries more than 64 changesets\n");

  std::vector<pb::Operation> operations(limits.max_operations_per_changeset + 1,
                                        write_operation(device, "pdm-survey", "satisfaction", "4", "amina"));
  pb::PushRequest too_many_operations;
  too_many_operations.add_changesets(first_changeset(device, operations).SerializeAsString());
  response = device.push(org, too_many_operations);
  CHECK(response.status == 400);
  CHECK(response.body == "a changeset does not parse or is too large\n");
  CHECK(org.store->counts()->records == 0);

  pb::PullRequest pull;
  pull.set_server_nonce(org.nonce());
  for (std::size_t i = 0; i <= limits.max_held_cases; ++i) pull.add_held_cases(std::string(16, 'c'));
  response = org.call("POST", "/v1/pull", device.seal(org, envelope::Purpose::pull_request, pull.SerializeAsString()));
  CHECK(response.status == 400);
  CHECK(response.body == "pull names more than 200000 held cases\n");
  still_serves(org, device);
}

TEST_CASE("hostile: protobufs nested 100 000 deep are refused, from a stranger or an enrolled device") {
  InProcessServer org;
  RogueDevice device;
  device.enroll(org);
  // Start-group tags of an unknown field: skipping them recurses, so only protobuf's
  // recursion limit keeps this from overflowing the stack.
  const std::string nested(100'000, static_cast<char>((15 << 3) | 3));
  HttpResponse response =
      org.call("POST", "/v1/push", text(crypto::box_seal(org.keys.box.public_key, crypto::as_bytes(nested))));
  CHECK(response.status == 400);
  CHECK(response.rejection == "forged");

  response = device.push_raw(org, nested);
  CHECK(response.status == 400);
  CHECK(response.body == "push request does not parse\n");

  pb::PushRequest push;
  push.add_changesets(nested);
  response = device.push(org, push);
  CHECK(response.status == 400);
  CHECK(response.body == "a changeset does not parse or is too large\n");

  // Nesting through length-delimited unknown fields, each the whole of its parent: the
  // parser skips them as bytes, so the changeset parses empty and is refused for naming
  // no device. Headers are written outermost first, from the sizes computed inside out.
  std::vector<std::uint64_t> sizes{0};
  for (int i = 0; i < 100'000; ++i) sizes.push_back(length_delimited(15, sizes.back(), "").size() + sizes.back());
  std::string wrapped;
  for (std::size_t i = sizes.size() - 1; i > 0; --i) wrapped += length_delimited(15, sizes[i - 1], "");
  REQUIRE(wrapped.size() == sizes.back());
  pb::PushRequest wrapped_push;
  wrapped_push.add_changesets(wrapped);
  response = device.push(org, wrapped_push);
  CHECK(response.status == 400);
  CHECK(response.body == "a changeset names another device than its sender\n");
  still_serves(org, device);
}

TEST_CASE("hostile: a signed payload that decompresses past 64 MiB is refused, from a device with valid keys") {
  InProcessServer org;
  RogueDevice device;
  device.enroll(org);
  // 65 MiB of zeros is about 2 KiB compressed: what a rogue device can afford to send.
  const std::string bomb((65u << 20), '\0');
  const std::string sealed = device.seal(org, envelope::Purpose::push_request, bomb);
  CHECK(sealed.size() < 16 * 1024);
  const HttpResponse response = org.call("POST", "/v1/push", sealed);
  CHECK(response.status == 400);
  CHECK(response.rejection == "malformed");
  CHECK(response.body.find("message payload: compressed data would expand to 68157440 bytes, over the limit") == 0);
  still_serves(org, device);
}

TEST_CASE("hostile: SQL metacharacters in names a device sends are stored and read back literally") {
  InProcessServer org;
  // The author of a write is the device's enrolled user: the metacharacters go in there.
  const std::string author = "robert'); DROP TABLE users;--";
  REQUIRE(org.store->add_user({author, Role::assistant, "um-dukhun"}).ok());
  RogueDevice device;
  auto code = issue_enrollment_code(*org.store, author, std::chrono::hours(1), kNow);
  REQUIRE(code.ok());
  REQUIRE(device.enroll(org, EnrollmentCode::parse(code->code)->token).status == 200);
  const std::string form_id = "pdm'; DROP TABLE records; --";
  const std::string field = "x\" OR \"1\"=\"1";
  const std::string value = "'); DELETE FROM devices; --";
  pb::PushRequest push;
  push.add_changesets(first_changeset(device, {write_operation(device, "pdm-survey", field, value, author),
                                               write_operation(device, form_id, field, value, author)})
                          .SerializeAsString());
  const HttpResponse response = device.push(org, push);
  REQUIRE_MESSAGE(response.status == 200, response.body);

  auto records = org.store->records(std::nullopt);
  REQUIRE(records.ok());
  REQUIRE(records->size() == 1);
  CHECK(records->front().form_id == "pdm-survey");
  CHECK(records->front().author == author);
  CHECK(records->front().values.at(field) == value);
  CHECK(org.store->records(std::string_view("pdm"))->empty());  // no prefix or pattern matching
  // A form nobody published is refused, and kept aside as it came.
  auto refused = org.store->refused_writes(true);
  REQUIRE(refused.ok());
  REQUIRE(refused->size() == 1);
  CHECK(refused->front().rule == "unknown_form");
  CHECK(refused->front().user == author);
  CHECK(refused->front().fields == std::vector<std::string>{field});
  CHECK(refused->front().operation->form_id() == form_id);
  CHECK(refused->front().operation->writes(0).value() == value);
  CHECK(org.store->device(device.id).ok());
  CHECK(org.store->user("amina").ok());
  RogueDevice other;
  other.enroll(org);
  still_serves(org, other);
}

TEST_CASE("hostile: SQL metacharacters in user names and provider CSV columns round-trip, bad ids are refused") {
  InProcessServer org;
  const std::string user = "o'brien\"; DROP TABLE users; --";
  REQUIRE(org.store->add_user({user, Role::officer, "team'--"}).ok());
  auto found = org.store->user(user);
  REQUIRE(found.ok());
  CHECK(found->name == user);
  CHECK(found->team == "team'--");
  CHECK(org.store->user("o'brien").status().code() == ErrorCode::not_found);
  CHECK(org.store->counts()->users == 2);

  const std::string csv =
      "id,name,services,location,contact,hours,criteria,active\r\n"
      "amal-clinic,\"Robert'); DROP TABLE providers;--\",health,\"Um Dukhun\"\" OR 1=1 --\",'; --,%_*,\\x00;,yes\r\n";
  auto providers = providers_from_csv(csv, kNow);
  REQUIRE_MESSAGE(providers.ok(), providers.status().message());
  REQUIRE(org.store->import_providers(*providers).ok());
  auto stored = org.store->provider("amal-clinic");
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK((*stored)->name == "Robert'); DROP TABLE providers;--");
  CHECK((*stored)->location == "Um Dukhun\" OR 1=1 --");
  CHECK((*stored)->contact == "'; --");
  CHECK((*stored)->hours == "%_*");
  CHECK((*stored)->criteria == "\\x00;");
  CHECK(org.store->providers(true)->size() == 1);

  for (const std::string id : {"x'; DROP TABLE providers; --", "a%", "A_B", "../etc"}) {
    CAPTURE(id);
    auto refused = providers_from_csv("id,name,services,location\r\n\"" + id + "\",N,health,L\r\n", kNow);
    CHECK(refused.status().code() == ErrorCode::invalid_argument);
    CHECK(refused.status().message().rfind("row 2: id ", 0) == 0);
  }
}

TEST_CASE("hostile: an enrollment token of the right length but wrong by one bit is refused, the right one works") {
  InProcessServer org;
  auto code = issue_enrollment_code(*org.store, "amina", std::chrono::hours(1), kNow);
  REQUIRE(code.ok());
  const auto token = EnrollmentCode::parse(code->code)->token;
  // Tokens are compared as BLAKE2b hashes, by the store's primary-key lookup: a guess
  // learns nothing from timing about how many bytes of the token it got right.
  for (std::size_t byte : {std::size_t{0}, token.size() - 1}) {
    auto wrong = token;
    wrong[byte] ^= 0x01;
    RogueDevice guesser;
    const HttpResponse refused = guesser.enroll(org, wrong);
    CHECK(refused.status == 403);
    CHECK(refused.rejection == "enrollment_refused");
    CHECK(org.store->device(guesser.id).status().code() == ErrorCode::not_found);
  }
  RogueDevice device;
  CHECK(device.enroll(org, token).status == 200);
  // The token itself is nowhere in the store, only its hash.
  const std::string db = testing::read_file(org.dir.path() / "central.db");
  CHECK(db.find(std::string(token.begin(), token.end())) == std::string::npos);
}

namespace {

using testing::LoopbackClient;
using testing::starts_with;

HttpOptions without_request_log(HttpOptions options) {
  options.log_requests = false;
  return options;
}

struct Front : testing::LoopbackHttpServer {
  explicit Front(HttpOptions options)
      : LoopbackHttpServer(without_request_log(std::move(options)),
                           [](const HttpRequest&) { return HttpResponse{200, "text/plain", "served\n", ""}; }) {}
  std::string get(const std::string& path) {
    LoopbackClient client(server->port());
    // Unchecked: a connection past the limit is answered 503 and closed, whether or not
    // the request got through first.
    static_cast<void>(client.send("GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
    return client.read_until_closed();
  }
};

}  // namespace

TEST_CASE("hostile: a slowloris dripping one header byte at a time is cut off at the header timeout") {
  HttpOptions options;
  options.header_timeout = std::chrono::milliseconds(300);
  Front front(options);
  LoopbackClient drip(front.server->port());
  // Each byte arrives well within any per-read timeout; only a deadline on the whole
  // header stops this. 200 bytes at 20 ms is four seconds, more than ten timeouts.
  const std::string request = "POST /v1/push HTTP/1.1\r\nHost: t\r\nX-Slow: " + std::string(200, 'a');
  bool cut_off = false;
  for (char c : request) {
    if (!drip.send(std::string(1, c))) {
      cut_off = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(cut_off);
  CHECK(starts_with(front.get("/v1/push"), "HTTP/1.1 200"));
}

TEST_CASE("hostile: a client that sends its headers and then trickles the body is cut off at the transfer floor") {
  HttpOptions options;
  // A byte every 20 ms is about 15 bytes a window: below the floor of 100.
  options.transfer_window = std::chrono::milliseconds(300);
  options.min_transfer_bytes = 100;
  Front front(options);
  LoopbackClient slow(front.server->port());
  REQUIRE(slow.send("POST /v1/push HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n"));
  bool cut_off = false;
  for (int i = 0; i < 200 && !cut_off; ++i) {
    cut_off = !slow.send("b");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(cut_off);
  CHECK(starts_with(front.get("/v1/push"), "HTTP/1.1 200"));
}

TEST_CASE("hostile: connections past max_connections get 503 and are closed, the ones inside are served") {
  HttpOptions options;
  options.max_connections = 3;
  options.header_timeout = std::chrono::milliseconds(2000);
  Front front(options);
  std::vector<std::unique_ptr<LoopbackClient>> holders;
  for (std::size_t i = 0; i < options.max_connections; ++i) {
    holders.push_back(std::make_unique<LoopbackClient>(front.server->port()));
  }
  // Sessions count as they are accepted, in order: wait for the last holder's to exist.
  for (int i = 0; i < 500 && front.metrics->value("amana_http_connections_total") < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (int i = 0; i < 5; ++i) {
    LoopbackClient excess(front.server->port());
    const std::string answer = excess.read_until_closed();
    CHECK(starts_with(answer, "HTTP/1.1 503"));
  }
  CHECK(front.metrics->value("amana_http_rejections_total", "reason=\"too_many_connections\"") == 5);

  // A connection inside the limit is served all the while.
  REQUIRE(holders[0]->send("GET /v1/x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  CHECK(starts_with(holders[0]->read_until_closed(), "HTTP/1.1 200"));

  // Silent holders are cut at the header timeout, which frees their places for others.
  for (std::size_t i = 1; i < holders.size(); ++i) CHECK(holders[i]->read_until_closed().empty());
  std::string served;
  for (int i = 0; i < 100 && !starts_with(served, "HTTP/1.1 200"); ++i) {
    served = front.get("/v1/push");
    if (!starts_with(served, "HTTP/1.1 200")) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(starts_with(served, "HTTP/1.1 200"));
}

}  // namespace amana::server

namespace amana::server {

// Export names. The operator chooses --out and it is taken as written, `..` and all: it is
// their file system and their privileges. What the server derives from it (the codebook,
// OUT.codebook.csv) stays beside it under the same name, so it cannot escape; and a --out
// that cannot be written (a directory) is a clear error that leaves nothing behind.
TEST_CASE("hostile: export and report paths with '..', a newline or a directory go exactly where asked, or nowhere") {
  namespace fs = std::filesystem;
  const std::map<std::string, std::string> env = {{"AMANA_SERVER_PASSPHRASE", "operator passphrase for tests"}};
  testing::TempDir dir;
  auto server = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {AMANA_SYNC_SERVER_BIN, "--data", (dir.path() / "server").string()});
    return testing::run_command(args, env);
  };
  REQUIRE(server({"init"}).exit_code == 0);
  const fs::path exports = dir.path() / "exports";
  fs::create_directories(exports / "sub");
  auto files_in = [](const fs::path& where) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(where)) names.insert(entry.path().filename().string());
    return names;
  };

  const auto dotted = server({"export", "--form", "pdm-survey", "--out", (exports / "sub" / ".." / "pdm.csv").string()});
  REQUIRE_MESSAGE(dotted.exit_code == 0, dotted.err);
  const auto newline = server({"export", "--form", "pdm-survey", "--out", (exports / "two\nlines.csv").string()});
  REQUIRE_MESSAGE(newline.exit_code == 0, newline.err);
  CHECK(files_in(exports) ==
        std::set<std::string>{"sub", "pdm.csv", "pdm.csv.codebook.csv", "two\nlines.csv", "two\nlines.csv.codebook.csv"});
  CHECK(files_in(exports / "sub").empty());

  for (const std::string& out : {(exports / "sub").string() + "/", (exports / "sub").string()}) {
    CAPTURE(out);
    const auto refused = server({"export", "--form", "pdm-survey", "--out", out});
    CHECK(refused.exit_code != 0);
    CHECK(testing::contains(refused.err, "already exists: choose another name, or add --force"));
    const auto report = server({"report", "--period", "2026-10", "--out", out});
    CHECK(report.exit_code != 0);
    CHECK(testing::contains(report.err, "already exists: choose another name, or add --force"));
    // Even when told to replace it, a directory is not a file to replace.
    const auto forced = server({"export", "--form", "pdm-survey", "--out", out, "--force"});
    CHECK(forced.exit_code != 0);
    CHECK(forced.err.rfind("error: cannot move ", 0) == 0);
  }
  CHECK(files_in(exports / "sub").empty());  // no partial file left inside it
  CHECK(files_in(exports).size() == 5);      // nor beside it
}

}  // namespace amana::server
