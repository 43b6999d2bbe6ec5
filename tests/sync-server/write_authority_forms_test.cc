// Write authority for forms the organisation publishes at run time, tried as a device owner
// signing whatever they like (tests/sync-server/in_process.h): an invented version of a
// built-in or published form, a MEAL device creating records of a published form, and a
// record of a published form another device made. Each is refused by rule, counted, and
// nothing of it is merged; an honest write of the same form beside it merges.
#include <doctest/doctest.h>

#include "common/crypto.h"
#include "sync-server/published_forms.h"
#include "tests/support.h"
#include "tests/sync-server/in_process.h"

namespace amana::server {
namespace {

using testing::InProcessServer;
using testing::OperationSpec;

constexpr std::int64_t kNow = InProcessServer::kStartMs;

// A published, signed version of the organisation's own form `site-check`.
void publish_site_check(InProcessServer& server, std::uint32_t version) {
  PublishedForm form;
  form.form_id = "site-check";
  form.version = version;
  form.definition = R"({"id": "site-check", "version": )" + std::to_string(version) +
                    R"(, "title": "Site check", "fields": [{"name": "safe", "type": "boolean", "label": "Safe?"}]})";
  form.digest = crypto::hash(crypto::as_bytes(form.definition));
  form.signature = crypto::sign(server.keys.sign.secret_key, form_signed_message(form.form_id, version, form.digest));
  form.source_name = "site-check.xlsx";
  form.published_by = "test";
  REQUIRE(server.store->add_form_version(form).ok());
}

struct FormsDevice : testing::MessageDevice {
  FormsDevice(InProcessServer& server, const std::string& user) { enroll(server, user); }

  pb::PushResponse push_one(InProcessServer& server, OperationSpec spec) {
    spec.device = id;
    auto response = MessageDevice::push(server, {changeset({testing::make_operation(std::move(spec))})});
    REQUIRE_MESSAGE(response.ok(), response.status().message());
    return *response;
  }
};

std::string refused_rule(const pb::PushResponse& response) {
  REQUIRE(response.refused_size() == 1);
  return response.refused(0).rule();
}

double refusals(const InProcessServer& server, const std::string& rule) {
  return server.metrics->value("amana_operations_refused_total", "rule=\"" + rule + "\"");
}

}  // namespace

TEST_CASE("write authority: a version the organisation never published, of a built-in or a published form, is refused") {
  InProcessServer server;
  publish_site_check(server, 1);
  FormsDevice device(server, "amina");
  const std::map<std::string, std::string> survey{{"satisfaction", "4"}};

  for (std::uint32_t invented : {0u, 99u, 4'000'000'000u}) {
    const auto response = device.push_one(
        server, {{}, new_record_id(kNow), "pdm-survey", survey, "amina", std::nullopt, make_hlc(kNow, 0), kNow, invented});
    CHECK(refused_rule(response) == "unknown_form");
    CHECK(response.refused(0).reason() ==
          "the organisation has not published version " + std::to_string(invented) + " of 'pdm-survey'");
  }
  const auto unpublished = device.push_one(server, {{}, new_record_id(kNow), "site-check", {{"safe", "true"}}, "amina",
                                                    std::nullopt, make_hlc(kNow, 0), kNow, 2});
  CHECK(refused_rule(unpublished) == "unknown_form");
  CHECK(refusals(server, "unknown_form") == 4);
  CHECK(server.count_records() == 0);

  // The versions that exist merge: the built-in one, and the published one.
  CHECK(device.push_one(server, {{}, new_record_id(kNow), "pdm-survey", survey}).refused_size() == 0);
  CHECK(device.push_one(server, {{}, new_record_id(kNow), "site-check", {{"safe", "true"}}, "amina", std::nullopt,
                                 make_hlc(kNow, 0), kNow, 1})
            .refused_size() == 0);
  // Once version 2 is published, records of it are taken.
  publish_site_check(server, 2);
  CHECK(device.push_one(server, {{}, new_record_id(kNow), "site-check", {{"safe", "false"}}, "amina", std::nullopt,
                                 make_hlc(kNow, 0), kNow, 2})
            .refused_size() == 0);
  CHECK(server.count_records() == 3);
}

TEST_CASE("write authority: a MEAL device creating a published form's record, or anyone editing another device's, is refused") {
  InProcessServer server;
  publish_site_check(server, 1);
  REQUIRE(server.store->add_user({"mona", Role::meal, "um-dukhun"}).ok());
  REQUIRE(server.store->add_user({"zara", Role::assistant, "zalingei"}).ok());
  FormsDevice amina(server, "amina");
  FormsDevice mona(server, "mona");
  FormsDevice zara(server, "zara");

  const RecordId site = new_record_id(kNow, 1);
  REQUIRE(amina.push_one(server, {{}, site, "site-check", {{"safe", "true"}}}).refused_size() == 0);

  const auto by_meal = mona.push_one(server, {{}, new_record_id(kNow, 2), "site-check", {{"safe", "true"}}, "mona"});
  CHECK(refused_rule(by_meal) == "role_not_allowed");
  CHECK(by_meal.refused(0).reason() == "devices of meal users may not create site-check records");

  const auto by_other = zara.push_one(
      server, {{}, site, "site-check", {{"safe", "false"}}, "zara", std::nullopt, make_hlc(kNow + 1000, 0), kNow});
  CHECK(refused_rule(by_other) == "not_own_record");
  CHECK(refusals(server, "role_not_allowed") == 1);
  CHECK(refusals(server, "not_own_record") == 1);
  CHECK(server.count_records() == 1);

  // The record stands as its device wrote it.
  auto records = server.store->records(std::nullopt);
  REQUIRE(records.ok());
  REQUIRE(records->size() == 1);
  CHECK(records->front().author == "amina");
}

}  // namespace amana::server
