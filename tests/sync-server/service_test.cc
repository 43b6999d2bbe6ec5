// The sync protocol in process: a real SQLite central store and the real service, with
// devices simulated at the message level, so that replays, tampering, gaps, forks and
// arrival orders can be staged exactly.
#include "sync-server/service.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "common/enrollment_code.h"
#include "common/envelope.h"
#include "sync-server/admin.h"
#include "tests/support.h"
#include "tests/sync-server/in_process.h"

namespace amana::server {
namespace {

using testing::InProcessServer;

std::string to_string(const crypto::Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

struct SimulatedDevice : testing::MessageDevice {
  pb::Operation write(const RecordId& record, const std::string& field, const std::string& value, HlcTime hlc,
                      HlcTime base, bool create = false, const std::string& form = "pdm-survey") const {
    pb::Operation operation;
    operation.set_record_id(record.bytes.data(), record.bytes.size());
    operation.set_kind(create ? pb::Operation::CREATE : pb::Operation::UPDATE);
    operation.set_form_id(form);
    operation.set_form_version(1);
    operation.set_hlc(static_cast<std::uint64_t>(hlc));
    operation.set_device_id(id.bytes.data(), id.bytes.size());
    operation.set_author("amina");
    operation.set_created_at_ms(1'800'000'000'000);
    auto* w = operation.add_writes();
    w->set_field(field);
    w->set_value(value);
    w->set_hlc(static_cast<std::uint64_t>(hlc));
    w->set_base_hlc(static_cast<std::uint64_t>(base));
    return operation;
  }
};

HlcTime at(std::int64_t ms) { return make_hlc(ms, 0); }

}  // namespace

TEST_CASE("sync: a changeset sent twice merges once, a gap is refused with the number expected") {
  InProcessServer server;
  SimulatedDevice device;
  device.enroll(server);
  const RecordId record = new_record_id(1'800'000'000'000);
  const std::string first = device.changeset({device.write(record, "satisfaction", "4", at(1), HlcTime{0}, true)});
  auto merged = device.push(server, {first});
  REQUIRE_MESSAGE(merged.ok(), merged.status().message());
  CHECK(merged->results(0).outcome() == pb::PushResponse::MERGED);
  CHECK(merged->high_water() == 1);

  // The acknowledgement was lost; the device sends the same bytes again.
  auto again = device.push(server, {first});
  REQUIRE(again.ok());
  CHECK(again->results(0).outcome() == pb::PushResponse::ALREADY_APPLIED);
  CHECK(server.count_records() == 1);
  CHECK(server.store->counts()->field_versions == 1);

  device.changeset({device.write(record, "satisfaction", "5", at(2), at(1))});  // number 2, never sent
  const std::string third = device.changeset({device.write(record, "comments", "ok", at(3), HlcTime{0})});
  auto gap = device.push(server, {third});
  REQUIRE(gap.ok());
  CHECK(gap->results(0).outcome() == pb::PushResponse::GAP);
  CHECK(gap->expected_number() == 2);
  CHECK(server.store->counts()->field_versions == 1);
}

TEST_CASE("sync: a different changeset under a number already merged is a fork, kept aside") {
  InProcessServer server;
  SimulatedDevice device;
  device.enroll(server);
  const RecordId record = new_record_id(1'800'000'000'000);
  REQUIRE(device.push(server, {device.changeset({device.write(record, "satisfaction", "4", at(1), HlcTime{0}, true)})})
              ->results(0)
              .outcome() == pb::PushResponse::MERGED);
  SimulatedDevice clone;  // a copied store that went its own way from the start
  clone.id = device.id;
  const std::string forged = clone.changeset({clone.write(record, "satisfaction", "1", at(9), at(1))});
  auto fork = device.push(server, {forged});
  REQUIRE(fork.ok());
  CHECK(fork->results(0).outcome() == pb::PushResponse::FORK);
  CHECK(server.store->counts()->forks == 1);
  CHECK(server.store->records(std::nullopt)->at(0).values.at("satisfaction") == "4");
}

TEST_CASE("sync: a replayed request, a flipped byte, an unknown or revoked device and another org are refused") {
  InProcessServer server;
  SimulatedDevice device;
  device.enroll(server);
  const RecordId record = new_record_id(1'800'000'000'000);
  const std::string request =
      device.push_request(server, {device.changeset({device.write(record, "satisfaction", "4", at(1), HlcTime{0}, true)})});

  // Any single flipped byte: rejected, nothing merged (every 7th byte keeps the test quick).
  for (std::size_t i = 0; i < request.size(); i += 7) {
    std::string flipped = request;
    flipped[i] ^= 0x20;
    const HttpResponse response = server.call("POST", "/v1/push", flipped);
    CHECK(response.status == 400);
    CHECK(response.rejection == "forged");
  }
  CHECK(server.count_records() == 0);

  CHECK(server.call("POST", "/v1/push", request).status == 200);
  const HttpResponse replay = server.call("POST", "/v1/push", request);
  CHECK(replay.status == 409);
  CHECK(replay.rejection == "replayed");

  SimulatedDevice stranger;
  const HttpResponse unknown =
      server.call("POST", "/v1/push", stranger.push_request(server, {stranger.changeset({})}));
  CHECK(unknown.status == 403);
  CHECK(unknown.rejection == "unknown_device");

  InProcessServer other_org;
  const HttpResponse elsewhere =
      other_org.call("POST", "/v1/push", device.push_request(server, {device.changeset({})}));
  CHECK(elsewhere.status == 400);
  CHECK(elsewhere.rejection == "forged");

  REQUIRE(server.store->revoke(device.id, server.now).ok());
  const HttpResponse revoked = server.call("POST", "/v1/push", device.push_request(server, {}));
  CHECK(revoked.status == 403);
  CHECK(revoked.rejection == "revoked");
}

TEST_CASE("sync: enrollment codes are single use and expire") {
  InProcessServer server;
  auto code = issue_enrollment_code(*server.store, "amina", std::chrono::minutes(10), server.now);
  REQUIRE(code.ok());
  auto token = crypto::hash(EnrollmentCode::parse(code->code)->token);
  Device first;
  first.id = new_device_id();
  CHECK(server.store->enroll(token, first, server.now).ok());
  Device second;
  second.id = new_device_id();
  CHECK(server.store->enroll(token, second, server.now).status().code() == ErrorCode::permission_denied);

  auto short_lived = issue_enrollment_code(*server.store, "amina", std::chrono::minutes(10), server.now);
  auto late = crypto::hash(EnrollmentCode::parse(short_lived->code)->token);
  CHECK(server.store->enroll(late, second, server.now + 11 * 60 * 1000).status().code() ==
        ErrorCode::permission_denied);
  CHECK(issue_enrollment_code(*server.store, "nobody", std::chrono::minutes(1), server.now).status().code() ==
        ErrorCode::not_found);
}

TEST_CASE("sync: two devices editing one record converge whatever the arrival order, keeping the conflict") {
  // Amina's two devices: A opens a case and later edits its risk level having seen its
  // first value; B, which pulled the case, edits it concurrently (it too saw only the
  // first). Both may write it: it is assigned to their user. B learnt the case from the
  // server, so its edit always arrives after A's first changeset; in any such order the
  // central store ends the same.
  const RecordId record = new_record_id(1'800'000'000'000);
  std::vector<std::string> outcomes;
  const std::vector<std::vector<int>> orders = {{0, 1, 2}, {0, 2, 1}};
  for (const auto& order : orders) {
    InProcessServer server;
    SimulatedDevice a;
    SimulatedDevice b;
    a.enroll(server);
    b.enroll(server);
    pb::Operation opened = a.write(record, "risk_level", "low", at(1), HlcTime{0}, true, "case");
    auto* status = opened.add_writes();
    status->set_field("status");
    status->set_value("identified");
    status->set_hlc(static_cast<std::uint64_t>(at(1)));
    const std::string a1 = a.changeset({opened});
    const std::string a2 = a.changeset({a.write(record, "risk_level", "high", at(3), at(1), false, "case")});
    const std::string b1 = b.changeset({b.write(record, "risk_level", "medium", at(2), at(1), false, "case")});
    const std::vector<std::pair<const SimulatedDevice*, std::string>> changesets = {{&a, a1}, {&a, a2}, {&b, b1}};
    for (int index : order) {
      auto result = changesets[static_cast<std::size_t>(index)].first->push(server, {changesets[static_cast<std::size_t>(index)].second});
      REQUIRE(result.ok());
      CHECK_MESSAGE(result->results(0).outcome() == pb::PushResponse::MERGED, "changeset index " << index);
      CHECK(result->refused_size() == 0);
    }
    auto records = server.store->records(std::nullopt);
    REQUIRE(records->size() == 1);
    auto history = server.store->field_history(record, "risk_level");
    REQUIRE(history->size() == 3);  // nothing superseded is lost
    outcomes.push_back(records->at(0).values.at("risk_level") + " conflicts=" +
                       std::to_string(server.store->counts()->conflicts));
  }
  CHECK(outcomes[0] == "high conflicts=1");
  CHECK(std::all_of(outcomes.begin(), outcomes.end(), [&](const std::string& o) { return o == outcomes[0]; }));
}

TEST_CASE("sync: a new record whose operation writes one field twice keeps the later write, in either order") {
  // The merge skips reading back a new record's versions; a field written twice in one
  // operation must still be decided by its stamps.
  for (const bool later_first : {false, true}) {
    InProcessServer server;
    SimulatedDevice device;
    device.enroll(server);
    const RecordId record = new_record_id(1'800'000'000'000);
    pb::Operation operation = device.write(record, "satisfaction", later_first ? "5" : "3",
                                           later_first ? at(2) : at(1), later_first ? at(1) : HlcTime{0}, true);
    auto* second = operation.add_writes();
    second->set_field("satisfaction");
    second->set_value(later_first ? "3" : "5");
    second->set_hlc(static_cast<std::uint64_t>(later_first ? at(1) : at(2)));
    second->set_base_hlc(static_cast<std::uint64_t>(later_first ? HlcTime{0} : at(1)));
    auto merged = device.push(server, {device.changeset({operation})});
    REQUIRE_MESSAGE(merged.ok(), merged.status().message());
    CHECK(merged->results(0).outcome() == pb::PushResponse::MERGED);
    CHECK(server.store->records(std::nullopt)->at(0).values.at("satisfaction") == "5");
    CHECK(server.store->counts()->field_versions == 2);
    CHECK(server.store->counts()->conflicts == 0);
  }
}

}  // namespace amana::server

namespace amana::server {

TEST_CASE("sync: a push merges whole or not at all, and its reply carries the single-use nonce for the next request") {
  InProcessServer server;
  SimulatedDevice device;
  device.enroll(server);
  const RecordId record = new_record_id(1'800'000'000'000);
  const std::string good = device.changeset({device.write(record, "satisfaction", "4", at(1), HlcTime{0}, true)});
  const std::size_t audited_before = server.store->audit_log()->size();
  // One push is one transaction: a malformed changeset after a good one leaves nothing.
  const HttpResponse broken =
      server.call("POST", "/v1/push", device.push_request(server, {good, "not a changeset"}));
  CHECK(broken.status == 400);
  CHECK(server.count_records() == 0);
  CHECK(server.store->audit_log()->size() == audited_before);
  CHECK(server.metrics->value("amana_changesets_total", "outcome=\"merged\"") == 0);  // nor in /metrics

  auto merged = device.push(server, {good});
  REQUIRE_MESSAGE(merged.ok(), merged.status().message());
  CHECK(merged->results(0).outcome() == pb::PushResponse::MERGED);
  CHECK(server.count_records() == 1);
  CHECK(server.metrics->value("amana_changesets_total", "outcome=\"merged\"") == 1);
  REQUIRE(merged->next_nonce().size() == 32);

  // The carried nonce opens the pull instead of a GET /v1/nonce, once.
  pb::PullRequest request;
  request.set_server_nonce(merged->next_nonce());
  const envelope::Sender me{device.id.view(), &device.sign.secret_key};
  auto pull = [&] {
    return server.call("POST", "/v1/pull",
                       to_string(envelope::seal(envelope::Purpose::pull_request,
                                                crypto::as_bytes(request.SerializeAsString()), me,
                                                server.keys.box.public_key)));
  };
  CHECK(pull().status == 200);
  CHECK(pull().rejection == "replayed");
  // It expires like any other.
  auto later = device.push(server, {device.changeset({device.write(record, "comments", "ok", at(2), HlcTime{0})})});
  REQUIRE(later.ok());
  request.set_server_nonce(later->next_nonce());
  server.now += 6 * 60 * 1000;
  CHECK(pull().rejection == "replayed");
}

TEST_CASE("sync: a pull answers with the acknowledgement, and a replayed pull gets nothing") {
  InProcessServer server;
  SimulatedDevice device;
  device.enroll(server);
  const RecordId record = new_record_id(1'800'000'000'000);
  REQUIRE(device.push(server, {device.changeset({device.write(record, "satisfaction", "4", at(1), HlcTime{0}, true)})})
              .ok());
  pb::PullRequest request;
  request.set_server_nonce(server.nonce());
  const envelope::Sender me{device.id.view(), &device.sign.secret_key};
  const auto sealed = envelope::seal(envelope::Purpose::pull_request, crypto::as_bytes(request.SerializeAsString()), me,
                                     server.keys.box.public_key);
  const HttpResponse response = server.call("POST", "/v1/pull", to_string(sealed));
  REQUIRE(response.status == 200);
  const envelope::Recipient recipient{device.box.public_key, &device.box.secret_key};
  auto org = [&](crypto::ByteView) -> Result<crypto::PublicKey> { return server.keys.sign.public_key; };
  auto opened = envelope::open(crypto::as_bytes(response.body), envelope::Purpose::pull_response, recipient, org);
  REQUIRE(opened.ok());
  pb::DeviceUpdate update;
  REQUIRE(update.ParseFromArray(opened->payload.data(), static_cast<int>(opened->payload.size())));
  CHECK(update.acknowledged_changeset() == 1);
  CHECK_FALSE(update.revoked());

  const HttpResponse replayed = server.call("POST", "/v1/pull", to_string(sealed));
  CHECK(replayed.status == 409);
  CHECK(replayed.rejection == "replayed");
  CHECK(replayed.body.find("nonce") != std::string::npos);

  REQUIRE(server.store->revoke(device.id, server.now).ok());
  request.set_server_nonce(server.nonce());
  const auto after_revocation = envelope::seal(envelope::Purpose::pull_request,
                                               crypto::as_bytes(request.SerializeAsString()), me,
                                               server.keys.box.public_key);
  CHECK(server.call("POST", "/v1/pull", to_string(after_revocation)).status == 403);
}

namespace {

// A relay that got the device to seal to the relay's key (a store pointed at it): it opens
// each message, keeps the plaintext and seals the signed inner message again for the real
// server, which is what it would forward.
crypto::Bytes resealed_by_relay(const crypto::Bytes& sealed, const crypto::BoxKeyPair& relay,
                                const crypto::PublicKey& real_recipient) {
  auto inner = crypto::box_open(relay.public_key, relay.secret_key, sealed);
  REQUIRE(inner.ok());  // the relay reads it: the binding cannot prevent that, only its use
  return crypto::box_seal(real_recipient, *inner);
}

}  // namespace

TEST_CASE("relay: a push or pull a relay opened and sealed again for the server is refused, nothing merges, and "
          "the honest device keeps syncing") {
  InProcessServer server;
  SimulatedDevice device;
  device.enroll(server);
  const crypto::BoxKeyPair relay = crypto::BoxKeyPair::generate();
  const RecordId record = new_record_id(1'800'000'000'000);
  const std::string changeset = device.changeset({device.write(record, "satisfaction", "4", at(1), HlcTime{0}, true)});

  pb::PushRequest push;
  push.set_server_nonce(server.nonce());
  push.add_changesets(changeset);
  const envelope::Sender me{device.id.view(), &device.sign.secret_key};
  const auto to_relay = envelope::seal(envelope::Purpose::push_request, crypto::as_bytes(push.SerializeAsString()), me,
                                       relay.public_key);
  const HttpResponse relayed =
      server.call("POST", "/v1/push", to_string(resealed_by_relay(to_relay, relay, server.keys.box.public_key)));
  CHECK(relayed.status == 400);
  CHECK(relayed.rejection == "forged");
  CHECK(relayed.body.find("signed for another recipient") != std::string::npos);
  CHECK(server.count_records() == 0);
  CHECK(server.store->device(device.id)->high_water == 0);

  pb::PullRequest pull;
  pull.set_server_nonce(server.nonce());
  const auto pull_to_relay = envelope::seal(envelope::Purpose::pull_request, crypto::as_bytes(pull.SerializeAsString()),
                                            me, relay.public_key);
  const HttpResponse pulled =
      server.call("POST", "/v1/pull", to_string(resealed_by_relay(pull_to_relay, relay, server.keys.box.public_key)));
  CHECK(pulled.status == 400);
  CHECK(pulled.rejection == "forged");
  CHECK(pulled.body.empty() == false);
  CHECK(pulled.content_type.find("text/plain") == 0);  // nothing sealed for anyone came back

  // The same changeset, sealed to the server by the device itself, merges.
  auto merged = device.push(server, {changeset});
  REQUIRE_MESSAGE(merged.ok(), merged.status().message());
  CHECK(merged->results(0).outcome() == pb::PushResponse::MERGED);
  CHECK(server.count_records() == 1);
}

TEST_CASE("sync: every update the org signs for a device carries its issue time and the next number") {
  InProcessServer server;
  SimulatedDevice device;
  device.enroll(server);
  const envelope::Sender me{device.id.view(), &device.sign.secret_key};
  const envelope::Recipient recipient{device.box.public_key, &device.box.secret_key};
  auto org = [&](crypto::ByteView) -> Result<crypto::PublicKey> { return server.keys.sign.public_key; };
  auto update_of = [&](const crypto::Bytes& sealed) {
    auto opened = envelope::open(sealed, envelope::Purpose::pull_response, recipient, org);
    REQUIRE_MESSAGE(opened.ok(), opened.status().message());
    pb::DeviceUpdate update;
    REQUIRE(update.ParseFromArray(opened->payload.data(), static_cast<int>(opened->payload.size())));
    return update;
  };
  auto pull = [&] {
    pb::PullRequest request;
    request.set_server_nonce(server.nonce());
    const HttpResponse response =
        server.call("POST", "/v1/pull",
                    to_string(envelope::seal(envelope::Purpose::pull_request,
                                             crypto::as_bytes(request.SerializeAsString()), me,
                                             server.keys.box.public_key)));
    REQUIRE(response.status == 200);
    return update_of(crypto::Bytes(response.body.begin(), response.body.end()));
  };
  const pb::DeviceUpdate first = pull();
  CHECK(first.update_number() == 1);
  CHECK(first.issued_at_ms() == server.now);
  server.now += 60'000;
  auto bundle = server.service->export_bundle(device.id);  // bundles and pulls share one count
  REQUIRE(bundle.ok());
  const pb::DeviceUpdate second = update_of(*bundle);
  CHECK(second.update_number() == 2);
  CHECK(second.issued_at_ms() == server.now);
  CHECK(pull().update_number() == 3);
}

}  // namespace amana::server
