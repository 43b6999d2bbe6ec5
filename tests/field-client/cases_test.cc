// Cases on the device through the CaseBook: the cycle, duplicates, consent and refusals.
#include "field-client/cases.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

#include "field-client/drafts.h"
#include "field-client/interview.h"
#include "tests/support.h"

namespace amana::field {
namespace {

const std::string kExamples = std::string(AMANA_SOURCE_DIR) + "/forms/examples/";

bool contains_text(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

struct Device {
  testing::TempDir dir;
  forms::FormPack pack = std::move(forms::FormPack::builtin()).value();
  forms::ValidationOptions options{forms::Language::en, "2026-11-23"};
  Store store =
      std::move(Store::create(dir.path() / "home", "test passphrase", "amina", testing::cheap_store_options())).value();
  CaseBook book{store, pack, options};

  forms::Answers example(const std::string& form_id, const forms::Answers& changes = {}) {
    const auto* form = *pack.find(form_id);
    auto answers = *forms::parse_answers_json(*form, testing::read_file(kExamples + form_id + ".answers.json"));
    for (const auto& [field, value] : changes) {
      if (!value.empty()) {
        answers[field] = value;
        continue;
      }
      answers.erase(field);  // and, for a repeat, every instance of it
      std::erase_if(answers, [&](const auto& answer) { return answer.first.starts_with(field + "/"); });
    }
    return answers;
  }

  RecordId identification(const forms::Answers& changes = {}) {
    const auto* form = *pack.find("outreach-identification");
    std::set<std::string, std::less<>> given;
    const auto raw = example("outreach-identification", changes);
    for (const auto& [name, value] : raw) given.insert(name);
    return *store.add_record(*form, *forms::validate_submission(*form, raw, given, options));
  }

  // The provider the example referral names, active, in the directory the office sends.
  void add_referral_provider() {
    pb::Provider provider;
    provider.set_id(example("referral").at("provider_id"));
    provider.set_active(true);
    provider.add_services("legal");  // what the example referral asks for
    REQUIRE(store.replace_providers({provider}, 1).ok());
  }

  // Everything a person could see: must not move when a step is refused.
  std::string snapshot() {
    std::string out;
    const auto records = store.records();  // held: a range-for over *temporary would dangle
    for (const auto& r : *records) {
      out += r.id.to_string() + std::to_string(static_cast<std::uint64_t>(r.updated));
      const auto record = store.record(r.id);
      for (const auto& [k, v] : record->values) out += k + "=" + v + ";";
    }
    return out + std::to_string(store.status()->last_sequence);
  }
};

}  // namespace

TEST_CASE("cases: identification to closure request, each step a record of the case, synced as one change") {
  Device d;
  REQUIRE(d.store.replace_providers({[] {
                                       pb::Provider p;
                                       p.set_id("legal-aid-um-dukhun");
                                       p.set_active(true);
                                       p.add_services("legal");
                                       return p;
                                     }()},
                                    1)
              .ok());
  const RecordId identification = d.identification();
  auto opened = d.book.open({identification, {}, false});
  REQUIRE_MESSAGE(opened.ok(), opened.status().message());
  const RecordId kase = *opened;
  auto summary = d.book.summary(kase);
  CHECK(summary->status == cases::CaseStatus::identified);
  CHECK(summary->name == "Amira Test-Person");
  CHECK(summary->values.at("specific_needs") == "WR SP");  // carried over from the identification
  CHECK(summary->values.at("source_record") == identification.to_string());

  const std::pair<cases::CaseEvent, const char*> steps[] = {
      {cases::CaseEvent::reg, "case-registration"}, {cases::CaseEvent::assess, "case-assessment"},
      {cases::CaseEvent::plan, "case-plan"},        {cases::CaseEvent::refer, "referral"},
      {cases::CaseEvent::follow_up, "follow-up"},   {cases::CaseEvent::request_closure, "case-closure"},
  };
  const auto operations_before = d.store.status()->last_sequence;
  for (const auto& [event, form] : steps) {
    auto step = d.book.record_step(kase, event, d.example(form));
    REQUIRE_MESSAGE(step.ok(), form, ": ", step.status().message());
    CHECK(d.store.record(*step)->summary.case_id == kase);
  }
  // Each step adds its record, and a change to the case when the step moved it on or
  // changed what it holds (the follow-up of a case already in progress changed its risk).
  CHECK(d.store.status()->last_sequence == operations_before + 12);
  summary = d.book.summary(kase);
  CHECK(summary->status == cases::CaseStatus::closure_requested);
  CHECK(summary->values.at("before_closure") == "in_progress");
  CHECK(summary->values.at("risk_level") == "medium");  // the follow-up's, after the assessment's high
  CHECK(summary->values.at("consent_referral") == "true");
  CHECK(d.store.records(std::nullopt, kase)->size() == 6);
  // Every step's operation names its case, for the server and for need-to-know.
  auto outbox = d.store.outbox(operations_before, 100);
  CHECK(std::all_of(outbox->begin(), outbox->end(), [&](const OutboxEntry& e) {
    return e.operation.case_id() == std::string(kase.bytes.begin(), kase.bytes.end()) ||
           e.operation.record_id() == std::string(kase.bytes.begin(), kase.bytes.end());
  }));
}

TEST_CASE("cases: the same person identified twice is offered before a second case is opened") {
  Device d;
  const RecordId first = d.identification();
  REQUIRE(d.book.open({first, {}, false}).ok());
  // The same woman written in Arabic script both times, with variant letters.
  d.identification({{"full_name", "أميرة حسن يوسف"}, {"site", "أم دخن"}});
  auto again = d.book.open({std::nullopt, {"اميره حسن", "female", 33, "ام دخن"}, false});
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().code() == ErrorCode::already_exists);
  CHECK(again.status().message().find("identification") != std::string::npos);
  CHECK(again.status().message().find("--not-a-duplicate") != std::string::npos);
  CHECK(d.book.open({std::nullopt, {"اميره حسن", "female", 33, "ام دخن"}, true}).ok());
  auto twice = d.book.open({first, {}, false});  // a second case from the same identification
  CHECK(twice.status().message().find("case ") != std::string::npos);
  CHECK(d.book.open({std::nullopt, {}, false}).status().message().find("a case needs the person's name") == 0);
}

TEST_CASE("cases: illegal steps and referrals without consent are refused and change nothing") {
  Device d;
  const RecordId identification = d.identification();
  const RecordId kase = *d.book.open({identification, {}, false});
  std::string before = d.snapshot();
  auto early = d.book.record_step(kase, cases::CaseEvent::plan, d.example("case-plan"));
  CHECK(early.status().message() ==
        "cannot plan a case that is 'identified': register the case, with consent, first. From 'identified' the "
        "next steps are: register, request closure, transfer, reassign");
  CHECK(d.snapshot() == before);
  CHECK(d.book.record_step(kase, cases::CaseEvent::approve_closure, {}).status().message().find(
            "decided at the office") != std::string::npos);

  // Registered without consent to referral, then assessed and planned.
  REQUIRE(d.book.record_step(kase, cases::CaseEvent::reg, d.example("case-registration", {{"consent_referral", "false"},
                                                                                         {"consent_information_sharing", "false"}}))
              .ok());
  REQUIRE(d.book.record_step(kase, cases::CaseEvent::assess, d.example("case-assessment")).ok());
  REQUIRE(d.book.record_step(kase, cases::CaseEvent::plan, d.example("case-plan")).ok());
  before = d.snapshot();
  auto no_consent = d.book.record_step(kase, cases::CaseEvent::refer, d.example("referral"));
  CHECK(no_consent.status().message().find("has not consented to referral") != std::string::npos);
  CHECK(d.snapshot() == before);

  // Bad answers are refused by the step's form before anything is written.
  auto bad = d.book.record_step(kase, cases::CaseEvent::follow_up, d.example("follow-up", {{"contact_method", "pigeon"}}));
  CHECK(bad.status().message().find("contact_method") != std::string::npos);
  CHECK(d.snapshot() == before);
}

TEST_CASE("cases: identifying data goes to a provider only with consent to share it, and only to a known one") {
  Device d;
  const RecordId identification = d.identification();
  const RecordId kase = *d.book.open({identification, {}, false});
  REQUIRE(d.book.record_step(kase, cases::CaseEvent::reg,
                             d.example("case-registration", {{"consent_information_sharing", "false"}}))
              .ok());
  REQUIRE(d.book.record_step(kase, cases::CaseEvent::assess, d.example("case-assessment")).ok());
  REQUIRE(d.book.record_step(kase, cases::CaseEvent::plan, d.example("case-plan")).ok());
  const std::string before = d.snapshot();
  auto sharing = d.book.record_step(kase, cases::CaseEvent::refer, d.example("referral", {{"share_identifying_data", "true"}}));
  CHECK(sharing.status().message().find("not consented to sharing their information") != std::string::npos);
  auto unknown = d.book.record_step(kase, cases::CaseEvent::refer, d.example("referral", {{"share_identifying_data", "false"}}));
  CHECK(unknown.status().message().find("is not in this device's service directory") != std::string::npos);
  CHECK(d.snapshot() == before);
  d.add_referral_provider();
  CHECK(d.book.record_step(kase, cases::CaseEvent::refer, d.example("referral", {{"share_identifying_data", "false"}}))
            .ok());
  CHECK(d.book.summary(kase)->status == cases::CaseStatus::in_progress);
}

}  // namespace amana::field

namespace amana::field {

TEST_CASE("cases: referrals are tracked to their outcome, and the weekly review lists what needs attention") {
  Device d;
  d.add_referral_provider();
  const RecordId identification = d.identification();
  const RecordId kase = *d.book.open({identification, {}, false});
  for (const auto& [event, form] : std::vector<std::pair<cases::CaseEvent, std::string>>{
           {cases::CaseEvent::reg, "case-registration"}, {cases::CaseEvent::assess, "case-assessment"}}) {
    REQUIRE(d.book.record_step(kase, event, d.example(form)).ok());
  }
  // Assessed as high risk, no plan yet.
  auto findings = cases::review_cases(*d.book.review_facts(), {"2026-11-23", 90});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].what == "risk is high and there is no case plan");

  REQUIRE(d.book.record_step(kase, cases::CaseEvent::plan, d.example("case-plan")).ok());
  const RecordId referral = *d.book.record_step(kase, cases::CaseEvent::refer, d.example("referral"));
  CHECK(d.store.record(referral)->values.at("status") == "pending");

  // Weeks later, nothing heard from the provider and the follow-up date passed.
  findings = cases::review_cases(*d.book.review_facts(), {"2026-12-31", 90});
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].what.find("follow-up overdue since ") == 0);
  CHECK(findings[1].what.find("without response for") != std::string::npos);

  CHECK(d.book.update_referral(referral, cases::ReferralStatus::service_provided, "").message() ==
        "a referral that is 'pending' cannot become 'service_provided'; it can become: accepted, declined, no_response");
  REQUIRE(d.book.update_referral(referral, cases::ReferralStatus::accepted, "seen on Monday").ok());
  CHECK(d.store.record(referral)->values.at("feedback") == "seen on Monday");
  findings = cases::review_cases(*d.book.review_facts(), {"2026-12-31", 90});
  CHECK(findings.size() == 1);  // the referral has an answer now
  CHECK(d.book.update_referral(kase, cases::ReferralStatus::accepted, "").message().find("not a referral") !=
        std::string::npos);
}

}  // namespace amana::field

namespace amana::field {

TEST_CASE("cases: a referral exported for the provider carries who the client is only with consent") {
  for (const bool consent : {true, false}) {
    CAPTURE(consent);
    Device d;
    d.add_referral_provider();
    const RecordId identification = d.identification();
    const RecordId kase = *d.book.open({identification, {}, false});
    REQUIRE(d.book.record_step(kase, cases::CaseEvent::reg,
                               d.example("case-registration",
                                         {{"consent_information_sharing", consent ? "true" : "false"}}))
                .ok());
    REQUIRE(d.book.record_step(kase, cases::CaseEvent::assess, d.example("case-assessment")).ok());
    REQUIRE(d.book.record_step(kase, cases::CaseEvent::plan, d.example("case-plan")).ok());
    const RecordId referral = *d.book.record_step(
        kase, cases::CaseEvent::refer, d.example("referral", {{"share_identifying_data", consent ? "true" : "false"}}));
    const std::string document = *d.book.referral_document(referral);
    const std::string name = d.book.summary(kase)->name;
    CHECK(document.find("\"age_band\": \"12-17\"") != std::string::npos);
    CHECK(document.find("\"service_type\"") != std::string::npos);
    CHECK((document.find(name) != std::string::npos) == consent);
    CHECK((document.find("withheld") != std::string::npos) == !consent);
    const bool phone_shown = document.find("+249") != std::string::npos;
    CHECK(phone_shown == consent);
  }
}

}  // namespace amana::field

namespace amana::field {
namespace {

// A case registered with the example consents (or those changed), assessed and planned:
// ready to be referred.
RecordId planned_case(Device& d, const forms::Answers& registration = {}) {
  const RecordId kase = *d.book.open({d.identification(), {}, false});
  REQUIRE(d.book.record_step(kase, cases::CaseEvent::reg, d.example("case-registration", registration)).ok());
  REQUIRE(d.book.record_step(kase, cases::CaseEvent::assess, d.example("case-assessment")).ok());
  REQUIRE(d.book.record_step(kase, cases::CaseEvent::plan, d.example("case-plan")).ok());
  return kase;
}

// The referral asked question by question, as `field-client case refer` asks it.
Result<forms::Answers> refer_interactively(Device& d, RecordId kase, const std::string& typed, std::string& shown) {
  const auto* form = *d.book.step_form(cases::CaseEvent::refer);
  InterviewHooks hooks;
  hooks.check = [&](const forms::Field& field, const std::string& answer, const forms::Answers& so_far) {
    return d.book.check_step_answer(kase, cases::CaseEvent::refer, field, answer, so_far);
  };
  hooks.suggestions = [&](const forms::Field& field, const forms::Answers& so_far) {
    return d.book.step_suggestions(cases::CaseEvent::refer, field, so_far);
  };
  std::istringstream in(typed);
  std::ostringstream out;
  auto answers = interview(*form, d.options, in, out, hooks);
  shown = out.str();
  return answers;
}

void add_provider(Device& d, const std::string& id, std::vector<std::string> services, bool active = true) {
  auto providers = *d.store.providers(true);
  pb::Provider provider;
  provider.set_id(id);
  provider.set_name(id + " name");
  provider.set_active(active);
  for (const std::string& s : services) provider.add_services(s);
  providers.push_back(provider);
  REQUIRE(d.store.replace_providers(providers, static_cast<std::int64_t>(providers.size())).ok());
}

}  // namespace

TEST_CASE("cases: a referral's rules are checked at their question, and a refusal there is asked again") {
  Device d;
  add_provider(d, "amal-clinic", {"health"});
  add_provider(d, "legal-aid-um-dukhun", {"legal"});
  add_provider(d, "old-legal", {"legal"}, false);
  const RecordId kase = planned_case(d, {{"consent_information_sharing", "false"}});
  // date (default), service: legal, urgency, then providers: an unknown one, one that does
  // not offer legal help, an inactive one, then the one listed first for legal.
  std::string shown;
  auto answers = refer_interactively(
      d, kase, "\nlegal\nurgent\nnobody\namal-clinic\nold-legal\n1\nNeeds advice on the plot\nyes\nno\n\n", shown);
  REQUIRE_MESSAGE(answers.ok(), answers.status().message(), "\n", shown);
  CHECK(answers->at("provider_id") == "legal-aid-um-dukhun");
  CHECK(answers->at("share_identifying_data") == "false");
  CHECK(contains_text(shown, "1) legal-aid-um-dukhun name  [legal-aid-um-dukhun]"));
  CHECK_FALSE(contains_text(shown, "[amal-clinic]"));  // only providers of the service asked are offered
  CHECK(contains_text(shown, "provider 'nobody' is not in this device's service directory"));
  CHECK(contains_text(shown, "provider 'amal-clinic' does not offer Legal assistance; the providers here that do: "
                             "legal-aid-um-dukhun"));
  CHECK(contains_text(shown, "provider 'old-legal' is no longer offered"));
  // Sharing identifying data without the consent to share is refused at that question.
  CHECK(contains_text(shown, "has not consented to sharing their information"));
  // And the answers given pass record_step's same rules.
  CHECK(d.book.record_step(kase, cases::CaseEvent::refer, *answers).ok());
}

TEST_CASE("cases: a referral without consent to referral is refused before its first question") {
  Device d;
  const RecordId kase = planned_case(d, {{"consent_referral", "false"}, {"consent_information_sharing", "false"}});
  const Status refused = d.book.check_step_can_start(kase, cases::CaseEvent::refer);
  CHECK(refused.message().find("has not consented to referral") != std::string::npos);
  CHECK(refused.message_in(forms::Language::ar).find("لم يوافق العميل على الإحالة") != std::string::npos);
  CHECK(d.book.check_step_can_start(kase, cases::CaseEvent::reg).message().find("cannot register a case") == 0);
  CHECK(d.book.check_step_can_start(kase, cases::CaseEvent::follow_up).ok());
}

TEST_CASE("cases: a provider offering a service under its old code still counts") {
  pb::Provider provider;
  provider.add_services("medical");
  CHECK(offers(provider, "health"));
  CHECK(offers(provider, "medical"));
  CHECK_FALSE(offers(provider, "legal"));
}

TEST_CASE("drafts: kept sealed in the store, listed newest first, found by a part of their id, discarded") {
  Device d;
  Drafts drafts(d.store);
  Draft first{{}, "outreach-identification", 1, {}, {}, {{"full_name", "Hawa Secret-Name"}}, {"full_name"}, {}, 0};
  REQUIRE(drafts.save(first).ok());
  const RecordId kase = *d.book.open({std::nullopt, {"Amira", "female", 30, ""}, false});
  Draft second{{}, "referral", 2, kase, "refer", {{"reason", "threats"}}, {"reason"}, DraftReason::refused, 0};
  REQUIRE(drafts.save(second).ok());
  auto list = drafts.list();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);
  CHECK(list->at(0).id == second.id);
  CHECK(list->at(0).case_id == kase);
  CHECK(list->at(0).reason == DraftReason::refused);
  CHECK(list->at(1).answers.at("full_name") == "Hawa Secret-Name");
  CHECK(*drafts.resolve(first.id.to_string().substr(28)) == first.id);
  first.answers["age"] = "34";
  REQUIRE(drafts.save(first).ok());  // saved again in place
  CHECK(drafts.load(first.id)->answers.size() == 2);
  // Nothing personal in clear: not the name, not even which form or case.
  const std::string bytes = testing::read_file(d.dir.path() / "home" / "store.db") +
                            testing::read_file(d.dir.path() / "home" / "store.db-wal");
  CHECK(bytes.find("Secret-Name") == std::string::npos);
  CHECK(bytes.find("threats") == std::string::npos);
  REQUIRE(drafts.discard(first.id).ok());
  CHECK(drafts.discard(first.id).code() == ErrorCode::not_found);
  CHECK(drafts.list()->size() == 1);
}

TEST_CASE("drafts: an interview resumed from a draft asks only what is left, and again what is no longer valid") {
  Device d;
  const auto* form = *d.pack.find("pdm-survey");
  // The first session: consent, site, then the input ends.
  forms::Answers kept;
  FieldNames passed;
  InterviewHooks first;
  first.on_progress = [&](const forms::Answers& answers, const FieldNames& names) {
    kept = answers;
    passed = names;
    return Status::success();
  };
  std::istringstream ends("yes\nKass\n");
  std::ostringstream out;
  CHECK(interview(*form, d.options, ends, out, first).status().code() == ErrorCode::cancelled);
  CHECK(kept.at("site") == "Kass");
  // The second session starts at the assistance question; a kept answer made invalid is
  // asked again.
  kept["site"] = "";
  InterviewHooks resumed;
  resumed.given = kept;
  resumed.passed = passed;
  std::istringstream rest("Kass 2\nنقد\n20/11/2026\nyes\nyes\n1\nno\n\nyes\n4\n\n");
  std::ostringstream shown;
  auto answers = interview(*form, d.options, rest, shown, resumed);
  REQUIRE_MESSAGE(answers.ok(), answers.status().message(), shown.str());
  CHECK(answers->at("site") == "Kass 2");
  CHECK(answers->at("assistance_type") == "cash");
  CHECK(answers->at("received_date") == "2026-11-20");
  CHECK(shown.str().find("Resuming a draft") != std::string::npos);
  CHECK(shown.str().find("Does the respondent agree") == std::string::npos);  // not asked again
}

}  // namespace amana::field

namespace amana::field {

TEST_CASE("cases: a follow-up's risk and a registration's phone and displacement become the case's") {
  Device d;
  const RecordId kase = *d.book.open({d.identification({{"phone", "0912 345"}, {"displacement_status", "returnee"}}), {}, false});
  CHECK(d.book.summary(kase)->values.at("phone") == "0912 345");
  REQUIRE(d.book.record_step(kase, cases::CaseEvent::reg,
                             d.example("case-registration", {{"phone", "0912345678"}, {"displacement_status", "refugee"}}))
              .ok());
  auto values = d.book.summary(kase)->values;
  CHECK(values.at("phone") == "0912345678");
  CHECK(values.at("displacement_status") == "refugee");
  CHECK(values.at("household_size") == "6");  // no step asks it again: the identification's stands
  REQUIRE(d.book.record_step(kase, cases::CaseEvent::assess, d.example("case-assessment", {{"risk_level", "high"}})).ok());
  REQUIRE(d.book.record_step(kase, cases::CaseEvent::plan, d.example("case-plan")).ok());
  CHECK(d.book.summary(kase)->risk_level == "high");
  REQUIRE(d.book.record_step(kase, cases::CaseEvent::follow_up, d.example("follow-up", {{"risk_level_now", "medium"}})).ok());
  const auto listed = d.book.list();
  REQUIRE(listed->size() == 1);
  CHECK(listed->front().risk_level == "medium");
  CHECK(d.book.summary(kase)->values.at("risk_level") == "medium");
  // The case record itself holds them too, for whoever reads the record alone.
  const auto stored = d.store.record(kase);
  CHECK(stored->values.at("risk_level") == "medium");
  CHECK(stored->values.at("phone") == "0912345678");
  // The review sees the case as its steps left it.
  const auto facts = d.book.review_facts();
  CHECK(facts->front().risk_level == "medium");

  // A follow-up that did not reach the client says nothing of the risk: it stays.
  REQUIRE(d.book.record_step(kase, cases::CaseEvent::follow_up,
                             d.example("follow-up", {{"client_reached", "false"}, {"risk_level_now", ""}, {"outcome", ""}, {"attempts", "2"},
                                                     {"done_date", "2026-11-23"}, {"next_due", "2026-11-30"}}))
              .ok());
  CHECK(d.book.summary(kase)->risk_level == "medium");
}

TEST_CASE("cases: one identification opens one case, even when told it is not a duplicate") {
  Device d;
  const RecordId identification = d.identification();
  const RecordId first = *d.book.open({identification, {}, false});
  const std::string before = d.snapshot();
  auto again = d.book.open({identification, {}, true});
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().code() == ErrorCode::already_exists);
  CHECK(again.status().message() ==
        "identification " + identification.to_string() + " is already case " + first.to_string() +
            ": record its steps there (`field-client case show " + first.to_string().substr(28) +
            "`); one identification opens one case");
  CHECK(contains_text(again.status().message_in(forms::Language::ar), first.to_string()));
  CHECK(d.snapshot() == before);
  CHECK(d.book.list()->size() == 1);
}

TEST_CASE("cases: an identification recorded without consent says so, and opens a case once the name is given") {
  Device d;
  const RecordId identification = d.identification({{"consent_recorded", "false"}, {"full_name", ""}, {"phone", ""},
                                                    {"specific_needs", ""}, {"risks_observed", ""}, {"consent_contact", ""},
                                                    {"consent_referral", ""}, {"household_members", ""}});
  REQUIRE(d.store.record(identification)->values.count("full_name") == 0);
  auto refused = d.book.open({identification, {}, false});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == ErrorCode::invalid_argument);
  const std::string message = refused.status().message();
  CHECK(contains_text(message, "was recorded without the person's consent"));
  CHECK(contains_text(message, "field-client case open --from " + identification.to_string() + " --name NAME"));
  CHECK_FALSE(contains_text(message, "give --name"));
  CHECK(contains_text(refused.status().message_in(forms::Language::ar), "دون موافقة الشخص"));

  // The person consents and gives their name: the case comes from the identification.
  auto opened = d.book.open({identification, {"Hawa Adam", "", std::nullopt, ""}, false});
  REQUIRE_MESSAGE(opened.ok(), opened.status().message());
  const auto values = d.book.summary(*opened)->values;
  CHECK(values.at("name") == "Hawa Adam");
  CHECK(values.at("source_record") == identification.to_string());
  CHECK(values.at("sex") == "female");  // the identification's, not given again
  CHECK(values.at("location") == "Um Dukhun, block C");
}

}  // namespace amana::field
