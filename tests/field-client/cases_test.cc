// Cases on the device through the CaseBook: the cycle, duplicates, consent and refusals.
#include "field-client/cases.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "tests/support.h"

namespace amana::field {
namespace {

const std::string kExamples = std::string(AMANA_SOURCE_DIR) + "/forms/examples/";

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
      if (value.empty()) answers.erase(field);
      else answers[field] = value;
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
  // Each step adds its record, and a change to the case when the step moved it on (a
  // follow-up of a case already in progress leaves the case as it was).
  CHECK(d.store.status()->last_sequence == operations_before + 11);
  summary = d.book.summary(kase);
  CHECK(summary->status == cases::CaseStatus::closure_requested);
  CHECK(summary->values.at("before_closure") == "in_progress");
  CHECK(summary->values.at("risk_level") == "high");
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
