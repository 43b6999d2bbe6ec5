// What a pull says the device holds (protocol version 5, issue 13) is a claim, not a
// right: a device that lists another team's case ids in held_cases, or sends a digest
// forged over them, receives none of those cases. Listed, a case the device may not know
// is evicted (the device is told to drop it) and never believed held; a digest that is not
// the one of what the server sent the device only makes the server ask for the list.
// Played by the owner of an enrolled device (tests/sync-server/forge.h) against a real
// `sync-server serve` on 127.0.0.1.
#include <doctest/doctest.h>

#include "common/case_digest.h"
#include "common/ids.h"
#include "tests/support.h"
#include "tests/sync-server/forge.h"

using namespace amana;
using namespace amana::testing;

namespace {

std::string bytes_of(const RecordId& id) { return std::string(id.bytes.begin(), id.bytes.end()); }
std::string digest_of(const std::vector<RecordId>& ids) {
  const auto digest = held_cases_digest(ids);
  return std::string(digest.begin(), digest.end());
}

// No change of the case itself nor of any of its steps.
void check_nothing_of(const pb::DeviceUpdate& update, const RecordId& kase) {
  for (const pb::Operation& change : update.changes()) {
    CHECK(change.record_id() != bytes_of(kase));
    CHECK(change.case_id() != bytes_of(kase));
  }
}

}  // namespace

TEST_CASE("held cases: a device naming another team's cases, listed or by a forged digest, receives none of them") {
  ServerUnderTest server;
  REQUIRE(server.admin({"users", "add", "zara", "--role", "assistant", "--team", "zalingei"}).exit_code == 0);
  FieldDevice amina{"amina", 0};
  FieldDevice zara{"zara", 0};
  enroll(server, amina, "amina");
  enroll(server, zara, "zara");
  // Amina's case of the um-dukhun team, with steps: what Zara's device must never receive.
  const auto opened = RecordId::parse(open_example_case(amina, {"register", "assess"}));
  REQUIRE(opened.ok());
  const RecordId kase = *opened;
  const auto synced = zara.run({"sync"});
  REQUIRE_MESSAGE(synced.exit_code == 0, synced.err);
  DeviceOwner owner(zara);

  // A digest forged over Amina's case: not the digest of what the server sent Zara
  // (nothing), so it asks for the list and sends nothing.
  pb::PullRequest forged;
  forged.set_held_digest(digest_of({kase}));
  pb::DeviceUpdate update = owner.pull(server.url(), forged);
  CHECK(update.send_held_cases());
  CHECK(update.changes_size() == 0);
  CHECK(update.evicted_cases_size() == 0);

  // The list, naming Amina's case and an id the server never saw: the case is evicted,
  // nothing of it is sent; the unknown id is ignored.
  pb::PullRequest listed;
  listed.add_held_cases(bytes_of(kase));
  listed.add_held_cases(bytes_of(fresh_record_id()));
  update = owner.pull(server.url(), listed);
  CHECK_FALSE(update.send_held_cases());
  REQUIRE(update.evicted_cases_size() == 1);
  CHECK(update.evicted_cases(0) == bytes_of(kase));
  check_nothing_of(update, kase);
  CHECK(update.changes_size() == 0);

  // Listing it did not make the server believe Zara holds it: the digest of nothing is
  // what it believes, and the digest over the case is still refused.
  pb::PullRequest nothing;
  nothing.set_held_digest(digest_of({}));
  update = owner.pull(server.url(), nothing);
  CHECK_FALSE(update.send_held_cases());
  CHECK(update.changes_size() == 0);
  CHECK(update.evicted_cases_size() == 0);
  update = owner.pull(server.url(), forged);
  CHECK(update.send_held_cases());
  CHECK(update.changes_size() == 0);

  // After a new step of the case, the forged claims still get none of it; Amina's own
  // pull of the same moment does (the feed works, so its silence above means something).
  const auto followed = amina.run({"case", "plan", kase.to_string(), "--answers", example_answers("plan")});
  REQUIRE_MESSAGE(followed.exit_code == 0, followed.err);
  const auto amina_synced = amina.run({"sync"});
  REQUIRE_MESSAGE(amina_synced.exit_code == 0, amina_synced.err);
  update = owner.pull(server.url(), listed);
  CHECK(update.evicted_cases_size() == 1);
  check_nothing_of(update, kase);
  CHECK(update.changes_size() == 0);
  update = owner.pull(server.url(), forged);
  CHECK(update.send_held_cases());
  CHECK(update.changes_size() == 0);

  // Zara's own device, syncing as usual afterwards, holds no case.
  const auto again = zara.run({"sync"});
  REQUIRE_MESSAGE(again.exit_code == 0, again.err);
  const auto cases = zara.run({"cases"});
  REQUIRE_MESSAGE(cases.exit_code == 0, cases.err);
  CHECK(cases.out.find(kase.to_string()) == std::string::npos);
}
