// Write authority as a specification: the rule table of sync-server/write_authority.h,
// rule by rule on the pure judge(); then through the real service in process, where an
// honest device's whole case cycle passes every rule, operations of one push see the
// ones admitted before them, replays are not judged again, and stamps stop exactly at
// the bound.
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
const DeviceId kOtherDevice = new_device_id();
const RecordId kRecord = new_record_id(kNow);
const RecordId kCase = new_record_id(kNow, 1);

std::string bytes(const RecordId& id) { return std::string(id.bytes.begin(), id.bytes.end()); }

pb::Operation op(const std::string& form, std::map<std::string, std::string> values, std::string author = "amina",
                 std::optional<RecordId> case_id = std::nullopt, HlcTime hlc = make_hlc(kNow, 0)) {
  pb::Operation operation;
  operation.set_record_id(bytes(kRecord));
  operation.set_form_id(form);
  operation.set_hlc(static_cast<std::uint64_t>(hlc));
  operation.set_device_id(std::string(kDevice.bytes.begin(), kDevice.bytes.end()));
  operation.set_author(std::move(author));
  operation.set_created_at_ms(kNow);
  if (case_id) operation.set_case_id(bytes(*case_id));
  for (const auto& [field, value] : values) {
    auto* write = operation.add_writes();
    write->set_field(field);
    write->set_value(value);
    write->set_hlc(static_cast<std::uint64_t>(hlc));
  }
  return operation;
}

Writer writer(Role role, std::string user = "amina", std::string team = "um-dukhun") {
  return {kDevice, std::move(user), role, std::move(team)};
}

std::string verdict(const Writer& w, const pb::Operation& operation, const WriteInputs& inputs = {}) {
  const auto refusal = judge(w, operation, inputs, kNow);
  return refusal ? std::string(write_rule_name(refusal->rule)) : "ok";
}

WriteInputs held_case(std::string holder, std::string team = "um-dukhun",
                      cases::CaseStatus status = cases::CaseStatus::assessed) {
  return {RecordOrigin{kOtherDevice, "case", std::nullopt}, CaseState{std::move(holder), std::move(team), status}};
}

WriteInputs step_of(std::string holder, std::string team = "um-dukhun",
                    cases::CaseStatus status = cases::CaseStatus::assessed) {
  return {std::nullopt, CaseState{std::move(holder), std::move(team), status}};
}

}  // namespace

TEST_CASE("write authority: which role's device may create which forms, as the table says") {
  const std::map<std::string, std::set<Role>> may_create = {
      {"outreach-identification", {Role::assistant, Role::officer}},
      {"rapid-protection-assessment", {Role::assistant, Role::officer, Role::meal, Role::admin}},
      {"pdm-survey", {Role::assistant, Role::officer, Role::meal, Role::admin}},
      {"case", {Role::assistant, Role::officer}},
  };
  for (const auto& [form, roles] : may_create) {
    for (Role role : {Role::assistant, Role::officer, Role::meal, Role::admin}) {
      CAPTURE(form);
      CAPTURE(role_name(role));
      std::map<std::string, std::string> values{{"x", "1"}};
      if (form == "case") values = {{"status", "identified"}, {"name", "A"}};
      CHECK((verdict(writer(role), op(form, values)) == "ok") == roles.contains(role));
    }
  }
  // A step: of a case the writer holds, by the roles that hold cases.
  for (Role role : {Role::assistant, Role::officer, Role::meal, Role::admin}) {
    const bool holds = role == Role::assistant || role == Role::officer;
    CHECK(verdict(writer(role), op("referral", {{"reason", "r"}}, "amina", kCase), step_of("amina")) ==
          (holds ? "ok" : "role_not_allowed"));
  }
  CHECK(verdict(writer(Role::assistant), op("survey-of-my-own", {{"x", "1"}})) == "unknown_form");
}

TEST_CASE("write authority: a device writes its own form records, the cases its user or team holds, never a transferred one") {
  const Writer amina = writer(Role::assistant);
  const pb::Operation update = op("pdm-survey", {{"satisfaction", "1"}});
  CHECK(verdict(amina, update, {RecordOrigin{kDevice, "pdm-survey", std::nullopt}, std::nullopt}) == "ok");
  CHECK(verdict(amina, update, {RecordOrigin{kOtherDevice, "pdm-survey", std::nullopt}, std::nullopt}) ==
        "not_own_record");

  const pb::Operation case_edit = op("case", {{"risk_level", "low"}});
  CHECK(verdict(amina, case_edit, held_case("amina")) == "ok");  // created on another device of hers
  CHECK(verdict(amina, case_edit, held_case("hawa")) == "case_not_held");  // her teammate's
  const pb::Operation by_omar = op("case", {{"risk_level", "low"}}, "omar");
  CHECK(verdict(writer(Role::officer, "omar"), by_omar, held_case("hawa")) == "ok");  // the team's officer
  CHECK(verdict(writer(Role::officer, "omar", "zalingei"), by_omar, held_case("hawa")) == "case_not_held");
  CHECK(verdict(writer(Role::officer, "omar", ""), by_omar, held_case("hawa", "")) == "case_not_held");
  CHECK(verdict(writer(Role::assistant, "hawa"), op("case", {{"risk_level", "low"}}, "hawa"),
                held_case("omar")) == "case_not_held");  // an assistant has no team reach
  CHECK(verdict(amina, case_edit, held_case("amina", "um-dukhun", cases::CaseStatus::transferred)) == "case_transferred");
  CHECK(verdict(amina, case_edit, {RecordOrigin{kOtherDevice, "case", std::nullopt}, std::nullopt}) == "case_not_held");

  const pb::Operation step = op("follow-up", {{"outcome", "seen"}}, "amina", kCase);
  CHECK(verdict(amina, step, step_of("amina")) == "ok");
  CHECK(verdict(amina, step, step_of("hawa")) == "case_not_held");
  CHECK(verdict(amina, step, {}) == "case_not_held");  // a case the office does not hold
  CHECK(verdict(amina, step, step_of("amina", "um-dukhun", cases::CaseStatus::transferred)) == "case_transferred");
  // A step stays writable after closure (a referral's outcome may come in late).
  CHECK(verdict(amina, step, step_of("amina", "um-dukhun", cases::CaseStatus::closed)) == "ok");
}

TEST_CASE("write authority: only a step names a case, and an update keeps a record's form and case") {
  const Writer amina = writer(Role::assistant);
  CHECK(verdict(amina, op("referral", {{"reason", "r"}})) == "case_link");
  CHECK(verdict(amina, op("pdm-survey", {{"x", "1"}}, "amina", kCase)) == "case_link");
  CHECK(verdict(amina, op("case", {{"status", "identified"}}, "amina", kCase)) == "case_link");
  const WriteInputs own_survey{RecordOrigin{kDevice, "pdm-survey", std::nullopt}, std::nullopt};
  CHECK(verdict(amina, op("case", {{"status", "identified"}}), own_survey) == "record_identity");
  CHECK(verdict(amina, op("pdm-survey", {{"x", "1"}}, "amina", kCase), own_survey) == "record_identity");
  const WriteInputs own_step{RecordOrigin{kDevice, "referral", kCase}, CaseState{"amina", "um-dukhun", {}}};
  CHECK(verdict(amina, op("referral", {{"status", "accepted"}}, "amina", kCase), own_step) == "ok");
  CHECK(verdict(amina, op("referral", {{"status", "accepted"}}, "amina", kRecord), own_step) == "record_identity");
  CHECK(verdict(amina, op("follow-up", {{"status", "accepted"}}, "amina", kCase), own_step) == "record_identity");
}

TEST_CASE("write authority: the office's case fields and statuses are never a device's") {
  const Writer amina = writer(Role::assistant);
  for (const cases::CaseField& field : cases::kCaseFields) {
    if (field.owner != cases::FieldOwner::office) continue;
    CAPTURE(field.name);
    CHECK(verdict(amina, op("case", {{std::string(field.name), "x"}}), held_case("amina")) == "office_owned_field");
    // Nor at creation, where the case would otherwise be born assigned.
    CHECK(verdict(amina, op("case", {{"status", "identified"}, {std::string(field.name), "x"}})) ==
          "office_owned_field");
  }
  CHECK(verdict(amina, op("case", {{"status", "closed"}}), held_case("amina")) == "office_owned_field");
  CHECK(verdict(amina, op("case", {{"status", "transferred"}}), held_case("amina")) == "office_owned_field");
  // Reopening: any status on a closed case.
  CHECK(verdict(amina, op("case", {{"status", "registered"}}), held_case("amina", "um-dukhun", cases::CaseStatus::closed)) ==
        "office_owned_field");
  // What a device writes in each step of the cycle (field-client/cases.cc).
  for (cases::CaseStatus status : {cases::CaseStatus::registered, cases::CaseStatus::assessed, cases::CaseStatus::planned,
                                   cases::CaseStatus::in_progress, cases::CaseStatus::closure_requested}) {
    CHECK(verdict(amina, op("case", {{"status", std::string(cases::status_name(status))}}), held_case("amina")) == "ok");
  }
  CHECK(verdict(amina, op("case", {{"status", "solved"}}), held_case("amina")) == "invalid_case_field");
  CHECK(verdict(amina, op("case", {{"favourite_colour", "blue"}}), held_case("amina")) == "invalid_case_field");
  CHECK(verdict(amina, op("case", {{"name", "A"}})) == "invalid_case_field");  // a new case with no status
  pb::Operation cleared = op("case", {{"status", ""}});
  cleared.mutable_writes(0)->set_cleared(true);
  CHECK(verdict(amina, cleared, held_case("amina")) == "invalid_case_field");
}

TEST_CASE("write authority: the author is the enrolled user, and stamps stop at the server's clock plus the bound") {
  const Writer amina = writer(Role::assistant);
  CHECK(verdict(amina, op("pdm-survey", {{"x", "1"}}, "hawa")) == "claimed_author");
  CHECK(verdict(Writer{kOrgWriter, "amina", Role::assistant, "um-dukhun"}, op("pdm-survey", {{"x", "1"}})) ==
        "claimed_author");
  const HlcTime bound = latest_acceptable_hlc(kNow);
  CHECK(hlc_millis(bound) == kNow + 15 * 3'600'000);
  CHECK(verdict(amina, op("pdm-survey", {{"x", "1"}}, "amina", std::nullopt, bound)) == "ok");
  CHECK(verdict(amina, op("pdm-survey", {{"x", "1"}}, "amina", std::nullopt, next_hlc(bound))) == "future_stamp");
  CHECK(verdict(amina, op("pdm-survey", {{"x", "1"}}, "amina", std::nullopt, kMaxHlc)) == "future_stamp");
  CHECK(verdict(amina, op("pdm-survey", {{"x", "1"}}, "amina", std::nullopt, HlcTime{~0ULL})) == "future_stamp");
  CHECK(verdict(amina, op("pdm-survey", {{"x", "1"}}, "amina", std::nullopt, make_hlc(kNow - 90LL * 86'400'000, 0))) ==
        "ok");  // behind is never refused
  pb::Operation base = op("pdm-survey", {{"x", "1"}});
  base.mutable_writes(0)->set_base_hlc(static_cast<std::uint64_t>(kMaxHlc));
  CHECK(verdict(amina, base) == "future_stamp");
  pb::Operation one_field = op("pdm-survey", {{"x", "1"}, {"y", "2"}});
  one_field.mutable_writes(1)->set_hlc(static_cast<std::uint64_t>(next_hlc(bound)));
  CHECK(verdict(amina, one_field) == "future_stamp");
  pb::Operation created = op("pdm-survey", {{"x", "1"}});
  created.set_created_at_ms(kNow + 16 * 3'600'000);
  CHECK(verdict(amina, created) == "future_stamp");
}

namespace {

// An enrolled device of `user`, talking to the in-process service at the message level.
struct EnrolledDevice {
  DeviceId id = new_device_id();
  crypto::SigningKeyPair sign = crypto::SigningKeyPair::generate();
  crypto::BoxKeyPair box = crypto::BoxKeyPair::generate();
  std::uint64_t number = 0;
  std::string previous_hash;

  EnrolledDevice(InProcessServer& server, const std::string& user, std::optional<DeviceId> as = std::nullopt) {
    if (as) id = *as;
    auto code = issue_enrollment_code(*server.store, user, std::chrono::hours(1), server.now);
    REQUIRE(code.ok());
    auto parsed = EnrollmentCode::parse(code->code);
    pb::EnrollRequest request;
    request.set_token(parsed->token.data(), parsed->token.size());
    request.set_device_id(id.bytes.data(), id.bytes.size());
    request.set_box_public_key(box.public_key.data(), box.public_key.size());
    request.set_server_nonce(server.nonce());
    const envelope::Sender self{crypto::ByteView(sign.public_key), &sign.secret_key};
    const auto sealed = envelope::seal(envelope::Purpose::enroll_request, crypto::as_bytes(request.SerializeAsString()),
                                       self, server.keys.box.public_key);
    REQUIRE(server.call("POST", "/v1/enroll", std::string(sealed.begin(), sealed.end())).status == 200);
  }

  std::string changeset(std::vector<pb::Operation> operations) {
    pb::Changeset changeset;
    changeset.set_device_id(id.bytes.data(), id.bytes.size());
    changeset.set_number(++number);
    changeset.set_previous_hash(previous_hash);
    for (pb::Operation& operation : operations) {
      operation.set_device_id(id.bytes.data(), id.bytes.size());
      *changeset.add_operations() = operation;
    }
    const std::string encoded = changeset.SerializeAsString();
    const auto hash = crypto::hash(crypto::as_bytes(encoded));
    previous_hash.assign(hash.begin(), hash.end());
    return encoded;
  }

  pb::PushResponse push(InProcessServer& server, const std::vector<std::string>& changesets) const {
    pb::PushRequest request;
    request.set_server_nonce(server.nonce());
    for (const auto& c : changesets) request.add_changesets(c);
    const envelope::Sender me{id.view(), &sign.secret_key};
    const auto sealed = envelope::seal(envelope::Purpose::push_request, crypto::as_bytes(request.SerializeAsString()), me,
                                       server.keys.box.public_key);
    const HttpResponse response = server.call("POST", "/v1/push", std::string(sealed.begin(), sealed.end()));
    REQUIRE_MESSAGE(response.status == 200, response.body);
    const envelope::Recipient recipient{box.public_key, &box.secret_key};
    auto org = [&](crypto::ByteView) -> Result<crypto::PublicKey> { return server.keys.sign.public_key; };
    auto opened = envelope::open(crypto::as_bytes(response.body), envelope::Purpose::push_response, recipient, org);
    REQUIRE(opened.ok());
    pb::PushResponse parsed;
    REQUIRE(parsed.ParseFromArray(opened->payload.data(), static_cast<int>(opened->payload.size())));
    return parsed;
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
  auto changes = server.store->case_changes({kase, refused_case}, {kase, refused_case}, 0, kOrgWriter);
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
