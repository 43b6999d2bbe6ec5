// A newer built-in version reaching a store an older binary made (published_forms.h
// update_builtin_forms): a store whose init published version 1 of the identification (as
// the binary before the household roster did) gets version 2 from `sync-server forms
// update-builtin` and at `serve` start, audited like init's, and devices receive it in
// their pull; a store where the organisation published its own version 2 of that form id
// keeps it, and is told why the built-in one was not published.
#include <doctest/doctest.h>

#include <csignal>
#include <nlohmann/json.hpp>

#include "common/form_pack.h"
#include "sync-server/admin.h"
#include "sync-server/org_keys.h"
#include "sync-server/published_forms.h"
#include "tests/support.h"

using namespace amana;
using namespace amana::testing;

namespace {

constexpr std::string_view kIdentification = "outreach-identification";

// A store as the binary before version 2 initialised it: its org keys, and every built-in
// version but the identification's version 2 published, signed, as "built-in FILE". With
// `own_version_2`, the organisation then published a version 2 of its own from an XLSForm
// (version 1's questions and one more), as it could with that binary.
void old_init(const std::filesystem::path& data, bool own_version_2) {
  std::filesystem::create_directories(data);
  auto store = server::open_sqlite_store(data / "central.db", true);
  REQUIRE(store.ok());
  const std::string passphrase = kPassphrases.at("AMANA_SERVER_PASSPHRASE");
  REQUIRE(server::create_org_keys(**store, passphrase, kCheapKdf).ok());
  auto keys = server::unlock_org_keys(**store, passphrase);
  REQUIRE(keys.ok());
  std::string version_1;
  for (const forms::FormPack::Source& source : forms::FormPack::builtin_sources()) {
    auto definition = forms::parse_form_definition(source.json);
    REQUIRE(definition.ok());
    if (definition->id == kIdentification && definition->version == 2) continue;
    if (definition->id == kIdentification) version_1 = std::string(source.json);
    server::PublishedForm form;
    form.form_id = definition->id;
    form.version = definition->version;
    form.definition = std::string(source.json);
    form.digest = crypto::hash(crypto::as_bytes(form.definition));
    form.signature = crypto::sign(keys->sign.secret_key, server::form_signed_message(form.form_id, form.version, form.digest));
    form.source_name = "built-in " + std::string(source.file);
    form.source_digest = form.digest;
    form.published_at_ms = 1'700'000'000'000;
    form.published_by = "init";
    REQUIRE((*store)->add_form_version(form).ok());
  }
  REQUIRE_FALSE(version_1.empty());
  if (!own_version_2) return;
  auto own = nlohmann::json::parse(version_1);
  own["version"] = 2;
  own["fields"].push_back({{"name", "shelter_type"}, {"type", "select_one"}, {"label", {{"en", "Shelter"}}},
                           {"choices", {{{"name", "tent"}, {"label", {{"en", "Tent"}}}},
                                        {{"name", "house"}, {"label", {{"en", "House"}}}}}}});
  server::PublishedForm form;
  form.form_id = std::string(kIdentification);
  form.version = 2;
  form.definition = own.dump(2);
  REQUIRE(forms::parse_form_definition(form.definition).ok());
  form.digest = crypto::hash(crypto::as_bytes(form.definition));
  form.signature = crypto::sign(keys->sign.secret_key, server::form_signed_message(form.form_id, 2, form.digest));
  form.source_name = "identification-2026.xlsx";
  form.source_digest = crypto::hash(crypto::as_bytes(std::string("the workbook")));
  form.published_at_ms = 1'700'000'100'000;
  form.published_by = "operator";
  REQUIRE((*store)->add_form_version(form).ok());
}

CommandResult admin(const std::filesystem::path& data, std::vector<std::string> args) {
  args.insert(args.begin(), {kServerBin, "--data", data.string()});
  return run_command(args, kPassphrases);
}

// The identification's versions in the store: version and where it came from ("built-in",
// or the file the organisation published).
std::vector<std::pair<std::uint32_t, std::string>> identification_versions(const std::filesystem::path& data) {
  auto store = server::open_server_store(data);
  REQUIRE(store.ok());
  auto versions = (*store)->form_versions(kIdentification);
  REQUIRE(versions.ok());
  std::vector<std::pair<std::uint32_t, std::string>> out;
  for (const auto& version : *versions) {
    out.emplace_back(version.version, version.source_name.starts_with("built-in ") ? "built-in" : version.source_name);
  }
  return out;
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("built-in update: a store whose init published version 1 gets version 2, and devices receive it") {
  TempDir dir;
  const auto data = dir.path() / "server";
  old_init(data, false);
  CHECK(identification_versions(data) == std::vector<std::pair<std::uint32_t, std::string>>{
                                             {1, "built-in"}});
  // What a device that synced with the old store holds lacks version 2; its pull gets it after the update.
  google::protobuf::RepeatedPtrField<pb::FormHeld> held;
  {
    auto store = server::open_server_store(data);
    REQUIRE(store.ok());
    auto catalogue = (*store)->form_catalogue();
    REQUIRE(catalogue.ok());
    for (const auto& entry : *catalogue) {
      pb::FormHeld* form = held.Add();
      form->set_form_id(entry.form_id);
      form->set_version(entry.newest);
    }
    auto page = server::forms_page(**store, held, 1 << 20);
    REQUIRE(page.ok());
    CHECK(page->versions.empty());  // up to date with the old store
  }

  const auto updated = admin(data, {"forms", "update-builtin"});
  REQUIRE_MESSAGE(updated.exit_code == 0, updated.err);
  CHECK(contains(updated.out, "outreach-identification: published the built-in version 2 (the store's newest was the "
                              "built-in version 1)"));
  CHECK(contains(updated.out, "pdm-survey: the store has the built-in version 1 already: nothing to publish"));
  CHECK(identification_versions(data) ==
        std::vector<std::pair<std::uint32_t, std::string>>{{1, "built-in"},
                                                           {2, "built-in"}});
  const auto shown = admin(data, {"forms", "show", std::string(kIdentification)});
  CHECK(contains(shown.out, "Version    2,"));
  CHECK(contains(shown.out, "valid, the organisation's"));
  // Audited as init's publications are, and only once: a second run publishes nothing.
  const std::string audit = admin(data, {"audit"}).out;
  CHECK(count_of(audit, "form-publish  outreach-identification  version 2, digest ") == 1);
  CHECK(contains(audit, "the built-in form"));
  const auto again = admin(data, {"forms", "update-builtin"});
  REQUIRE(again.exit_code == 0);
  CHECK(contains(again.out, "outreach-identification: the store has the built-in version 2 already"));
  CHECK(count_of(admin(data, {"audit"}).out, "form-publish  outreach-identification  version 2,") == 1);
  // In Arabic, with --lang ar.
  CHECK(contains(admin(data, {"forms", "--lang", "ar", "update-builtin"}).out, "في المخزن الإصدار المدمج"));

  {
    auto store = server::open_server_store(data);
    REQUIRE(store.ok());
    auto page = server::forms_page(**store, held, 1 << 20);
    REQUIRE(page.ok());
    REQUIRE(page->versions.size() == 1);
    CHECK(page->versions[0].form_id() == kIdentification);
    CHECK(page->versions[0].version() == 2);
    CHECK(page->catalogue.has_value());
  }

  // Through the binaries: a device enrolling now receives every version, version 2 included.
  REQUIRE(admin(data, {"users", "add", "amina", "--role", "assistant", "--team", "um-dukhun"}).exit_code == 0);
  std::string url;
  auto process = serve(data, url);
  FieldDevice device("amina", 0);
  const auto issued = admin(data, {"enroll", "amina"});
  REQUIRE_MESSAGE(issued.exit_code == 0, issued.err);
  const auto at = issued.out.find("\n\n  ");
  REQUIRE(at != std::string::npos);
  const std::string code = issued.out.substr(at + 4, issued.out.find('\n', at + 4) - (at + 4));
  const auto enrolled = device.run({"enroll", code, "--server", url});
  REQUIRE_MESSAGE(enrolled.exit_code == 0, enrolled.err);
  const auto synced = device.run({"sync"});
  REQUIRE_MESSAGE(synced.exit_code == 0, synced.err);
  // Every built-in version is a published one now, the identification's version 2 too.
  CHECK(contains(synced.out, "Received " + std::to_string(forms::FormPack::builtin_sources().size()) +
                                 " new form versions from the office"));
  CHECK(contains(device.run({"forms"}).out, "outreach-identification"));
  process->stop(SIGTERM);
}

TEST_CASE("built-in update: serve publishes a newer built-in version at start, audited as serve") {
  TempDir dir;
  const auto data = dir.path() / "server";
  old_init(data, false);
  std::string url;
  auto process = serve(data, url);
  CHECK(identification_versions(data).size() == 2);
  process->stop(SIGTERM);
  CHECK(contains(admin(data, {"audit"}).out, "serve  form-publish  outreach-identification  version 2"));
  // The next start has nothing to publish.
  process = serve(data, url);
  process->stop(SIGTERM);
  CHECK(count_of(admin(data, {"audit"}).out, "form-publish  outreach-identification  version 2") == 1);
}

TEST_CASE("built-in update: an organisation's own version of a built-in form is never overwritten") {
  TempDir dir;
  const auto data = dir.path() / "server";
  old_init(data, true);
  const auto before = admin(data, {"forms", "show", std::string(kIdentification), "--json"});
  REQUIRE(before.exit_code == 0);
  CHECK(contains(before.out, "shelter_type"));

  const auto updated = admin(data, {"forms", "update-builtin"});
  REQUIRE_MESSAGE(updated.exit_code == 0, updated.err);
  CHECK(contains(updated.out, "your organisation published version 2 of outreach-identification itself; the "
                              "built-in version 2 was not published"));
  CHECK(identification_versions(data) ==
        std::vector<std::pair<std::uint32_t, std::string>>{{1, "built-in"},
                                                           {2, "identification-2026.xlsx"}});
  CHECK(admin(data, {"forms", "show", std::string(kIdentification), "--json"}).out == before.out);
  CHECK_FALSE(contains(admin(data, {"audit"}).out, "form-publish  outreach-identification"));

  // Nor at serve start.
  std::string url;
  auto process = serve(data, url);
  process->stop(SIGTERM);
  CHECK(identification_versions(data).size() == 2);
  CHECK(admin(data, {"forms", "show", std::string(kIdentification), "--json"}).out == before.out);
}

TEST_CASE("built-in update: an export reads a built-in version with this binary's disclosure") {
  // A store whose version 2 was published from an earlier text of it (the totals kept as
  // collected, the roster undeclared): the export's pack has this binary's text of version 2.
  TempDir dir;
  const auto data = dir.path() / "server";
  old_init(data, false);
  auto store = server::open_server_store(data);
  REQUIRE(store.ok());
  auto keys = server::unlock_org_keys(**store, kPassphrases.at("AMANA_SERVER_PASSPHRASE"));
  REQUIRE(keys.ok());
  std::string current;
  for (const auto& source : forms::FormPack::builtin_sources()) {
    if (source.file == "outreach-identification.json") current = std::string(source.json);
  }
  REQUIRE_FALSE(current.empty());
  auto earlier = nlohmann::json::parse(current);
  for (auto& field : earlier["fields"]) {
    if (field["name"] == "household_members") field.erase("disclosure");  // the roster, as version 2 first had it
    if (field["name"] == "members_under_18" || field["name"] == "members_with_needs") {
      field["disclosure"] = "as_collected";
      field.erase("top_code");
    }
  }
  server::PublishedForm form;
  form.form_id = std::string(kIdentification);
  form.version = 2;
  form.definition = earlier.dump(2);
  REQUIRE(forms::parse_form_definition(form.definition).ok());
  form.digest = crypto::hash(crypto::as_bytes(form.definition));
  form.signature = crypto::sign(keys->sign.secret_key, server::form_signed_message(form.form_id, 2, form.digest));
  form.source_name = "built-in outreach-identification.json";
  form.source_digest = form.digest;
  form.published_at_ms = 1'700'000'000'000;
  form.published_by = "init";
  REQUIRE((*store)->add_form_version(form).ok());

  auto disclosure_in = [](const forms::FormPack& pack, const char* field) {
    const auto versions = pack.versions(kIdentification);
    REQUIRE(versions.size() == 2);
    REQUIRE(versions.back()->find_field(field) != nullptr);
    return versions.back()->find_field(field)->disclosure;
  };
  auto signed_pack = server::server_form_pack(**store);
  REQUIRE(signed_pack.ok());
  CHECK(disclosure_in(*signed_pack, "members_under_18") == forms::Disclosure::as_collected);  // as devices hold it
  auto exported = server::export_form_pack(**store);
  REQUIRE(exported.ok());
  CHECK(disclosure_in(*exported, "members_under_18") == forms::Disclosure::top_coded);
  CHECK(disclosure_in(*exported, "members_with_needs") == forms::Disclosure::top_coded);
  // Nothing to publish: the store has a built-in version 2 (an earlier text of it).
  auto updates = server::update_builtin_forms(**store, *keys, "operator", 1'700'000'200'000);
  REQUIRE(updates.ok());
  for (const auto& update : *updates) CHECK(update.published.empty());
}
