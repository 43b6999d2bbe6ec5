// The monthly report from the counts kept at merge time (report_counts.h) against the
// report of a full pass over every record (build_report_by_scan), byte for byte, in both
// languages: on generated data merged by devices, after device edits that move a record
// from one breakdown to another or clear a value, after office writes (closing and
// transferring cases, a referral's outcome), and after the counts are rebuilt from the
// records as an older store builds them.
#include <doctest/doctest.h>

#include <cstdio>
#include <set>

#include "common/form_pack.h"
#include "common/hlc.h"
#include "common/sqlite.h"
#include "sync-server/admin.h"
#include "sync-server/org_keys.h"
#include "sync-server/report.h"
#include "sync-server/report_internal.h"
#include "tests/support.h"
#include "tests/sync-server/in_process.h"

namespace amana::server {
namespace {

using testing::InProcessServer;
using testing::OperationSpec;

// The 12 months ending with the one of `now_ms`, oldest first.
std::vector<std::string> months_to(std::int64_t now_ms) {
  return report_detail::last_periods(local_date(now_ms).substr(0, 7), 12);
}

// The store of a data directory, unlocked.
std::unique_ptr<CentralStore> open_unlocked(const std::filesystem::path& data) {
  auto store = open_server_store(data);
  REQUIRE(store.ok());
  REQUIRE(unlock_org_keys(**store, testing::kPassphrases.at("AMANA_SERVER_PASSPHRASE")).ok());
  return std::move(*store);
}

// Checks every month's report both ways, in both languages; returns the records counted
// (identifications and cases opened), so that a test can tell it compared something.
long same_both_ways(CentralStore& store, const std::vector<std::string>& months) {
  long counted = 0;
  for (const std::string& month : months) {
    for (Language language : {Language::en, Language::ar}) {
      ReportOptions options;
      options.period = month;
      options.language = language;
      auto kept = build_report(store, options);
      auto scanned = build_report_by_scan(store, options);
      REQUIRE_MESSAGE(kept.ok(), kept.status().message());
      REQUIRE_MESSAGE(scanned.ok(), scanned.status().message());
      CAPTURE(month);
      CHECK(report_markdown(*kept) == report_markdown(*scanned));
      CHECK(report_html(*kept) == report_html(*scanned));
      if (language == Language::en) counted += kept->identifications + kept->cases_opened + kept->cases_closed;
    }
  }
  return counted;
}

std::string value_of(const CentralRecord& record, const std::string& field) {
  auto found = record.values.find(field);
  return found == record.values.end() ? std::string() : found->second;
}

}  // namespace

TEST_CASE("report counts: the report from counts kept at merge time is the full pass's, byte for byte, through "
          "merges, office writes and a rebuild") {
  testing::TempDir dir;
  const auto data = dir.path() / "server";
  const auto generated =
      testing::run_command({AMANA_GEN_DATA_BIN, "--data", data.string(), "--devices", "3", "--records", "40",
                            "--device-homes", (dir.path() / "devices").string()},
                           testing::kPassphrases);
  REQUIRE_MESSAGE(generated.exit_code == 0, generated.err);
  const auto months = months_to(system_wall_clock()());
  {
    auto store = open_unlocked(data);
    CHECK(same_both_ways(*store, months) > 0);

    // Office writes that move records between breakdowns and clear values.
    auto records = store->records(std::nullopt);
    REQUIRE(records.ok());
    int identifications = 0, cases = 0, referrals = 0, followups = 0;
    const std::int64_t now = system_wall_clock()();
    for (const CentralRecord& r : *records) {
      if (r.form_id == "outreach-identification" && identifications++ < 4) {
        const std::string sex = value_of(r, "sex") == "female" ? "male" : "female";
        REQUIRE(store->write_as_org(r.id, {{"sex", sex}, {"displacement_status", ""}, {"specific_needs", "WR"}},
                                       "officer", now).ok());
      } else if (r.form_id == "case" && cases < 6) {
        const char* status = cases % 3 == 0 ? "closed" : cases % 3 == 1 ? "transferred" : "in_progress";
        ++cases;
        REQUIRE(store->write_as_org(r.id, {{"status", status}, {"risk_level", cases % 2 ? "" : "high"}},
                                       "officer", now).ok());
      } else if (r.form_id == "referral" && referrals++ < 3) {
        REQUIRE(store->write_as_org(r.id, {{"status", "service_provided"}, {"status_date", local_date(now)}},
                                       "officer", now).ok());
      } else if (r.form_id == "follow-up" && followups++ < 3) {
        REQUIRE(store->write_as_org(r.id, {{"done_date", ""}}, "officer", now).ok());
      }
    }
    CHECK(cases == 6);
    CHECK(same_both_ways(*store, months) > 0);
  }
  {  // as a store made before the counts were kept: built from the records on opening
    auto db = sql::Database::open(data / "central.db", sql::OpenMode::existing);
    REQUIRE(db.ok());
    REQUIRE((*db)->exec("DELETE FROM report_counts; INSERT INTO meta (key, value) VALUES ('report_counts_pending', x'01')").ok());
  }
  auto store = open_unlocked(data);
  CHECK(same_both_ways(*store, months) > 0);

  // Counts only: no name, phone or id of any record is a key of the table, and a place is
  // kept only as an area of the forms' lists (as the report prints it), never as typed.
  auto records = store->records(std::nullopt);
  REQUIRE(records.ok());
  std::set<std::string> personal;
  for (const CentralRecord& r : *records) {
    personal.insert(r.id.to_string());
    for (const char* field : {"full_name", "name", "phone"}) {
      if (!value_of(r, field).empty()) personal.insert(value_of(r, field));
    }
  }
  auto pack = forms::FormPack::builtin();
  REQUIRE(pack.ok());
  std::set<std::string> areas{"", "other"};
  for (const char* form : {"outreach-identification", "rapid-protection-assessment"}) {
    for (const forms::Field& field : (*pack->find(form))->fields) {
      for (const forms::Area& area : field.areas) areas.insert(area.name);
    }
  }
  auto db = sql::Database::open(data / "central.db", sql::OpenMode::existing);
  REQUIRE(db.ok());
  auto keys = (*db)->query("SELECT key, breakdown FROM report_counts");
  REQUIRE(keys.ok());
  int rows = 0;
  while (*keys->step()) {
    ++rows;
    const std::string key = keys->column_text(0);
    const std::string breakdown = keys->column_text(1);
    CHECK_MESSAGE(personal.count(key) == 0, key, " in ", breakdown);
    if (breakdown == "site" || breakdown == "opened_site") CHECK_MESSAGE(areas.count(key) == 1, key);
    if (breakdown == "risk") CHECK_MESSAGE(areas.count(key.substr(0, key.find('\n'))) == 1, key);
  }
  CHECK(rows > 10);
}

TEST_CASE("report counts: a device's edits move its record between breakdowns, and a cleared value leaves its count") {
  InProcessServer server;
  testing::MessageDevice device;
  device.enroll(server, "amina");
  const std::int64_t day = 86'400'000;
  const std::int64_t at = InProcessServer::kStartMs;
  const std::string month = local_date(at).substr(0, 7);
  std::vector<RecordId> ids;
  std::vector<pb::Operation> created;
  for (int i = 0; i < 7; ++i) {
    ids.push_back(new_record_id(at + i));
    created.push_back(testing::make_operation(
        {device.id, ids.back(), "outreach-identification",
         {{"identification_date", local_date(at)}, {"sex", "female"}, {"displacement_status", "idp"},
          {"identified_by", "outreach_volunteer"}, {"age", "30"}},
         "amina", std::nullopt, make_hlc(at, static_cast<std::uint32_t>(i)), at}));
  }
  REQUIRE(device.push(server, {device.changeset(created)}).ok());
  ReportOptions options;
  options.period = month;
  auto before = build_report(*server.store, options);
  REQUIRE(before.ok());
  CHECK(before->identifications == 7);
  CHECK(same_both_ways(*server.store, {month}) > 0);

  // Two move to male, one loses its displacement status, one is redated a month later.
  std::vector<pb::Operation> edits;
  auto edit = [&](int i, std::map<std::string, std::string> values) {
    pb::Operation op = testing::make_operation({device.id, ids[static_cast<std::size_t>(i)], "outreach-identification",
                                                values, "amina", std::nullopt, make_hlc(at, static_cast<std::uint32_t>(100 + i)), at});
    op.set_kind(pb::Operation::UPDATE);
    for (auto& write : *op.mutable_writes()) {
      write.set_base_hlc(static_cast<std::uint64_t>(make_hlc(at, static_cast<std::uint32_t>(i))));
      write.set_cleared(write.value().empty());
    }
    edits.push_back(std::move(op));
  };
  edit(0, {{"sex", "male"}});
  edit(1, {{"sex", "male"}, {"age", "70"}});
  edit(2, {{"displacement_status", ""}});
  edit(3, {{"identification_date", local_date(at + 40 * day)}});
  auto pushed = device.push(server, {device.changeset(edits)});
  REQUIRE_MESSAGE(pushed.ok(), pushed.status().message());
  auto after = build_report(*server.store, options);
  REQUIRE(after.ok());
  CHECK(after->identifications == 6);
  CHECK(after->identified_sex.size() == 2);
  CHECK(same_both_ways(*server.store, {month, local_date(at + 40 * day).substr(0, 7)}) > 0);
}

}  // namespace amana::server
