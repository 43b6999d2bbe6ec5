// The device side of sync (docs/protocol.md): enrollment, and pushing the outbox.
//
// A revoked device: every exchange (sync, bundle import, dataset pull) that brings the
// org's signed order to wipe wipes the store and returns revoked; the Store must then
// not be used again. A 403 without a valid order is an ordinary refusal.
//
// Exactly once from the device's side: changesets are packed once and kept until the
// server acknowledges them (store.h), so a push cut at any point is retried with the same
// bytes; the server merges each at most once and acknowledges replays again.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "common/status.h"
#include "field-client/store.h"
#include "proto/sync.pb.h"

namespace amana::field {

struct SyncOptions {
  std::optional<std::string> server_url;  // overrides the address saved at enrollment
  std::size_t max_operations_per_changeset = 500;
  std::size_t max_changesets_per_push = 16;
  std::chrono::milliseconds timeout{30'000};
  std::function<void(const std::string&)> progress;  // one line per step, for a person
};

struct SyncReport {
  std::size_t changesets_sent = 0;
  std::size_t changesets_acknowledged = 0;
  std::uint64_t high_water = 0;
  std::size_t changes_received = 0;  // changes to cases this device needs to know, made elsewhere
  std::size_t cases_removed = 0;     // cases transferred away from this device
  // Changes the server's write authority refused (docs/security.md): not merged, kept
  // aside at the office for an officer to review; their changesets are acknowledged.
  std::vector<pb::PushResponse::Refusal> refused;
  std::uint64_t refused_unlisted = 0;  // more refusals the server counted without listing them
  // Changes from the server stamped far ahead of this device's clock, not applied yet
  // (Store::PullReport::changes_held_back).
  std::size_t changes_held_back = 0;
  std::size_t pages = 0;  // pull answers applied (a large pull comes in bounded pages)
  // Versions of published forms new to this device, checked and kept (published_forms.h).
  std::size_t forms_received = 0;
};

// Joins the organisation with a code from `sync-server enroll`: fetches the org keys and
// checks them against the code's fingerprint, then sends the device's public keys (its
// secret keys never leave it). permission_denied for a refused code, invalid_argument for
// a mistyped one or a server whose keys do not match the code.
Result<Enrollment> enroll_device(Store& store, std::string_view code, const std::string& server_url,
                                 std::chrono::milliseconds timeout = std::chrono::milliseconds(30'000));

// Sync bundles, for when there is no network: the same sealed changesets in a file carried
// on a USB stick (docs/protocol.md). export writes every unacknowledged changeset (up to
// kMaxBundleChangesets) and returns how many; import applies what the server exported
// for this device (its acknowledgement) and returns the acknowledged changeset number.
inline constexpr std::size_t kMaxBundleChangesets = 64;
Result<std::size_t> export_bundle(Store& store, const std::filesystem::path& file,
                                  std::size_t max_operations_per_changeset = 500);
Result<std::uint64_t> import_bundle(Store& store, const std::filesystem::path& file);

// A de-identified dataset from the server, for a MEAL user's device: `form_id` is a form
// (referrals and follow-ups are the forms "referral" and "follow-up") or "cases". Writes `out` and `out`.codebook.csv,
// and each repeat's table beside it (repeat_keys::table_path: `hh.csv` -> `hh-members.csv`); returns the number of rows.
// permission_denied for other roles.
struct DatasetQuery {
  std::string form_id;
  std::string from;
  std::string to;
  std::string format = "csv";
  std::string labels;  // "en" or "ar": choice answers as labels; empty: codes
};
Result<std::uint64_t> pull_dataset(Store& store, const DatasetQuery& query, const std::filesystem::path& out,
                                   std::chrono::milliseconds timeout = std::chrono::milliseconds(120'000));

// Pushes every unacknowledged change, then pulls. Changes the office refused are reported
// (SyncReport::refused, and a progress line in plain words) but are no error: everything
// else went through. permission_denied when the device is revoked or
// unknown; io when the server cannot be reached (retry later: nothing is lost or doubled).
Result<SyncReport> sync_device(Store& store, const SyncOptions& options);

}  // namespace amana::field
