// Write authority through the real sync service in process (tests/sync-server/in_process.h):
// an honest device's whole case cycle passes every rule, operations of one push see the
// ones admitted before them, replays are not judged again, the office's stamps stay after a
// device's at the bound, and a flood of refusals stays bounded.
#include "sync-server/write_authority.h"

#include <doctest/doctest.h>

#include "common/case_fields.h"
#include "common/envelope.h"
#include "common/enrollment_code.h"
#include "common/form_pack.h"
#include "field-client/cases.h"
#include "sync-server/admin.h"
#include "sync-server/case_admin.h"
#include "tests/support.h"
#include "tests/sync-server/in_process.h"

namespace amana::server {
namespace {

using testing::InProcessServer;

constexpr std::int64_t kNow = InProcessServer::kStartMs;
const DeviceId kDevice = new_device_id();
const RecordId kRecord = new_record_id(kNow);

std::string bytes(const RecordId& id) { return testing::id_bytes(id); }

pb::Operation op(const std::string& form, std::map<std::string, std::string> values, std::string author = "amina",
                 std::optional<RecordId> case_id = std::nullopt, HlcTime hlc = make_hlc(kNow, 0)) {
  return testing::make_operation({kDevice, kRecord, form, std::move(values), std::move(author), case_id, hlc, kNow});
}

// An enrolled device of `user`, talking to the in-process service at the message level.
struct EnrolledDevice : testing::MessageDevice {
  EnrolledDevice(InProcessServer& server, const std::string& user, std::optional<DeviceId> as = std::nullopt) {
    if (as) id = *as;
    enroll(server, user);
  }

  pb::PushResponse push(InProcessServer& server, const std::vector<std::string>& changesets) const {
    auto response = MessageDevice::push(server, changesets);
    REQUIRE_MESSAGE(response.ok(), response.status().message());
    return *response;
  }
};

pb::Operation on(const RecordId& record, pb::Operation operation) {
  operation.set_record_id(bytes(record));
  return operation;
}

}  // namespace

TEST_CASE("write authority: an honest device's whole case cycle, as field-client records it, passes every rule") {
  InProcessServer server;
  server.now = system_wall_clock()();
  testing::TempDir dir;
  auto store = field::Store::create(dir.path() / "home", "test passphrase", "amina", testing::cheap_store_options());
  REQUIRE(store.ok());
  auto pack = forms::FormPack::builtin();
  const forms::ValidationOptions options{forms::Language::en, "2026-11-23"};
  field::CaseBook book(*store, *pack, options);
  auto example = [&](const std::string& form_id) {
    const auto* form = *pack->find(form_id);
    return *forms::parse_answers_json(*form, testing::read_file(testing::kExamples + form_id + ".answers.json"));
  };
  pb::Provider provider;
  provider.set_id(example("referral").at("provider_id"));
  provider.add_services(example("referral").at("service_type"));
  provider.set_active(true);
  REQUIRE(store->replace_providers({provider}, 1).ok());
  const auto* identification_form = *pack->find("outreach-identification");
  const auto raw = example("outreach-identification");
  std::set<std::string, std::less<>> given;
  for (const auto& [name, value] : raw) given.insert(name);
  const RecordId identification =
      *store->add_record(*identification_form, *forms::validate_submission(*identification_form, raw, given, options));
  field::CaseOpening opening;
  opening.from_identification = identification;
  const RecordId kase = *book.open(opening);
  RecordId referral;
  for (const auto& [event, form] : std::vector<std::pair<cases::CaseEvent, std::string>>{
           {cases::CaseEvent::reg, "case-registration"}, {cases::CaseEvent::assess, "case-assessment"},
           {cases::CaseEvent::plan, "case-plan"}, {cases::CaseEvent::refer, "referral"},
           {cases::CaseEvent::follow_up, "follow-up"}, {cases::CaseEvent::assess, "case-assessment"},
           {cases::CaseEvent::request_closure, "case-closure"}}) {
    auto step = book.record_step(kase, event, example(form));
    REQUIRE_MESSAGE(step.ok(), form, ": ", step.status().message());
    if (form == "referral") referral = *step;
  }
  REQUIRE(book.update_referral(referral, cases::ReferralStatus::accepted, "seen").ok());
  auto outbox = store->outbox(0, 1000);
  REQUIRE(outbox.ok());
  std::vector<pb::Operation> operations;
  for (const auto& entry : *outbox) operations.push_back(entry.operation);

  // All of it in one changeset: each step sees the case created before it.
  EnrolledDevice device(server, "amina", store->device());
  const auto response = device.push(server, {device.changeset(operations)});
  CHECK(response.results(0).outcome() == pb::PushResponse::MERGED);
  for (const auto& refused : response.refused()) FAIL_CHECK(refused.rule() << ": " << refused.reason());
  CHECK(server.store->counts()->records == static_cast<std::int64_t>(1 + 1 + 7));
  auto listed = list_cases(*server.store);
  REQUIRE(listed->size() == 1);
  CHECK(listed->front().status == cases::CaseStatus::closure_requested);
  // The office decides; the case is the office's to move on.
  REQUIRE(server.store->add_user({"omar", Role::officer, "um-dukhun"}).ok());
  REQUIRE(decide_closure(*server.store, kase, true, "omar", server.now).ok());
  CHECK(list_cases(*server.store)->front().status == cases::CaseStatus::closed);
}

TEST_CASE("write authority: a push's operations see the ones admitted before them, replays are not judged again") {
  InProcessServer server;
  EnrolledDevice device(server, "amina");
  const RecordId kase = new_record_id(kNow, 7);
  const RecordId refused_case = new_record_id(kNow, 8);
  const RecordId step = new_record_id(kNow, 9);
  const RecordId orphan = new_record_id(kNow, 10);
  const RecordId later_step = new_record_id(kNow, 11);
  // The case, then its step, in one changeset; a refused case, then its step; and in the
  // next changeset of the same push, another step of the first case.
  const std::string first = device.changeset({
      on(kase, op("case", {{"status", "identified"}, {"name", "A"}})),
      on(step, op("case-registration", {{"full_name", "A"}}, "amina", kase)),
      on(refused_case, op("case", {{"status", "identified"}, {"assigned_to", "amina"}})),
      on(orphan, op("case-registration", {{"full_name", "B"}}, "amina", refused_case)),
  });
  const std::string second = device.changeset({on(later_step, op("follow-up", {{"outcome", "o"}}, "amina", kase))});
  const auto response = device.push(server, {first, second});
  REQUIRE(response.results_size() == 2);
  CHECK(response.results(0).outcome() == pb::PushResponse::MERGED);
  CHECK(response.results(1).outcome() == pb::PushResponse::MERGED);
  CHECK(response.high_water() == 2);
  REQUIRE(response.refused_size() == 2);
  CHECK(response.refused(0).rule() == "office_owned_field");
  CHECK(response.refused(0).changeset() == 1);
  CHECK(response.refused(1).rule() == "case_not_held");
  CHECK(response.refused(1).reason() == "the office holds no such case");
  CHECK(server.store->counts()->records == 3);
  CHECK(server.store->counts()->refused_writes == 2);
  CHECK(server.metrics->value("amana_operations_refused_total", "rule=\"office_owned_field\"") == 1);
  CHECK(server.metrics->value("amana_operations_merged_total") == 3);
  // Nothing refused is in the change log another device pulls.
  auto changes = server.store->case_page({}, {kase, refused_case}, 0, kOrgWriter, 1 << 20);
  REQUIRE(changes.ok());
  CHECK(changes->operations.size() == 3);

  const std::size_t audited = server.store->audit_log()->size();
  const auto again = device.push(server, {first, second});
  CHECK(again.results(0).outcome() == pb::PushResponse::ALREADY_APPLIED);
  CHECK(again.refused_size() == 0);
  CHECK(server.store->counts()->refused_writes == 2);
  CHECK(server.store->audit_log()->size() == audited + 1);  // the push itself, no refusal again
  CHECK(server.metrics->value("amana_operations_refused_total", "rule=\"office_owned_field\"") == 1);
}

TEST_CASE("write authority: the office's decision is stamped after a stamp at the bound, and a legacy end-of-time stamp is a clear error") {
  InProcessServer server;
  REQUIRE(server.store->add_user({"omar", Role::officer, "um-dukhun"}).ok());
  EnrolledDevice device(server, "amina");
  const RecordId kase = new_record_id(kNow, 3);
  const HlcTime bound = latest_acceptable_hlc(server.now);
  const auto response = device.push(
      server, {device.changeset({on(kase, op("case", {{"status", "identified"}, {"name", "A"}}, "amina", std::nullopt,
                                             bound))})});
  CHECK(response.refused_size() == 0);
  REQUIRE(assign_case(*server.store, kase, "amina", "omar", server.now).ok());
  auto history = server.store->field_history(kase, "assigned_to");
  REQUIRE(history->size() == 1);
  CHECK(history->front().stamp.hlc == next_hlc(bound));
  CHECK(history->front().stamp.device == kOrgWriter);

  // A store that took a forged end-of-time stamp before write authority (written here past
  // the service, as such a store holds it): the office cannot win, and says so.
  const RecordId poisoned = new_record_id(kNow, 4);
  pb::Changeset legacy;
  legacy.set_device_id(device.id.bytes.data(), device.id.bytes.size());
  legacy.set_number(device.number + 1);
  legacy.set_previous_hash(device.previous_hash);
  pb::Operation forged = on(poisoned, op("case", {{"status", "identified"}, {"name", "B"}}, "amina", std::nullopt, kMaxHlc));
  forged.set_device_id(device.id.bytes.data(), device.id.bytes.size());
  *legacy.add_operations() = forged;
  REQUIRE(server.store->apply_changeset(device.id, legacy.SerializeAsString(), legacy, server.now).ok());
  const Status decision = assign_case(*server.store, poisoned, "amina", "omar", server.now);
  CHECK(decision.code() == ErrorCode::corrupt);
  CHECK(decision.message().find("stamped at the end of time") != std::string::npos);
  CHECK(server.store->field_history(poisoned, "assigned_to")->empty());  // nothing wrapped round and lost
}

}  // namespace amana::server

namespace amana::server {

TEST_CASE("write authority: a flood of refusals is kept whole, but the reply, the audit log and the names stay bounded") {
  InProcessServer server;
  EnrolledDevice device(server, "amina");
  const std::string huge(1 << 20, 'f');
  std::vector<pb::Operation> operations;
  for (int i = 0; i < 1200; ++i) {
    operations.push_back(on(new_record_id(kNow, static_cast<std::uint16_t>(i)), op("pdm-survey", {{"x", "1"}}, "hawa")));
  }
  operations.push_back(on(new_record_id(kNow, 5000), op(huge, {{huge, "1"}})));
  const auto response = device.push(server, {device.changeset(operations)});
  CHECK(response.results(0).outcome() == pb::PushResponse::MERGED);
  CHECK(response.refused_size() == 1000);
  CHECK(response.refused_unlisted() == 201);
  CHECK(server.store->counts()->refused_writes == 1201);
  CHECK(server.metrics->value("amana_operations_refused_total", "rule=\"claimed_author\"") == 1200);
  CHECK(server.metrics->value("amana_operations_refused_total", "rule=\"unknown_form\"") == 1);
  std::size_t audited = 0;
  std::size_t longest = 0;
  const auto log = server.store->audit_log();  // held: a range-for over *temporary would dangle
  REQUIRE(log.ok());
  for (const AuditEntry& entry : *log) {
    audited += entry.event.action == "refused-write";
    longest = std::max(longest, entry.event.detail.size());
    if (entry.event.action == "push") CHECK(entry.event.detail.find("1201 operations refused") != std::string::npos);
  }
  CHECK(audited == 100);
  CHECK(longest < 4096);
  auto refused = server.store->refused_writes(true);
  REQUIRE(refused.ok());
  CHECK(refused->back().rule == "unknown_form");
  CHECK(refused->back().fields.front().size() < 80);  // the name, cut short...
  CHECK(refused->back().operation->form_id() == huge);  // ...the operation, kept whole
}

}  // namespace amana::server
