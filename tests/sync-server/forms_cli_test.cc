// `sync-server forms ...` through the real binary: publish, list, show, archive, try.
#include <doctest/doctest.h>

#include "common/crypto.h"
#include "common/form.h"
#include "common/sqlite.h"
#include "sync-server/admin.h"
#include "sync-server/published_forms.h"
#include "tests/support.h"
#include "tests/xlsx_fixture.h"

namespace amana::server {
namespace {

using testing::CommandResult;
using testing::TempDir;
using testing::contains;
using testing::kPassphrases;
using testing::kServerBin;

using Rows = std::vector<std::vector<std::string>>;

const Rows kChoices = {{"list_name", "name", "label::English (en)", "label::Arabic (ar)"},
                       {"yes_no", "yes", "Yes", "نعم"},
                       {"yes_no", "no", "No", "لا"},
                       {"yes_no", "yes", "Yes", "نعم"}};  // repeated: a warning
const Rows kSettings = {{"form_id", "form_title", "version"}, {"site-monitoring", "Site monitoring", "3"}};

Rows survey(bool with_water) {
  Rows rows = {{"type", "name", "label::English (en)", "label::Arabic (ar)", "required", "relevant", "constraint"},
               {"username", "collector", "", "", "", "", ""},  // metadata Amana records its own way
               {"select_one yes_no", "safe", "Is the site safe?", "هل الموقع آمن؟", "yes", "", ""},
               {"integer", "households", "Households", "عدد الأسر", "yes", "${safe} = 'yes'", ". >= 0"}};
  if (with_water) rows.push_back({"select_one yes_no", "water", "Is there water?", "هل يوجد ماء؟", "", "", ""});
  return rows;
}

class Office {
 public:
  Office() {
    REQUIRE(admin({"init"}).exit_code == 0);
  }
  CommandResult admin(std::vector<std::string> args, std::map<std::string, std::string> env = kPassphrases) const {
    args.insert(args.begin(), {kServerBin, "--data", data().string()});
    return testing::run_command(args, env);
  }
  std::filesystem::path data() const { return dir_.path() / "server"; }
  std::string workbook(const std::string& name, const Rows& rows) const {
    const auto path = dir_.path() / name;
    testing::write_xlsx(path, {{"survey", rows}, {"choices", kChoices}, {"settings", kSettings}});
    return path.string();
  }
  std::filesystem::path file(const std::string& name) const { return dir_.path() / name; }

 private:
  TempDir dir_;
};

}  // namespace

TEST_CASE("forms cli: publish keeps every version signed, list and show them, archive keeps them, all audited") {
  Office office;
  const std::string v1 = office.workbook("site-v1.xlsx", survey(false));
  const std::string v2 = office.workbook("site-v2.xlsx", survey(true));

  // A draft is converted and reported, and nothing is stored.
  const auto draft = office.admin({"forms", "publish", v1, "--draft"}, {});
  REQUIRE_MESSAGE(draft.exit_code == 0, draft.err);
  CHECK(contains(draft.out, "Draft of site-monitoring (would be version 1, Site monitoring): 2 questions"));
  CHECK(contains(draft.err, "warning: choices sheet, row 4: the choice 'yes' is already in the list 'yes_no' (row 2)"));
  CHECK_FALSE(contains(office.admin({"forms", "list"}).out, "site-monitoring"));  // only the built-in pack

  // Publishing signs with the organisation's key: without the passphrase, nothing.
  const auto refused = office.admin({"forms", "publish", v1}, {{"AMANA_SERVER_PASSPHRASE", "wrong passphrase"}});
  CHECK(refused.exit_code != 0);
  CHECK_FALSE(contains(office.admin({"forms", "list"}).out, "site-monitoring"));  // only the built-in pack

  const auto first = office.admin({"forms", "publish", v1});
  REQUIRE_MESSAGE(first.exit_code == 0, first.err);
  CHECK(contains(first.out, "Published site-monitoring version 1 (Site monitoring): 2 questions, from site-v1.xlsx"));
  CHECK(contains(first.err, "warning: survey sheet, row 2: 'username' skipped"));
  const auto again = office.admin({"forms", "publish", v1});
  CHECK(again.exit_code == 1);
  CHECK(contains(again.err, "form 'site-monitoring' is unchanged since version 1: nothing published"));
  const auto second = office.admin({"forms", "publish", v2});
  REQUIRE_MESSAGE(second.exit_code == 0, second.err);
  CHECK(contains(second.out, "Published site-monitoring version 2 (Site monitoring): 3 questions"));

  const auto list = office.admin({"forms", "list"});
  CHECK(contains(list.out, "site-monitoring"));
  CHECK(contains(list.out, "v2  Site monitoring"));
  CHECK_FALSE(contains(list.out, "ARCHIVED"));

  const auto shown = office.admin({"forms", "show", "site-monitoring"});
  REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
  CHECK(contains(shown.out, "Version    2, published"));
  CHECK(contains(shown.out, "From       site-v2.xlsx (XLSForm version 3)"));
  CHECK(contains(shown.out, "Signature  valid, the organisation's"));
  CHECK(contains(shown.out, "2. households (integer) Households  [required]  [asked if ${safe} = 'yes']"));
  CHECK(contains(shown.out, "3. water (select_one)"));
  CHECK(contains(shown.out, "Warnings when it was imported:"));

  // The old version is still there, as published.
  const auto old = office.admin({"forms", "show", "site-monitoring", "--version", "1", "--json"});
  REQUIRE(old.exit_code == 0);
  auto definition = forms::parse_form_definition(old.out);
  REQUIRE_MESSAGE(definition.ok(), definition.status().message());
  CHECK(definition->version == 1);
  CHECK(definition->fields.size() == 2);
  CHECK(definition->find_field("safe")->label.ar == "هل الموقع آمن؟");
  CHECK(contains(office.admin({"forms", "show", "site-monitoring", "--version", "7"}).err,
                 "form 'site-monitoring' has no version 7 (it has 1 to 2)"));

  const auto archived = office.admin({"forms", "archive", "site-monitoring"});
  REQUIRE_MESSAGE(archived.exit_code == 0, archived.err);
  CHECK(contains(archived.out, "Archived site-monitoring: no longer offered; its 2 versions kept"));
  CHECK(contains(office.admin({"forms", "list"}).out, "ARCHIVED"));
  CHECK(office.admin({"forms", "archive", "nothing-here"}).exit_code != 0);

  // What the store holds: every version, its digest over the definition, the org's signature.
  auto store = open_server_store(office.data());
  REQUIRE(store.ok());
  auto versions = (*store)->form_versions("site-monitoring");
  REQUIRE(versions.ok());
  REQUIRE(versions->size() == 2);
  auto keys = org_public_keys(**store);
  REQUIRE(keys.ok());
  for (const PublishedForm& version : *versions) {
    CHECK(verify_published_form(version, keys->sign));
    CHECK(version.archived_at_ms.has_value());
    PublishedForm tampered = version;
    tampered.definition.replace(tampered.definition.find("Households"), 10, "Householdz");
    CHECK_FALSE(verify_published_form(tampered, keys->sign));
    PublishedForm renumbered = version;
    renumbered.version += 5;
    CHECK_FALSE(verify_published_form(renumbered, keys->sign));
  }
  CHECK(testing::query_int(office.data() / "central.db", "SELECT count(*) FROM form_versions WHERE form_id = 'site-monitoring'") == 2);
  // A published version cannot be changed in place, even by a mistaken UPDATE.
  {
    auto db = sql::Database::open(office.data() / "central.db", sql::OpenMode::existing);
    REQUIRE(db.ok());
    CHECK(contains((*db)->exec("UPDATE form_versions SET definition = ''").message(), "never changed"));
    CHECK(contains((*db)->exec("DELETE FROM form_versions").message(), "never removed"));
  }

  const auto audit = office.admin({"audit"});
  CHECK(contains(audit.out, "form-publish"));
  CHECK(contains(audit.out, "form-archive"));
  CHECK(office.admin({"audit", "verify"}).exit_code == 0);

  // Publishing an archived form again offers it again, as version 3.
  const auto third = office.admin({"forms", "publish", v2});
  REQUIRE(third.exit_code == 0);
  CHECK(contains(third.out, "version 3"));
  CHECK_FALSE(contains(office.admin({"forms", "list"}).out, "ARCHIVED"));
}

TEST_CASE("forms cli: a refused form names sheet, row and column, in Arabic with --lang ar, and stores nothing") {
  Office office;
  Rows rows = survey(false);
  rows.push_back({"barcode", "total", "", "", "", "", ""});
  rows.push_back({"integer", "count", "Count", "العدد", "", "${missing} > 0", ""});
  const std::string file = office.workbook("refused.xlsx", rows);
  const auto refused = office.admin({"forms", "publish", file});
  CHECK(refused.exit_code == 1);
  CHECK(contains(refused.err, "error: survey sheet, row 5, column A (type): barcode: not supported yet"));
  CHECK(contains(refused.err, "survey sheet, row 6, column F (relevant): ${missing} is not a question of this form"));
  const auto arabic = office.admin({"forms", "--lang", "ar", "publish", file});
  CHECK(contains(arabic.err, "خطأ: الورقة survey، الصف 5، العمود A (type): barcode: غير مدعوم بعد"));
  CHECK_FALSE(contains(office.admin({"forms", "list"}).out, "site-monitoring"));  // only the built-in pack
  testing::write_file(office.file("form.csv"), "type,name,label\ntext,a,A\n");
  CHECK(contains(office.admin({"forms", "publish", office.file("form.csv").string()}).err, "is a CSV file"));
}

TEST_CASE("forms cli: a draft is tried with example answers, as a device would save them") {
  Office office;
  const std::string file = office.workbook("site.xlsx", survey(true));
  testing::write_file(office.file("good.json"), R"({"safe": "نعم", "households": "١٢", "water": 2})");
  const auto good = office.admin({"forms", "try", file, "--answers", office.file("good.json").string()}, {});
  REQUIRE_MESSAGE(good.exit_code == 0, good.err);
  CHECK(contains(good.out, "The answers fit site-monitoring: 3 answers as a device would save them:"));
  CHECK(contains(good.out, "\"households\": \"12\""));
  CHECK(contains(good.out, "\"safe\": \"yes\""));
  CHECK(contains(good.out, "\"water\": \"no\""));

  testing::write_file(office.file("bad.json"), R"({"safe": "no", "households": "-3"})");
  const auto bad = office.admin({"forms", "try", file, "--answers", office.file("bad.json").string()}, {});
  CHECK(bad.exit_code == 1);
  CHECK(contains(bad.err, "households"));
  testing::write_file(office.file("missing.json"), R"({"households": "3"})");
  const auto missing = office.admin({"forms", "try", file, "--answers", office.file("missing.json").string()}, {});
  CHECK(missing.exit_code == 1);
  CHECK(contains(missing.err, "safe (Is the site safe?): is required"));
}

}  // namespace amana::server
