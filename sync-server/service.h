// The sync protocol, server side: turns HTTP requests into store operations. Every
// request body is a sealed envelope (common/envelope.h) except the two plain GETs a
// device needs before it can seal anything. docs/protocol.md describes the exchange.
//
//   GET  /v1/org-keys   OrgKeys: the organisation's public keys (checked by the device
//                       against the fingerprint in its enrollment code)
//   GET  /v1/nonce      Nonce: single use, expires after five minutes; stores nothing
//   POST /v1/enroll     EnrollRequest -> EnrollResponse
//   POST /v1/push       PushRequest -> PushResponse
//   POST /v1/pull       PullRequest -> DeviceUpdate (acknowledgement, status, changes)
//   POST /v1/dataset    DatasetRequest -> DatasetResponse (MEAL users' devices only)
//
// Every operation of a changeset about to merge is judged by write authority
// (write_authority.h) first: a refused one is kept aside, audited, counted in /metrics
// (amana_operations_refused_total by rule) and reported in the PushResponse; the rest merges.
//
// Rejections carry a status and a reason counted in /metrics: 400 malformed, 400 forged
// (does not open or verify), 403 revoked (with the signed order to wipe) / unknown_device /
// enrollment_refused / role,
// 409 replayed (nonce forged, expired or used), 404 unknown_route, 413 oversized (HTTP layer).
//
// Every push, pull, enrollment and dataset, and every contact from a revoked device, is
// written to the audit log (audit_log.h).
//
// Thread safety: handle() may be called from several threads at once.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string_view>
#include <variant>

#include "common/envelope.h"

#include "common/hlc.h"
#include "common/tls.h"
#include "sync-server/central_store.h"
#include "sync-server/http_server.h"
#include "sync-server/metrics.h"
#include "sync-server/nonce.h"
#include "sync-server/org_keys.h"
#include "sync-server/write_authority.h"

namespace amana::server {

struct ServiceLimits {
  std::size_t max_changesets_per_push = 64;
  std::size_t max_operations_per_changeset = 5000;
  std::chrono::milliseconds nonce_lifetime{5 * 60 * 1000};
  // A device lists the cases it holds only when its digest is not what the server believes
  // (a restored device, a lost answer): an officer's team may hold tens of thousands.
  std::size_t max_held_cases = 200000;
  // A pull answers with about this many bytes of sealed changes at most, and says there is
  // more (DeviceUpdate.more): a page fits a device's reply bound (8 MiB) and a slow link.
  std::size_t max_pull_bytes = 1u << 20;
  // And about this many bytes of published form definitions (each at most
  // forms::kMaxPublishedFormBytes): a device new to a large set of forms takes a few pages.
  std::size_t max_pull_form_bytes = 2u << 20;
};

class SyncService {
 public:
  SyncService(CentralStore& store, const OrgKeys& keys, std::shared_ptr<Metrics> metrics,
              WallClock clock = system_wall_clock(), ServiceLimits limits = {});

  HttpResponse handle(const HttpRequest& request);

  // The TLS key the HTTP front presents: GET /v1/org-keys carries its pin signed by the
  // org, for devices to pin at enrollment. Call before serving (not thread safe).
  void present_tls_key(const tls::KeyPin& pin);

  // Sync bundles (files carried on a USB stick), through the same code path as HTTP.
  // A device's bundle holds a sealed push without a nonce: its changesets are numbered
  // and chained, so importing it twice merges nothing twice.
  Result<pb::PushResponse> import_bundle(crypto::ByteView sealed);
  // A DeviceUpdate sealed to the device, to carry back: its acknowledgement and status.
  Result<crypto::Bytes> export_bundle(const DeviceId& device);

 private:
  struct OpenedPush {
    Device sender;
    pb::PushRequest request;
  };
  // Opens and verifies a device's sealed push: corrupt (forged), permission_denied
  // (unknown or revoked device), invalid_argument (malformed or over the limits).
  Result<OpenedPush> open_push(crypto::ByteView sealed, envelope::Purpose purpose);
  struct AppliedPush {
    pb::PushResponse response;
    std::size_t operations = 0;  // merged
    std::size_t conflicts = 0;   // new
    std::size_t refusals_audited = 0;
    std::map<std::string, std::uint64_t> refused_by_rule;  // for /metrics, once committed
  };
  // A rogue device may send 64 changesets of 5000 refused operations: every one is kept
  // aside and reported, the first ones audited one by one, the rest counted in the push's
  // entry (the audit log is read by people).
  static constexpr std::size_t kMaxAuditedRefusalsPerPush = 100;
  // And the reply lists this many (each under 3 KiB: names are bounded), counting the rest.
  static constexpr std::size_t kMaxReportedRefusals = 1000;
  // Merges its changesets in order, stopping at a gap or fork. Each changeset that is to
  // merge is judged first (write_authority.h): only what is admitted merges.
  Result<AppliedPush> apply_push(const OpenedPush& push);
  // Keeps the refused operations of one changeset aside, audits and reports them.
  Status keep_refused(const Device& sender, const pb::Changeset& changeset, const Judgement& judgement,
                      AppliedPush& push);
  // Into /metrics, once the push is committed: a rolled-back push counts nothing.
  void count_push(const AppliedPush& push);
  HttpResponse org_keys() const;
  // A new single-use nonce (nonce.h): nothing is stored.
  std::string issue_nonce() const;
  // Checks `nonce` and records it spent, in the caller's transaction: replayed when it is
  // forged, expired or already spent.
  Status spend_nonce(const std::string& nonce);
  HttpResponse nonce() const;
  HttpResponse enroll(const HttpRequest& request);
  HttpResponse push(const HttpRequest& request);
  HttpResponse pull(const HttpRequest& request);
  HttpResponse dataset(const HttpRequest& request);
  // A revoked device is answered 403 with a DeviceUpdate{revoked} signed by the org and
  // sealed to it: its order to wipe, which nobody else can forge or read.
  HttpResponse revoked_answer(const Device& device, std::string_view attempted);
  Status audit_push(const Device& sender, std::string_view action, const pb::PushResponse& response);
  // What `device` is told: its acknowledgement, its status and the changes after `cursor`
  // that it needs to know. No record kinds are shared between devices yet: the change
  // feed fills in with case management, which defines who needs to know what.
  Result<pb::DeviceUpdate> device_update(const Device& device, std::uint64_t cursor,
                                         std::int64_t providers_version) const;
  // Dates the update and gives it the device's next number (a write: inside the commit that
  // spends the request's nonce, so a replayed request numbers nothing).
  Status number_update(const Device& device, pb::DeviceUpdate& update) const;
  // Need-to-know: the cases the device's user must hold. An assistant holds the cases
  // assigned to them; an officer, those assigned to anyone in their team; others none.
  // A case transferred to another organisation is held by no device.
  Result<std::vector<RecordId>> cases_to_know(const Device& device) const;
  // Adds one page of the case changes after `cursor`, of whole cases new to the device, and
  // the cases to evict, given the cases the device holds: by its digest checked against
  // what the server believes (device_cases), or as it lists them. Remembers what it sent.
  // What a pull changes in what the server believes the device holds (device_cases),
  // written in the pull's commit, after the reading.
  struct FeedWrites {
    bool replace = false;           // the device listed its cases: `held`, the known ones
    std::vector<RecordId> held;
    std::vector<RecordId> sent_whole;
    std::vector<RecordId> evicted;
  };
  Status add_case_feed(const Device& device, const pb::PullRequest& request, pb::DeviceUpdate& update,
                       FeedWrites& writes) const;
  Result<Device> sender_of(crypto::ByteView sealed, envelope::Purpose purpose, crypto::Bytes& payload);
  // A device's sealed request carrying a nonce (pull, dataset): opened, parsed as
  // Message and its nonce spent; or the answer that refuses it (a revoked device gets
  // its order to wipe). `what` names the request in refusals and the audit log.
  template <class Message>
  struct DeviceRequest {
    Device sender;
    Message message;
  };
  template <class Message>
  std::variant<HttpResponse, DeviceRequest<Message>> open_request(const HttpRequest& request, envelope::Purpose purpose,
                                                                  std::string_view what);
  // What the server sends a device: `message` signed by the org and sealed to the device.
  crypto::Bytes seal_for(envelope::Purpose purpose, const google::protobuf::MessageLite& message,
                         const crypto::PublicKey& device_box_key) const;
  HttpResponse sealed_reply(envelope::Purpose purpose, const google::protobuf::MessageLite& message,
                            const crypto::PublicKey& device_box_key, int status = 200, std::string reason = "") const;

  CentralStore& store_;
  const OrgKeys& keys_;
  std::shared_ptr<Metrics> metrics_;
  WallClock clock_;
  ServiceLimits limits_;
  NonceIssuer nonces_;
  std::string tls_key_pin_;            // empty: no TLS served here
  std::string tls_key_pin_signature_;
};

}  // namespace amana::server
