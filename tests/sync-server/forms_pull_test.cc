// Published forms in the pull (protocol version 6, issue 15): real field stores syncing
// with the real sync service and central store behind the HTTP front on 127.0.0.1. The
// versions come in bounded pages, each kept before the next; a sync with nothing new
// sends none; a version the organisation did not sign, or changed after it was signed,
// or signed for another form, is refused by the device with nothing of the reply kept.
#include <doctest/doctest.h>

#include <set>

#include <functional>

#include "common/crypto.h"
#include "common/form_pack.h"
#include "field-client/published_forms.h"
#include "field-client/store.h"
#include "field-client/sync_client.h"
#include "sync-server/admin.h"
#include "sync-server/published_forms.h"
#include "tests/sync-server/in_process.h"
#include "tests/sync-server/loopback.h"

using namespace amana;
using namespace amana::testing;

namespace {

struct FormsServer {
  InProcessServer base;
  std::unique_ptr<server::SyncService> service;
  std::unique_ptr<LoopbackHttpServer> http;

  explicit FormsServer(std::size_t max_pull_form_bytes = server::ServiceLimits().max_pull_form_bytes) {
    server::ServiceLimits limits;
    limits.max_pull_form_bytes = max_pull_form_bytes;
    service = std::make_unique<server::SyncService>(*base.store, base.keys, base.metrics, system_wall_clock(), limits);
    server::HttpOptions options;
    options.log_requests = false;
    http = std::make_unique<LoopbackHttpServer>(
        options, [this](const server::HttpRequest& request) { return service->handle(request); });
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(http->server->port()); }

  field::Store device(const TempDir& dir, const std::string& name) {
    auto store = field::Store::create(dir.path() / name, "device passphrase", "amina", cheap_store_options());
    REQUIRE(store.ok());
    auto code = server::issue_enrollment_code(*base.store, "amina", std::chrono::hours(1), system_wall_clock()());
    REQUIRE(code.ok());
    REQUIRE(field::enroll_device(*store, code->code, url()).ok());
    return std::move(store).value();
  }
};

Result<field::SyncReport> sync(field::Store& store, const std::string& url) {
  field::SyncOptions options;
  options.server_url = url;
  return field::sync_device(store, options);
}

std::string site_definition(std::uint32_t version, const std::string& label = "Is the site safe?") {
  return R"({"id": "site-check", "version": )" + std::to_string(version) +
         R"(, "title": "Site check", "fields": [{"name": "safe", "type": "boolean", "label": ")" + label + R"("}]})";
}

// A version as publish_form stores it, signed with `sign` over `signed_digest_of` (the
// definition itself when empty).
server::PublishedForm version_of(const std::string& id, std::uint32_t version, const std::string& definition,
                                 const crypto::SecretBytes& sign, const std::string& signed_digest_of = "") {
  server::PublishedForm form;
  form.form_id = id;
  form.version = version;
  form.definition = definition;
  form.digest = crypto::hash(crypto::as_bytes(signed_digest_of.empty() ? definition : signed_digest_of));
  form.signature = crypto::sign(sign, server::form_signed_message(id, version, form.digest));
  form.source_name = "test";
  form.published_by = "test";
  return form;
}

bool holds(field::Store& store, const std::string& form_id) {
  auto versions = store.published_forms();
  REQUIRE(versions.ok());
  for (const auto& version : *versions) {
    if (version.form_id() == form_id) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("forms pull: the published versions come in bounded pages and a sync with nothing new sends none") {
  TempDir dir;
  FormsServer server(20'000);  // the built-in pack is several times that
  auto published = server.base.store->form_versions("");
  REQUIRE(published.ok());
  REQUIRE(published->size() >= 9);  // init published the built-in pack

  auto device = server.device(dir, "device");
  auto first = sync(device, server.url());
  REQUIRE_MESSAGE(first.ok(), first.status().message());
  CHECK(first->forms_received == published->size());
  CHECK(first->pages > 1);
  auto held = field::forms_held(device);
  REQUIRE(held.ok());
  std::set<std::string> form_ids;  // the identification has two built-in versions (forms/earlier/)
  for (const auto& version : *published) form_ids.insert(version.form_id);
  CHECK(held->size() == form_ids.size());  // the newest version of each built-in form

  auto again = sync(device, server.url());
  REQUIRE(again.ok());
  CHECK(again->forms_received == 0);
  CHECK(again->pages == 1);

  // A new version comes alone; the device's pack then offers it, and keeps the one before.
  REQUIRE(server.base.store->add_form_version(version_of("site-check", 1, site_definition(1),
                                                         server.base.keys.sign.secret_key)).ok());
  REQUIRE(server.base.store->add_form_version(version_of("site-check", 2, site_definition(2, "Safe now?"),
                                                         server.base.keys.sign.secret_key)).ok());
  auto third = sync(device, server.url());
  REQUIRE(third.ok());
  CHECK(third->forms_received == 2);
  auto builtin = forms::FormPack::builtin();
  REQUIRE(builtin.ok());
  auto versions = device.published_forms();
  auto archived = device.archived_forms();
  REQUIRE(versions.ok());
  REQUIRE(archived.ok());
  auto enrollment = device.enrollment();
  REQUIRE(enrollment.ok());
  const field::Store::FormsOnDisk stored{(*enrollment)->org_sign_public_key, *versions, *archived};
  const forms::FormPack pack = field::device_form_pack(*builtin, stored);
  auto offered = pack.find("site-check");
  REQUIRE(offered.ok());
  CHECK((*offered)->version == 2);
  auto old = pack.find("site-check", 1);
  REQUIRE(old.ok());
  CHECK((*old)->fields.front().label.en == "Is the site safe?");

  // Archived: the catalogue says so, and the pack stops offering it.
  REQUIRE(server.base.store->archive_form("site-check", InProcessServer::kStartMs).ok());
  REQUIRE(sync(device, server.url()).ok());
  auto now_archived = device.archived_forms();
  REQUIRE(now_archived.ok());
  CHECK(*now_archived == std::vector<std::string>{"site-check"});
  const forms::FormPack after =
      field::device_form_pack(*builtin, {(*enrollment)->org_sign_public_key, *versions, *now_archived});
  CHECK(after.find("site-check").status().code() == ErrorCode::not_found);
  CHECK(after.find("site-check", 1).ok());
}

TEST_CASE("forms pull: a version the organisation did not sign is refused, with nothing of the reply kept") {
  TempDir dir;
  FormsServer server;
  auto device = server.device(dir, "device");
  REQUIRE(sync(device, server.url()).ok());
  auto cursor = device.pull_cursor();
  REQUIRE(cursor.ok());

  // Signed by a key that is not the organisation's (a rogue server, a relay).
  const auto other = crypto::SigningKeyPair::generate();
  REQUIRE(server.base.store->add_form_version(version_of("site-check", 1, site_definition(1), other.secret_key)).ok());
  auto refused = sync(device, server.url());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == ErrorCode::corrupt);
  CHECK(contains(refused.status().message(), "form 'site-check' version 1 is not signed by the organisation"));
  CHECK_FALSE(holds(device, "site-check"));
  CHECK(*device.pull_cursor() == *cursor);
}

TEST_CASE("forms pull: a version changed after it was signed, or signed for another form, is refused") {
  TempDir dir;
  FormsServer server;
  auto device = server.device(dir, "device");

  SUBCASE("changed after signing") {
    // The org signed one definition; the store holds another under that digest.
    REQUIRE(server.base.store->add_form_version(version_of("site-check", 1, site_definition(1, "Changed"),
                                                           server.base.keys.sign.secret_key, site_definition(1)))
                .ok());
    auto refused = sync(device, server.url());
    REQUIRE_FALSE(refused.ok());
    CHECK(contains(refused.status().message(), "does not match its digest"));
  }
  SUBCASE("signed for another form") {
    // A genuine signature over site-check's digest, presented as the closure form's next version.
    auto genuine = version_of("site-check", 2, site_definition(2), server.base.keys.sign.secret_key);
    genuine.form_id = "case-closure";
    REQUIRE(server.base.store->add_form_version(genuine).ok());
    auto refused = sync(device, server.url());
    REQUIRE_FALSE(refused.ok());
    CHECK(contains(refused.status().message(), "form 'case-closure' version 2 is not signed by the organisation"));
  }
  // Nothing of a refused reply is kept: not even the built-in versions that came with it.
  auto versions = device.published_forms();
  REQUIRE(versions.ok());
  CHECK(versions->empty());
}

TEST_CASE("forms pull: a definition over the bound is refused by the device whatever signed it") {
  const auto org = crypto::SigningKeyPair::generate();
  pb::FormVersion big;
  big.set_form_id("big-form");
  big.set_version(1);
  big.set_definition(std::string(forms::kMaxPublishedFormBytes + 1, ' '));
  const auto digest = crypto::hash(crypto::as_bytes(big.definition()));
  big.set_digest(digest.data(), digest.size());
  const auto signature = crypto::sign(org.secret_key, server::form_signed_message("big-form", 1, digest));
  big.set_signature(signature.data(), signature.size());
  const Status refused = field::check_form_version(big, org.public_key);
  CHECK(refused.code() == ErrorCode::invalid_argument);
  CHECK(contains(refused.message(), "more than the " + std::to_string(forms::kMaxPublishedFormBytes) +
                                        " a form may have"));
  big.set_definition(site_definition(1));
  CHECK(field::check_form_version(big, org.public_key).code() == ErrorCode::corrupt);  // the digest is the big one's
}

TEST_CASE("forms pull: a definition of over 3 MiB (location lists of thousands of choices) reaches a device") {
  // Two selects of 5,000 choices each, as REACH's Lebanon MSNA has (docs/forms-census.md):
  // over the 2 MiB a page holds, so it comes in a page of its own, beside the built-in pack.
  std::string definition = R"({"id": "big-lists", "version": 1, "title": "Big lists", "fields": [)";
  const std::string label(320, 'x');
  for (const char* name : {"cadastre", "neighbourhood"}) {
    definition += std::string(name == std::string("cadastre") ? "" : ",") + R"({"name": ")" + name +
                  R"(", "type": "select_one", "label": "Where?", "choices": [)";
    for (int i = 0; i < 5000; ++i) {
      definition += std::string(i == 0 ? "" : ",") + R"({"name": "c)" + std::to_string(i) + R"(", "label": ")" +
                    label + R"("})";
    }
    definition += "]}";
  }
  definition += "]}";
  REQUIRE(definition.size() > 3u << 20);
  REQUIRE(definition.size() <= forms::kMaxPublishedFormBytes);
  REQUIRE(forms::parse_form_definition(definition).ok());

  TempDir dir;
  FormsServer server;
  REQUIRE(server.base.store->add_form_version(version_of("big-lists", 1, definition,
                                                         server.base.keys.sign.secret_key)).ok());
  auto device = server.device(dir, "device");
  auto report = sync(device, server.url());
  REQUIRE_MESSAGE(report.ok(), report.status().message());
  CHECK(report->pages > 1);
  CHECK(holds(device, "big-lists"));
  auto builtin = forms::FormPack::builtin();
  REQUIRE(builtin.ok());
  auto versions = device.published_forms();
  auto archived = device.archived_forms();
  auto enrollment = device.enrollment();
  REQUIRE(versions.ok());
  REQUIRE(archived.ok());
  REQUIRE(enrollment.ok());
  const forms::FormPack pack =
      field::device_form_pack(*builtin, {(*enrollment)->org_sign_public_key, *versions, *archived});
  auto offered = pack.find("big-lists");
  REQUIRE(offered.ok());
  CHECK((*offered)->fields.at(1).choices.size() == 5000);
}

TEST_CASE("forms pack: a device not enrolled yet collects with the built-in pack") {
  auto builtin = forms::FormPack::builtin();
  REQUIRE(builtin.ok());
  const auto org = crypto::SigningKeyPair::generate();
  pb::FormVersion signed_version;
  signed_version.set_form_id("site-check");
  signed_version.set_version(1);
  signed_version.set_definition(site_definition(1));
  const auto digest = crypto::hash(crypto::as_bytes(signed_version.definition()));
  signed_version.set_digest(digest.data(), digest.size());
  const auto signature = crypto::sign(org.secret_key, server::form_signed_message("site-check", 1, digest));
  signed_version.set_signature(signature.data(), signature.size());

  // No enrollment: no key to check anything against, so nothing but the built-in pack.
  const forms::FormPack unenrolled = field::device_form_pack(*builtin, {std::nullopt, {signed_version}, {}});
  CHECK(unenrolled.forms().size() == builtin->forms().size());
  CHECK_FALSE(unenrolled.find("site-check").ok());
  // Enrolled with another organisation's key: left out too.
  const auto stranger = crypto::SigningKeyPair::generate();
  CHECK_FALSE(field::device_form_pack(*builtin, {stranger.public_key, {signed_version}, {}}).find("site-check").ok());
  CHECK(field::device_form_pack(*builtin, {org.public_key, {signed_version}, {}}).find("site-check").ok());
}

TEST_CASE("forms pull: a device claiming forms that do not exist, versions past the newest, or one form twice gets the true catalogue") {
  InProcessServer server;
  REQUIRE(server.store->add_form_version(version_of("site-check", 1, site_definition(1), server.keys.sign.secret_key)).ok());
  REQUIRE(server.store->add_form_version(
                  version_of("site-check", 2, site_definition(2, "Safe now?"), server.keys.sign.secret_key))
              .ok());
  google::protobuf::RepeatedPtrField<pb::FormHeld> held;
  auto claim = [&](const std::string& id, std::uint32_t version) {
    pb::FormHeld* form = held.Add();
    form->set_form_id(id);
    form->set_version(version);
  };
  for (int i = 0; i < 5000; ++i) claim("no-such-form-" + std::to_string(i), 7);
  claim("site-check", 4'000'000'000u);  // past the newest: nothing is sent for it
  claim("site-check", 1);               // and again, lower: the last claim is the one read
  claim("", 0);

  auto page = server::forms_page(*server.store, held, 1 << 20);
  REQUIRE(page.ok());
  REQUIRE(page->catalogue);
  std::map<std::string, std::uint32_t> catalogue;
  for (const pb::FormHeld& form : page->catalogue->forms()) catalogue[form.form_id()] = form.version();
  CHECK(catalogue["site-check"] == 2);
  CHECK_FALSE(catalogue.contains("no-such-form-0"));
  CHECK_FALSE(catalogue.contains(""));
  // The device said it holds version 1 of site-check: it is sent version 2 only (and the
  // built-in forms it did not claim).
  std::vector<std::uint32_t> sent;
  for (const pb::FormVersion& version : page->versions) {
    if (version.form_id() == "site-check") sent.push_back(version.version());
  }
  CHECK(sent == std::vector<std::uint32_t>{2});
}
