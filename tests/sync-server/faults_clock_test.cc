// Device clocks that are wrong, end to end with the real binaries (docs/reliability.md):
// an assistant's device 10 hours ahead (the right local time in the wrong time zone) and
// her officer's 4 hours behind edit the same case; delivered in either order, the central
// store reaches the same state, with the conflict kept. A third device, 3 days ahead, is
// past the bound (common/hlc.h): its writes are refused and kept aside, the rest merges.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <csignal>

#include "common/form_pack.h"
#include "field-client/cases.h"
#include "field-client/store.h"
#include "field-client/sync_client.h"
#include "tests/support.h"

using namespace amana::testing;

namespace {

const std::filesystem::path kCentral = "central.db";

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kDay = 24 * kHour;

amana::field::StoreOptions skewed_by(std::int64_t offset_ms) {
  amana::field::StoreOptions options;
  options.clock = [offset_ms] { return amana::system_wall_clock()() + offset_ms; };
  return options;
}

amana::field::Store open_store(const std::filesystem::path& home, std::int64_t skew_ms) {
  auto store = amana::field::Store::open(home, kPassphrases.at("AMANA_PASSPHRASE"), skewed_by(skew_ms));
  REQUIRE_MESSAGE(store.ok(), store.status().message());
  return std::move(store).value();
}

// A device-written field of the case (common/case_fields.h), as a step would write it.
void set_case_field(amana::field::Store& store, amana::RecordId id, const std::string& field, const std::string& value) {
  auto record = store.record(id);
  REQUIRE(record.ok());
  auto values = record->values;
  values[field] = value;
  const auto changed = store.update_record(id, values);
  REQUIRE(changed.ok());
  REQUIRE(*changed);
}

// As SQLite's hex() writes it.
std::string sql_hex(const amana::RecordId& id) {
  std::string hex;
  for (char c : id.to_string()) {
    if (c != '-') hex += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return hex;
}

// Everything merge decided, in clear columns: every version kept (each field's current
// value is its greatest stamp among them) and the conflicts. Sealed values are left out
// (their nonces differ per server).
std::string merged_state(const std::filesystem::path& central_db) {
  return query_text(central_db,
                    "SELECT group_concat(line, char(10)) FROM ("
                    " SELECT 'version ' || hex(record_id) || ' ' || field || ' ' || hlc || ' ' || hex(device_id) ||"
                    "   ' base ' || base_hlc || ' cleared ' || cleared AS line FROM field_versions"
                    " UNION ALL SELECT 'conflict ' || hex(record_id) || ' ' || field || ' ' || earlier_hlc || ' ' ||"
                    "   hex(earlier_device) || ' ' || later_hlc || ' ' || hex(later_device) FROM conflicts"
                    " ORDER BY line)");
}

}  // namespace

TEST_CASE("faults: devices 10 hours ahead and 4 hours behind converge on a case in any order, 3 days ahead is refused") {
  ServerUnderTest server;
  REQUIRE(server.admin({"users", "add", "omar", "--role", "officer", "--team", "um-dukhun"}).exit_code == 0);
  FieldDevice ahead("amina", 0);
  FieldDevice behind("omar", 0);
  FieldDevice far("hawa", 0);
  enroll(server, ahead, "amina");
  enroll(server, behind, "omar");
  enroll(server, far, "hawa");
  const std::int64_t kAhead = 10 * kHour;
  const std::int64_t kBehind = -4 * kHour;
  const std::int64_t kFar = 3 * kDay;
  auto sync = [](amana::field::Store& store, const std::string& url) {
    amana::field::SyncOptions options;
    options.server_url = url;
    auto report = amana::field::sync_device(store, options);
    REQUIRE_MESSAGE(report.ok(), report.status().message());
    return std::move(report).value();
  };
  amana::RecordId kase;
  {
    // Amina opens the case; her officer's device pulls it (her stamps are 14 hours ahead
    // of its clock: within the bound, so it takes them in).
    auto a = open_store(ahead.home(), kAhead);
    auto pack = amana::forms::FormPack::builtin();
    amana::field::CaseBook book(a, *pack, {amana::forms::Language::en, a.today()});
    amana::field::CaseOpening opening;
    opening.person = {"Amira Hassan", "female", 14, "Um Dukhun"};
    auto opened = book.open(opening);
    REQUIRE_MESSAGE(opened.ok(), opened.status().message());
    kase = *opened;
    set_case_field(a, kase, "urgency", "high");
    set_case_field(a, kase, "risk_level", "high");
    sync(a, server.url());
    auto b = open_store(behind.home(), kBehind);
    const auto pulled = sync(b, server.url());
    CHECK(pulled.changes_received >= 1);
    CHECK(pulled.changes_held_back == 0);
    REQUIRE(b.record(kase).ok());
    // B corrects an answer after seeing A's: its write is the later one although its wall
    // clock reads 14 hours before A's.
    set_case_field(b, kase, "urgency", "medium");
    // Both change the same answer without seeing each other's change: a conflict.
    set_case_field(b, kase, "risk_level", "medium");
    set_case_field(a, kase, "risk_level", "critical");
  }
  {
    // Hawa collects a survey with a right clock, then her clock jumps 3 days ahead and she
    // collects another: both go in one changeset.
    auto pack = amana::forms::FormPack::builtin();
    const auto* form = *pack->find("pdm-survey");
    auto right = open_store(far.home(), 0);
    REQUIRE(right.add_record(*form, survey_answers()).ok());
  }
  {
    auto pack = amana::forms::FormPack::builtin();
    const auto* form = *pack->find("pdm-survey");
    auto wrong = open_store(far.home(), kFar);
    REQUIRE(wrong.add_record(*form, survey_answers()).ok());
  }
  REQUIRE(server.process().stop(SIGTERM) == 0);

  // The same server and devices twice over, so that the two arrival orders see the same
  // bytes: the original receives A, B, then the device far ahead; the copy the reverse.
  TempDir copy;
  const auto options = std::filesystem::copy_options::recursive;
  std::filesystem::copy(server.data_dir(), copy.path() / "server", options);
  std::filesystem::copy(ahead.home(), copy.path() / "ahead", options);
  std::filesystem::copy(behind.home(), copy.path() / "behind", options);
  std::filesystem::copy(far.home(), copy.path() / "far", options);
  auto sync_in_order = [&](const std::filesystem::path& data, const std::vector<std::filesystem::path>& homes,
                           const std::vector<std::int64_t>& skews) {
    std::string url;
    auto process = serve(data, url);
    for (std::size_t i = 0; i < homes.size(); ++i) {
      auto store = open_store(homes[i], skews[i]);
      const auto report = sync(store, url);
      // Refused or not, every changeset is acknowledged: nothing is sent forever.
      CHECK(store.status()->pending_operations == 0);
      CHECK(report.refused.size() == (skews[i] == kFar ? 1u : 0u));
      if (skews[i] == kFar) {
        CHECK(report.refused[0].rule() == "future_stamp");
        CHECK(sync(store, url).refused.empty());  // not sent, nor judged, again
      }
    }
    CHECK(process->stop(SIGTERM) == 0);
    return merged_state(data / kCentral);
  };
  const std::string in_order = sync_in_order(server.data_dir(), {ahead.home(), behind.home(), far.home()},
                                             {kAhead, kBehind, kFar});
  const std::string reversed = sync_in_order(copy.path() / "server",
                                             {copy.path() / "far", copy.path() / "behind", copy.path() / "ahead"},
                                             {kFar, kBehind, kAhead});
  CHECK(in_order == reversed);

  const auto central = server.data_dir() / kCentral;
  auto winner = [&](const std::string& field) {
    return query_text(central, "SELECT d.user FROM field_versions v JOIN devices d ON d.id = v.device_id "
                               "WHERE v.field = '" + field + "' AND hex(v.record_id) = '" + sql_hex(kase) +
                                   "' ORDER BY v.hlc DESC, v.device_id DESC LIMIT 1");
  };
  CHECK(winner("urgency") == "omar");  // HLC: seen, then overwritten, despite the slow clock
  // B's stamps stay just above the ones it saw (its own clock is behind them); A changed
  // the disputed answer later on A's clock, so A's change wins it.
  CHECK(winner("risk_level") == "amina");
  CHECK(query_int(central, "SELECT count(*) FROM conflicts") == 1);
  CHECK(query_int(central, "SELECT count(*) FROM conflicts WHERE field = 'risk_level'") == 1);
  // Nothing superseded is lost: the first value and both edits of the disputed answer.
  CHECK(query_int(central, "SELECT count(*) FROM field_versions WHERE field = 'risk_level' AND hex(record_id) = '" +
                               sql_hex(kase) + "'") == 3);
  // The case and Hawa's honest survey; her survey from 3 days ahead is kept aside, sealed.
  CHECK(query_int(central, "SELECT count(*) FROM records") == 2);
  CHECK(query_int(central, "SELECT count(*) FROM refused_writes WHERE rule = 'future_stamp' AND user = 'hawa'") == 1);
  CHECK(query_int(central, "SELECT count(*) FROM refused_writes") == 1);
  MESSAGE("merged state identical in both orders (" << std::count(in_order.begin(), in_order.end(), '\n') + 1
                                                      << " rows)");
}
