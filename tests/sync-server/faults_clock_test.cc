// Device clocks off by days, end to end with the real binaries (docs/reliability.md): two
// devices, one 3 days ahead and one 5 days behind, edit the same records; delivered in
// either order, the central store reaches the same state, with the conflict kept.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <csignal>

#include "common/form_pack.h"
#include "field-client/store.h"
#include "field-client/sync_client.h"
#include "tests/support.h"

using namespace amana::testing;

namespace {

const std::filesystem::path kCentral = "central.db";

constexpr std::int64_t kDay = 86'400'000;

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

void set_satisfaction(amana::field::Store& store, amana::RecordId id, const std::string& value) {
  auto record = store.record(id);
  REQUIRE(record.ok());
  auto values = record->values;
  values["satisfaction"] = value;
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

TEST_CASE("faults: devices 3 days ahead and 5 days behind edit the same records and converge in any order") {
  ServerUnderTest server;
  FieldDevice ahead("amina", 0);
  FieldDevice behind("hawa", 0);
  enroll(server, ahead, "amina");
  enroll(server, behind, "hawa");
  const std::int64_t kAhead = 3 * kDay;
  const std::int64_t kBehind = -5 * kDay;
  amana::RecordId agreed;
  amana::RecordId disputed;
  {
    auto a = open_store(ahead.home(), kAhead);
    auto b = open_store(behind.home(), kBehind);
    auto pack = amana::forms::FormPack::builtin();
    const auto* form = *pack->find("pdm-survey");
    agreed = *a.add_record(*form, survey_answers());
    disputed = *a.add_record(*form, survey_answers());
    // B receives A's records as a pull brings them, and its clock takes in A's stamps.
    const auto outbox = a.outbox(0, 10);
    REQUIRE(outbox.ok());
    std::vector<amana::pb::Operation> operations;
    for (const auto& entry : *outbox) operations.push_back(entry.operation);
    REQUIRE(b.apply_pulled(operations, {}, 0).ok());
    // B corrects an answer after seeing A's: its write is the later one although its
    // wall clock reads 8 days before A's.
    set_satisfaction(b, agreed, "1");
    // Both change the same answer without seeing each other's change: a conflict.
    set_satisfaction(b, disputed, "2");
    set_satisfaction(a, disputed, "5");
  }
  REQUIRE(server.process().stop(SIGTERM) == 0);

  // The same server and devices twice over, so that the two arrival orders see the same
  // bytes: the original receives A then B, the copy B then A.
  TempDir copy;
  const auto options = std::filesystem::copy_options::recursive;
  std::filesystem::copy(server.data_dir(), copy.path() / "server", options);
  std::filesystem::copy(ahead.home(), copy.path() / "ahead", options);
  std::filesystem::copy(behind.home(), copy.path() / "behind", options);
  auto sync_in_order = [](const std::filesystem::path& data, const std::vector<std::filesystem::path>& homes,
                          const std::vector<std::int64_t>& skews) {
    std::string url;
    auto process = serve(data, url);
    for (std::size_t i = 0; i < homes.size(); ++i) {
      auto store = open_store(homes[i], skews[i]);
      amana::field::SyncOptions sync;
      sync.server_url = url;
      const auto report = amana::field::sync_device(store, sync);
      REQUIRE_MESSAGE(report.ok(), report.status().message());
      CHECK(store.status()->pending_operations == 0);
    }
    CHECK(process->stop(SIGTERM) == 0);
    return merged_state(data / kCentral);
  };
  const std::string a_then_b =
      sync_in_order(server.data_dir(), {ahead.home(), behind.home()}, {kAhead, kBehind});
  const std::string b_then_a =
      sync_in_order(copy.path() / "server", {copy.path() / "behind", copy.path() / "ahead"}, {kBehind, kAhead});
  CHECK(a_then_b == b_then_a);

  const auto central = server.data_dir() / kCentral;
  auto winner = [&](const amana::RecordId& id) {
    return query_text(central, "SELECT d.user FROM field_versions v JOIN devices d ON d.id = v.device_id "
                               "WHERE v.field = 'satisfaction' AND hex(v.record_id) = '" + sql_hex(id) +
                                   "' ORDER BY v.hlc DESC, v.device_id DESC LIMIT 1");
  };
  CHECK(winner(agreed) == "hawa");  // HLC: seen, then overwritten, despite the slow clock
  // B's stamps stay just above the ones it saw (its own clock is behind them); A changed
  // the disputed answer later on A's clock, so A's change wins it.
  CHECK(winner(disputed) == "amina");
  CHECK(query_int(central, "SELECT count(*) FROM conflicts") == 1);
  CHECK(query_int(central, "SELECT count(*) FROM conflicts WHERE hex(record_id) = '" + sql_hex(disputed) + "'") == 1);
  // Nothing superseded is lost: the created value and both edits of the disputed answer.
  CHECK(query_int(central, "SELECT count(*) FROM field_versions WHERE field = 'satisfaction' AND hex(record_id) = '" +
                               sql_hex(disputed) + "'") == 3);
  CHECK(query_int(central, "SELECT count(*) FROM records") == 2);
  MESSAGE("merged state identical in both orders (" << std::count(a_then_b.begin(), a_then_b.end(), '\n') + 1
                                                      << " rows)");
}
