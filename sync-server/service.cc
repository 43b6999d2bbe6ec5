#include "sync-server/service.h"

#include <algorithm>
#include <map>
#include <variant>

#include "common/case_digest.h"
#include "common/envelope.h"
#include "sync-server/access.h"
#include "sync-server/admin.h"
#include "sync-server/case_admin.h"
#include "sync-server/dataset.h"
#include "sync-server/published_forms.h"
#include "sync-server/write_authority.h"

namespace amana::server {
namespace {

constexpr std::size_t kTokenBytes = 10;

HttpResponse plain(const google::protobuf::MessageLite& message) {
  return {200, "application/x-protobuf", message.SerializeAsString(), ""};
}

HttpResponse rejected(int status, std::string reason, const std::string& message) {
  return {status, "text/plain; charset=utf-8", message + "\n", std::move(reason)};
}

// Maps a failure to open an envelope or act on it to the response a device sees.
// `denied` names the reason for permission_denied, which depends on the endpoint.
HttpResponse refusal(const Status& status, std::string denied = "unknown_device") {
  switch (status.code()) {
    case ErrorCode::corrupt: return rejected(400, "forged", status.message());
    case ErrorCode::invalid_argument: return rejected(400, "malformed", status.message());
    case ErrorCode::revoked: return rejected(403, "revoked", status.message());
    case ErrorCode::permission_denied: return rejected(403, std::move(denied), status.message());
    case ErrorCode::replayed: return rejected(409, "replayed", status.message());
    case ErrorCode::already_exists: return rejected(409, "already_enrolled", status.message());
    // The store could not write (SQLITE_FULL, an I/O error). The failing transaction rolled
    // back; the device keeps what was not acknowledged and resends it, and a changeset that
    // did merge before the failure comes back as already applied. SQLite's message names
    // server paths: not for devices.
    case ErrorCode::io:
      return rejected(503, "storage_unavailable",
                      "the server cannot write to its store just now (its disk may be full); try again later: "
                      "nothing is lost or sent twice");
    default: return {500, "text/plain; charset=utf-8", "internal error\n", "internal_error"};
  }
}

template <std::size_t N>
bool copy_exact(const std::string& from, std::array<std::uint8_t, N>& to) {
  if (from.size() != N) return false;
  std::copy(from.begin(), from.end(), to.begin());
  return true;
}

pb::PushResponse::Outcome to_wire(ChangesetOutcome outcome) {
  switch (outcome) {
    case ChangesetOutcome::merged: return pb::PushResponse::MERGED;
    case ChangesetOutcome::already_applied: return pb::PushResponse::ALREADY_APPLIED;
    case ChangesetOutcome::gap: return pb::PushResponse::GAP;
    case ChangesetOutcome::fork: return pb::PushResponse::FORK;
  }
  return pb::PushResponse::OUTCOME_UNSPECIFIED;
}

}  // namespace

SyncService::SyncService(CentralStore& store, const OrgKeys& keys, std::shared_ptr<Metrics> metrics,
                         WallClock clock, ServiceLimits limits)
    : store_(store),
      keys_(keys),
      metrics_(std::move(metrics)),
      clock_(std::move(clock)),
      limits_(limits),
      nonces_(keys_.data_key, limits_.nonce_lifetime) {}

HttpResponse SyncService::handle(const HttpRequest& request) {
  const std::string path = request.target.substr(0, request.target.find('?'));
  if (request.method == "GET" && path == "/v1/org-keys") return org_keys();
  if (request.method == "GET" && path == "/v1/nonce") return nonce();
  if (request.method == "POST" && path == "/v1/enroll") return enroll(request);
  if (request.method == "POST" && path == "/v1/push") return push(request);
  if (request.method == "POST" && path == "/v1/pull") return pull(request);
  if (request.method == "POST" && path == "/v1/dataset") return dataset(request);
  return rejected(404, "unknown_route", "no such endpoint: " + request.method + " " + path);
}

HttpResponse SyncService::org_keys() const {
  pb::OrgKeys message;
  message.set_sign_public_key(keys_.sign.public_key.data(), keys_.sign.public_key.size());
  message.set_box_public_key(keys_.box.public_key.data(), keys_.box.public_key.size());
  message.set_tls_key_pin(tls_key_pin_);
  message.set_tls_key_pin_signature(tls_key_pin_signature_);
  return plain(message);
}

void SyncService::present_tls_key(const tls::KeyPin& pin) {
  const crypto::Bytes signature = crypto::sign(keys_.sign.secret_key, tls::signed_pin_message(pin));
  tls_key_pin_.assign(pin.begin(), pin.end());
  tls_key_pin_signature_.assign(signature.begin(), signature.end());
}

std::string SyncService::issue_nonce() const { return nonces_.issue(clock_()); }

Status SyncService::spend_nonce(const std::string& nonce) {
  const std::int64_t now = clock_();
  AMANA_ASSIGN_OR_RETURN(NonceIssuer::Checked checked, nonces_.check(nonce, now));
  return store_.spend_nonce(checked.id, checked.expires_at_ms, now);
}

HttpResponse SyncService::nonce() const {
  // No store, no disk: anyone may ask, as often as they like (nonce.h).
  pb::Nonce message;
  message.set_nonce(issue_nonce());
  return plain(message);
}

HttpResponse SyncService::enroll(const HttpRequest& request) {
  // The device has no identity yet: it signs with the key it is enrolling, named as the
  // sender, which proves it holds the secret half.
  const envelope::Recipient org{keys_.box.public_key, &keys_.box.secret_key};
  auto self_key = [](crypto::ByteView sender) -> Result<crypto::PublicKey> {
    crypto::PublicKey key{};
    if (sender.size() != key.size()) return corrupt("an enrollment must be signed by the key it enrolls");
    std::copy(sender.begin(), sender.end(), key.begin());
    return key;
  };
  auto opened = envelope::open(crypto::as_bytes(request.body), envelope::Purpose::enroll_request, org, self_key);
  if (!opened.ok()) return refusal(opened.status());
  pb::EnrollRequest message;
  if (!message.ParseFromArray(opened->payload.data(), static_cast<int>(opened->payload.size()))) {
    return rejected(400, "malformed", "enrollment request does not parse");
  }
  Device device;
  std::array<std::uint8_t, 16> device_bytes{};
  if (message.token().size() != kTokenBytes || !copy_exact(message.device_id(), device_bytes) ||
      !copy_exact(message.box_public_key(), device.box_public_key)) {
    return rejected(400, "malformed", "enrollment request has fields of the wrong size");
  }
  device.id = DeviceId::from_bytes(device_bytes).value();
  std::copy(opened->sender_id.begin(), opened->sender_id.end(), device.sign_public_key.begin());
  // One durable commit: the nonce spent and the device registered. A refused code still
  // spends its nonce (the commit goes ahead), so every guess at a code costs a new one.
  std::optional<User> user;
  HttpResponse refused;
  const Status committed = store_.in_one_transaction([&]() -> Status {
    AMANA_RETURN_IF_ERROR(spend_nonce(message.server_nonce()));
    auto enrolled = store_.enroll(crypto::hash(crypto::as_bytes(message.token())), device, clock_());
    if (!enrolled.ok()) {
      refused = refusal(enrolled.status(), "enrollment_refused");
      return Status();
    }
    user = std::move(enrolled).value();
    return store_.append_audit({clock_(), user->name, "enroll", device.id.to_string(),
                                "role " + std::string(role_name(user->role))});
  });
  if (!committed.ok()) return refusal(committed);
  if (!user) return refused;
  metrics_->add("amana_devices_enrolled_total");

  pb::EnrollResponse response;
  response.set_device_id(message.device_id());
  response.set_user(user->name);
  response.set_role(std::string(role_name(user->role)));
  response.set_team(user->team);
  return sealed_reply(envelope::Purpose::enroll_response, response, device.box_public_key);
}

crypto::Bytes SyncService::seal_for(envelope::Purpose purpose, const google::protobuf::MessageLite& message,
                                    const crypto::PublicKey& device_box_key) const {
  const envelope::Sender org_sender{crypto::ByteView(keys_.sign.public_key), &keys_.sign.secret_key};
  return envelope::seal(purpose, crypto::as_bytes(message.SerializeAsString()), org_sender, device_box_key);
}

HttpResponse SyncService::sealed_reply(envelope::Purpose purpose, const google::protobuf::MessageLite& message,
                                       const crypto::PublicKey& device_box_key, int status, std::string reason) const {
  const crypto::Bytes sealed = seal_for(purpose, message, device_box_key);
  return {status, "application/x-protobuf", std::string(sealed.begin(), sealed.end()), std::move(reason)};
}

Result<Device> SyncService::sender_of(crypto::ByteView sealed, envelope::Purpose purpose, crypto::Bytes& payload) {
  const envelope::Recipient org{keys_.box.public_key, &keys_.box.secret_key};
  std::optional<Device> sender;
  auto device_key = [&](crypto::ByteView id) -> Result<crypto::PublicKey> {
    auto parsed = DeviceId::from_bytes(id);
    if (!parsed.ok()) return Status(ErrorCode::permission_denied, "message from an unknown device");
    auto found = store_.device(*parsed);
    if (!found.ok()) return Status(ErrorCode::permission_denied, "message from an unknown device");
    // A revoked device's request is still verified: only the device itself may be told,
    // in a signed answer, to wipe its store (see revoked_answer).
    sender = *found;
    return found->sign_public_key;
  };
  AMANA_ASSIGN_OR_RETURN(envelope::Opened opened, envelope::open(sealed, purpose, org, device_key));
  payload = std::move(opened.payload);
  return *sender;
}

Result<SyncService::OpenedPush> SyncService::open_push(crypto::ByteView sealed, envelope::Purpose purpose) {
  crypto::Bytes payload;
  AMANA_ASSIGN_OR_RETURN(Device sender, sender_of(sealed, purpose, payload));
  OpenedPush push{std::move(sender), {}};
  if (!push.request.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return invalid_argument("push request does not parse");
  }
  if (static_cast<std::size_t>(push.request.changesets_size()) > limits_.max_changesets_per_push) {
    return invalid_argument("push carries more than " + std::to_string(limits_.max_changesets_per_push) +
                            " changesets");
  }
  return push;
}

Result<SyncService::AppliedPush> SyncService::apply_push(const OpenedPush& push) {
  const std::string sender_id(push.sender.id.bytes.begin(), push.sender.id.bytes.end());
  AppliedPush applied_push;
  pb::PushResponse& response = applied_push.response;
  std::uint64_t high_water = push.sender.high_water;
  std::optional<Writer> writer;  // looked up once, for the first changeset that merges
  for (const std::string& encoded : push.request.changesets()) {
    pb::Changeset changeset;
    if (!changeset.ParseFromString(encoded) ||
        static_cast<std::size_t>(changeset.operations_size()) > limits_.max_operations_per_changeset) {
      return invalid_argument("a changeset does not parse or is too large");
    }
    if (changeset.device_id() != sender_id) return corrupt("a changeset names another device than its sender");
    for (const pb::Operation& operation : changeset.operations()) {
      if (operation.device_id() != sender_id || operation.record_id().size() != 16) {
        return invalid_argument("an operation names another device or has a malformed record id");
      }
    }
    // Write authority judges a changeset only when it is about to merge: a replay was
    // judged when it first came, and a gap or a fork merges nothing.
    AMANA_ASSIGN_OR_RETURN(ChangesetOutcome outcome, store_.changeset_outcome(push.sender.id, encoded, changeset));
    Judgement judgement;
    if (outcome == ChangesetOutcome::merged) {
      if (!writer) {
        AMANA_ASSIGN_OR_RETURN(writer, writer_of(store_, push.sender));
      }
      AMANA_ASSIGN_OR_RETURN(judgement, judge_changeset(store_, *writer, changeset, clock_()));
      AMANA_RETURN_IF_ERROR(keep_refused(push.sender, changeset, judgement, applied_push));
    }
    const pb::Changeset& merging = outcome == ChangesetOutcome::merged ? judgement.admitted(changeset) : changeset;
    AMANA_ASSIGN_OR_RETURN(ApplyResult applied, store_.apply_changeset(push.sender.id, encoded, merging, clock_()));
    auto* result = response.add_results();
    result->set_number(changeset.number());
    result->set_outcome(to_wire(applied.outcome));
    high_water = applied.high_water;
    applied_push.operations += applied.operations;
    applied_push.conflicts += applied.conflicts;
    if (applied.outcome == ChangesetOutcome::gap || applied.outcome == ChangesetOutcome::fork) break;
  }
  response.set_high_water(high_water);
  response.set_expected_number(high_water + 1);
  return applied_push;
}

Status SyncService::keep_refused(const Device& sender, const pb::Changeset& changeset, const Judgement& judgement,
                                 AppliedPush& push) {
  for (const RefusedOperation& refused : judgement.refused) {
    const pb::Operation& operation = changeset.operations(refused.index);
    AMANA_ASSIGN_OR_RETURN(RecordId record, RecordId::from_bytes(crypto::as_bytes(operation.record_id())));
    const std::string rule(write_rule_name(refused.refusal.rule));
    ++push.refused_by_rule[rule];
    AMANA_RETURN_IF_ERROR(store_.keep_refused(
        {0, clock_(), sender.id, sender.user, changeset.number(), record, rule, refused.fields, std::nullopt}, operation));
    std::string fields;
    for (const std::string& field : refused.fields) fields += (fields.empty() ? "" : ", ") + field;
    // What was attempted, never with what: the log is in clear. A device refused by the
    // thousand leaves one entry per refusal up to a bound, then one that counts the rest.
    if (push.refusals_audited < kMaxAuditedRefusalsPerPush) {
      AMANA_RETURN_IF_ERROR(store_.append_audit(
          {clock_(), sender.user, "refused-write", record.to_string(),
           "rule " + rule + "; fields " + (fields.empty() ? "none" : fields) + "; device " + sender.id.to_string() +
               " changeset " + std::to_string(changeset.number()) + "; kept aside (sync-server refused)"}));
    }
    ++push.refusals_audited;
    if (static_cast<std::size_t>(push.response.refused_size()) == kMaxReportedRefusals) {
      push.response.set_refused_unlisted(push.response.refused_unlisted() + 1);
      continue;
    }
    pb::PushResponse::Refusal* reported = push.response.add_refused();
    reported->set_changeset(changeset.number());
    reported->set_record_id(operation.record_id());
    reported->set_rule(rule);
    for (const std::string& field : refused.fields) reported->add_fields(field);
    reported->set_reason(refused.refusal.reason);
  }
  return Status();
}

void SyncService::count_push(const AppliedPush& push) {
  static constexpr const char* kOutcomeLabels[] = {"?", "outcome=\"merged\"", "outcome=\"already_applied\"",
                                                   "outcome=\"gap\"", "outcome=\"fork\""};
  for (const auto& result : push.response.results()) {
    metrics_->add("amana_changesets_total", kOutcomeLabels[std::clamp(static_cast<int>(result.outcome()), 0, 4)]);
  }
  metrics_->add("amana_operations_merged_total", "", push.operations);
  for (const auto& [rule, count] : push.refused_by_rule) {
    metrics_->add("amana_operations_refused_total", "rule=\"" + rule + "\"", count);
  }
  metrics_->add("amana_conflicts_total", "", push.conflicts);
}

HttpResponse SyncService::push(const HttpRequest& request) {
  auto push = open_push(crypto::as_bytes(request.body), envelope::Purpose::push_request);
  if (!push.ok()) return refusal(push.status());
  if (push->sender.revoked_at_ms) return revoked_answer(push->sender, "push");
  // One durable commit for the whole push: the nonce spent, every changeset, the audit
  // entry and the nonce for the device's next request. A small sync waits on disk syncs,
  // not on the CPU (docs/benchmarks.md).
  AppliedPush applied;
  const Status done = store_.in_one_transaction([&]() -> Status {
    AMANA_RETURN_IF_ERROR(spend_nonce(push->request.server_nonce()));
    AMANA_ASSIGN_OR_RETURN(applied, apply_push(*push));
    AMANA_RETURN_IF_ERROR(audit_push(push->sender, "push", applied.response));
    applied.response.set_next_nonce(issue_nonce());
    return Status();
  });
  if (!done.ok()) return refusal(done);
  count_push(applied);
  return sealed_reply(envelope::Purpose::push_response, applied.response, push->sender.box_public_key);
}

Result<pb::PushResponse> SyncService::import_bundle(crypto::ByteView sealed) {
  AMANA_ASSIGN_OR_RETURN(OpenedPush push, open_push(sealed, envelope::Purpose::bundle));
  if (push.sender.revoked_at_ms) {
    AMANA_RETURN_IF_ERROR(store_.append_audit({clock_(), push.sender.user, "refused", push.sender.id.to_string(),
                                               "bundle from a revoked device"}));
    return Status(ErrorCode::revoked, "device " + push.sender.id.to_string() + " is revoked: its bundle is refused");
  }
  AppliedPush applied;
  AMANA_RETURN_IF_ERROR(store_.in_one_transaction([&]() -> Status {
    AMANA_ASSIGN_OR_RETURN(applied, apply_push(push));
    return audit_push(push.sender, "import-bundle", applied.response);
  }));
  count_push(applied);
  return std::move(applied.response);
}

Status SyncService::audit_push(const Device& sender, std::string_view action, const pb::PushResponse& response) {
  std::map<int, int> outcomes;
  for (const auto& result : response.results()) ++outcomes[result.outcome()];
  static constexpr const char* kNames[] = {"?", "merged", "already merged", "gap", "fork"};
  std::string detail = std::to_string(response.results_size()) + " changesets";
  for (const auto& [outcome, count] : outcomes) {
    detail += ", " + std::to_string(count) + " " + kNames[std::clamp(outcome, 0, 4)];
  }
  if (const auto refused = response.refused_size() + response.refused_unlisted(); refused > 0) {
    detail += "; " + std::to_string(refused) + " operations refused by write authority";
  }
  detail += "; high water " + std::to_string(response.high_water());
  return store_.append_audit({clock_(), sender.user, std::string(action), sender.id.to_string(), detail});
}

HttpResponse SyncService::revoked_answer(const Device& device, std::string_view attempted) {
  metrics_->add("amana_revoked_contacts_total");
  const Status audited = store_.append_audit({clock_(), device.user, "refused", device.id.to_string(),
                                              std::string(attempted) + " from a revoked device; told to wipe"});
  if (!audited.ok()) return refusal(audited);
  pb::DeviceUpdate update;
  update.set_device_id(device.id.bytes.data(), device.id.bytes.size());
  update.set_revoked(true);
  return sealed_reply(envelope::Purpose::pull_response, update, device.box_public_key, 403, "revoked");
}

Result<pb::DeviceUpdate> SyncService::device_update(const Device& device, std::uint64_t cursor,
                                                     std::int64_t providers_version) const {
  pb::DeviceUpdate update;
  update.set_device_id(device.id.bytes.data(), device.id.bytes.size());
  update.set_acknowledged_changeset(device.high_water);
  update.set_revoked(device.revoked_at_ms.has_value());
  update.set_cursor(cursor);
  AMANA_ASSIGN_OR_RETURN(auto lease, offline_lease(store_));
  update.set_offline_lease_ms(lease ? lease->count() : 0);
  // The directory is small (tens of entries): when anything changed, send all of it,
  // inactive ones included so that devices stop offering them.
  AMANA_ASSIGN_OR_RETURN(std::int64_t revision, store_.providers_revision());
  update.set_providers_version(revision);
  if (revision != providers_version) {
    AMANA_ASSIGN_OR_RETURN(auto providers, store_.providers(true));
    for (const Provider& p : providers) {
      pb::Provider* entry = update.add_providers();
      entry->set_id(p.id);
      entry->set_name(p.name);
      for (const std::string& service : p.services) entry->add_services(service);
      entry->set_location(p.location);
      entry->set_contact(p.contact);
      entry->set_hours(p.hours);
      entry->set_criteria(p.criteria);
      entry->set_active(p.active);
      entry->set_updated_at_ms(p.updated_at_ms);
    }
  }
  return update;
}

Status SyncService::number_update(const Device& device, pb::DeviceUpdate& update) const {
  update.set_issued_at_ms(clock_());
  AMANA_ASSIGN_OR_RETURN(std::uint64_t number, store_.next_update_number(device.id));
  update.set_update_number(number);
  return Status();
}

Result<std::vector<RecordId>> SyncService::cases_to_know(const Device& device) const {
  AMANA_ASSIGN_OR_RETURN(User user, store_.user(device.user));
  if (user.role != Role::assistant && user.role != Role::officer) return std::vector<RecordId>();
  // Holders, then their cases through the store's index: no case is opened (issue 13).
  std::vector<std::string> holders{user.name};
  if (user.role == Role::officer && !user.team.empty()) {
    AMANA_ASSIGN_OR_RETURN(std::vector<User> everyone, store_.users());
    for (const User& other : everyone) {
      if (other.team == user.team && other.name != user.name) holders.push_back(other.name);
    }
  }
  return store_.cases_held_by(holders);
}

namespace {

bool contains(const std::vector<RecordId>& sorted, const RecordId& id) {
  return std::binary_search(sorted.begin(), sorted.end(), id);
}

}  // namespace

Status SyncService::add_case_feed(const Device& device, const pb::PullRequest& request, pb::DeviceUpdate& update,
                                  FeedWrites& writes) const {
  if (static_cast<std::size_t>(request.held_cases_size()) > limits_.max_held_cases) {
    return invalid_argument("pull names more than " + std::to_string(limits_.max_held_cases) + " held cases");
  }
  std::vector<RecordId> held;
  if (!request.held_digest().empty() && request.held_cases_size() == 0) {
    // The device names what it holds by a digest: when it is what the server believes
    // (what it sent it and what it made), that is what it holds; else it lists them.
    AMANA_ASSIGN_OR_RETURN(held, store_.device_cases(device.id));
    const auto digest = held_cases_digest(held);
    if (!crypto::constant_time_equal(crypto::ByteView(digest), crypto::as_bytes(request.held_digest()))) {
      update.set_send_held_cases(true);
      update.set_cursor(request.cursor());
      return Status();
    }
  } else {
    for (const std::string& bytes : request.held_cases()) {
      AMANA_ASSIGN_OR_RETURN(RecordId id, RecordId::from_bytes(crypto::as_bytes(bytes)));
      held.push_back(id);
    }
    std::sort(held.begin(), held.end());
    held.erase(std::unique(held.begin(), held.end()), held.end());
    // Only a case the server knows can be taken away or believed held: one the device made
    // and has not pushed yet stays, and is believed once it is merged.
    AMANA_ASSIGN_OR_RETURN(held, store_.known_cases(held));
    writes.replace = true;
    writes.held = held;
  }
  AMANA_ASSIGN_OR_RETURN(std::vector<RecordId> needed, cases_to_know(device));  // sorted
  std::vector<RecordId> whole, still_held, evicted;
  for (const RecordId& id : needed) (contains(held, id) ? still_held : whole).push_back(id);
  for (const RecordId& id : held) {
    if (!contains(needed, id)) {
      evicted.push_back(id);
      update.add_evicted_cases(id.bytes.data(), id.bytes.size());
    }
  }
  AMANA_ASSIGN_OR_RETURN(CentralStore::CasePage page,
                         store_.case_page(still_held, whole, request.cursor(), device.id, limits_.max_pull_bytes));
  for (pb::Operation& operation : page.operations) *update.add_changes() = std::move(operation);
  update.set_cursor(page.cursor);
  update.set_more(page.more);
  update.set_cases_to_come(whole.size() - page.whole_sent.size());
  writes.sent_whole = std::move(page.whole_sent);
  writes.evicted = std::move(evicted);
  return Status();
}

template <class Message>
std::variant<HttpResponse, SyncService::DeviceRequest<Message>> SyncService::open_request(const HttpRequest& request,
                                                                                         envelope::Purpose purpose,
                                                                                         std::string_view what) {
  crypto::Bytes payload;
  auto sender = sender_of(crypto::as_bytes(request.body), purpose, payload);
  if (!sender.ok()) return refusal(sender.status());
  if (sender->revoked_at_ms) return revoked_answer(*sender, what);
  DeviceRequest<Message> opened{std::move(sender).value(), {}};
  if (!opened.message.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return rejected(400, "malformed", std::string(what) + " request does not parse");
  }
  // A replayed request gets nothing: the nonce is spent before anything is read.
  const Status fresh = spend_nonce(opened.message.server_nonce());
  if (!fresh.ok()) return refusal(fresh);
  return opened;
}

HttpResponse SyncService::pull(const HttpRequest& request) {
  crypto::Bytes payload;
  auto sender = sender_of(crypto::as_bytes(request.body), envelope::Purpose::pull_request, payload);
  if (!sender.ok()) return refusal(sender.status());
  if (sender->revoked_at_ms) return revoked_answer(*sender, "pull");
  const Device& device = *sender;
  pb::PullRequest message;
  if (!message.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return rejected(400, "malformed", "pull request does not parse");
  }
  // What the device is told is read first, on a reader of its own beside any merge
  // (central_store.h); then one short commit spends the nonce, remembers what was sent and
  // audits. A replayed request gets nothing: its nonce does not spend, and what was read
  // never leaves the server.
  auto update = device_update(device, message.cursor(), message.providers_version());
  if (!update.ok()) return refusal(update.status());
  FeedWrites writes;
  const Status feed = add_case_feed(device, message, *update, writes);
  if (!feed.ok()) return refusal(feed);
  if (!update->send_held_cases()) {
    // Published forms (protocol version 6): the versions the device lacks, a page at a time.
    auto page = forms_page(store_, message.forms_held(), limits_.max_pull_form_bytes);
    if (!page.ok()) return refusal(page.status());
    for (pb::FormVersion& version : page->versions) *update->add_forms() = std::move(version);
    if (page->catalogue) *update->mutable_form_catalogue() = std::move(*page->catalogue);
    if (page->more) update->set_more(true);
  }
  HttpResponse answer;
  const Status committed = store_.in_one_transaction([&]() -> Status {
    if (const Status fresh = spend_nonce(message.server_nonce()); !fresh.ok()) {
      answer = refusal(fresh);
      return Status();
    }
    AMANA_RETURN_IF_ERROR(number_update(device, *update));
    if (writes.replace) AMANA_RETURN_IF_ERROR(store_.replace_device_cases(device.id, writes.held));
    AMANA_RETURN_IF_ERROR(store_.update_device_cases(device.id, writes.sent_whole, writes.evicted));
    AMANA_RETURN_IF_ERROR(store_.append_audit(
        {clock_(), device.user, "pull", device.id.to_string(),
         update->send_held_cases()
             ? std::string("asked for the list of held cases")
             : std::to_string(update->changes_size()) + " case changes, " +
                   std::to_string(update->evicted_cases_size()) + " cases evicted" +
                   (update->providers_size() > 0 ? ", the provider directory" : "") +
                   (update->forms_size() > 0 ? ", " + std::to_string(update->forms_size()) + " form versions" : "") +
                   (update->more() ? ", more to come" : "")}));
    update->set_next_nonce(issue_nonce());
    answer = sealed_reply(envelope::Purpose::pull_response, *update, device.box_public_key);
    return Status();
  });
  return committed.ok() ? answer : refusal(committed);
}

HttpResponse SyncService::dataset(const HttpRequest& request) {
  auto opened = open_request<pb::DatasetRequest>(request, envelope::Purpose::dataset_request, "dataset pull");
  if (auto* refused = std::get_if<HttpResponse>(&opened)) return std::move(*refused);
  const auto& [device, message] = std::get<DeviceRequest<pb::DatasetRequest>>(opened);
  const Status may = authorize(store_, device.user, Operation::pull_dataset).status();
  if (!may.ok()) {
    // An insider reaching past need-to-know leaves a trace too.
    const Status audited = store_.append_audit({clock_(), device.user, "refused", device.id.to_string(),
                                                "dataset pull of " + message.form_id() + ": " + may.message()});
    return refusal(audited.ok() ? may : audited, "role");
  }
  // Over the wire a dataset is de-identified, always: an identified one is made at the
  // server, where the audit names the officer who asked.
  DatasetRequest wanted{message.form_id(), {}, device.user, "device " + device.id.to_string()};
  if (!message.from().empty()) wanted.filter.from = message.from();
  if (!message.to().empty()) wanted.filter.to = message.to();
  if (!message.labels().empty()) {
    auto language = forms::parse_language(message.labels());
    if (!language.ok()) return rejected(400, "malformed", language.status().message());
    wanted.filter.labels = *language;
  }
  // One sealed reply carries the whole dataset, so it is made in memory; the rows are
  // streamed from the store into it, never held as rows besides.
  DatasetText text(message.format() == "jsonl" ? DatasetFormat::jsonl : DatasetFormat::csv);
  auto built = export_dataset(store_, keys_.data_key, wanted, clock_(), text);
  if (!built.ok()) {
    if (built.status().code() == ErrorCode::not_found) return rejected(404, "unknown_form", built.status().message());
    return refusal(built.status());
  }
  pb::DatasetResponse response;
  response.set_data(text.data());
  response.set_codebook(text.codebook());
  response.set_rows(*built);
  for (const DatasetText::RepeatText& repeat : text.repeats()) {
    pb::DatasetRepeat* table = response.add_repeats();
    table->set_name(repeat.name);
    table->set_data(repeat.data);
    table->set_rows(repeat.rows);
  }
  metrics_->add("amana_datasets_total");
  return sealed_reply(envelope::Purpose::dataset_response, response, device.box_public_key);
}

Result<crypto::Bytes> SyncService::export_bundle(const DeviceId& device_id) {
  AMANA_ASSIGN_OR_RETURN(Device device, store_.device(device_id));
  AMANA_ASSIGN_OR_RETURN(pb::DeviceUpdate update, device_update(device, 0, 0));
  AMANA_RETURN_IF_ERROR(number_update(device, update));
  return seal_for(envelope::Purpose::pull_response, update, device.box_public_key);
}

}  // namespace amana::server
