#include "field-client/sync_client.h"

#include <string>
#include <utility>

#include "common/case_digest.h"
#include "common/enrollment_code.h"
#include "common/envelope.h"
#include "common/repeat_keys.h"
#include "common/files.h"
#include "common/http_client.h"
#include "common/message_catalogue.h"
#include "field-client/published_forms.h"
#include "proto/sync.pb.h"

namespace amana::field {
namespace {

template <class Message>
Result<Message> parse_body(const std::string& body, std::string_view what) {
  Message message;
  if (!message.ParseFromString(body)) return corrupt("the server's " + std::string(what) + " does not decode");
  return message;
}

// A refusal from the server as a Status the person can act on.
Status server_refusal(const http::Reply& reply, std::string_view doing) {
  std::string text = reply.body.substr(0, 300);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  const std::string message = "the server refused " + std::string(doing) + " (HTTP " +
                              std::to_string(reply.status) + "): " + text;
  if (reply.status == 403) return Status(ErrorCode::permission_denied, message);
  return invalid_argument(message);
}

Result<std::string> fetch_nonce(const http::Url& url, const http::RequestOptions& options) {
  AMANA_ASSIGN_OR_RETURN(http::Reply reply, http::request(url, "GET", "/v1/nonce", "", options));
  if (reply.status != 200) return server_refusal(reply, "a nonce");
  AMANA_ASSIGN_OR_RETURN(pb::Nonce nonce, parse_body<pb::Nonce>(reply.body, "nonce"));
  return nonce.nonce();
}

// Opens a message the org sealed to this device, checking it was signed by the org key.
Result<crypto::Bytes> open_from_org(const std::string& body, envelope::Purpose purpose, const DeviceKeys& keys,
                                    const crypto::PublicKey& org_sign_public_key) {
  const envelope::Recipient me{keys.box_public_key, &keys.box_secret_key};
  auto org_only = [&](crypto::ByteView sender) -> Result<crypto::PublicKey> {
    if (!crypto::constant_time_equal(sender, org_sign_public_key)) {
      return corrupt("a reply signed by someone other than the organisation");
    }
    return org_sign_public_key;
  };
  AMANA_ASSIGN_OR_RETURN(envelope::Opened opened,
                         envelope::open(crypto::as_bytes(body), purpose, me, org_only));
  return opened.payload;
}

std::string bytes_of(const crypto::Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

// What the person is told when the office refused some of their changes: that it did, that
// nothing is lost (an officer has them), and why, one line per change (at most a few).
std::vector<std::string> refusal_lines(const std::vector<pb::PushResponse::Refusal>& refused, std::uint64_t unlisted) {
  constexpr std::size_t kShown = 5;
  const std::size_t n = refused.size() + static_cast<std::size_t>(unlisted);
  std::vector<std::string> lines{
      "the office did not accept " + std::to_string(n) + (n == 1 ? " change" : " changes") +
      " from this device; " + (n == 1 ? "it is" : "they are") +
      " kept at the office for an officer to review, and everything else was merged:"};
  for (std::size_t i = 0; i < std::min(refused.size(), kShown); ++i) {
    std::string record = "a record";
    if (auto id = RecordId::from_bytes(crypto::as_bytes(refused[i].record_id())); id.ok()) {
      record = "record " + id->to_string().substr(28);
    }
    lines.push_back("  " + record + ": " + refused[i].reason());
  }
  if (n > kShown) lines.push_back("  and " + std::to_string(n - kShown) + " more");
  return lines;
}

Status wipe_revoked(Store& store) {
  AMANA_RETURN_IF_ERROR(store.wipe_self());
  return Status(ErrorCode::revoked, "the office has revoked this device: its store has been wiped");
}

struct AppliedUpdate {
  std::uint64_t acknowledged = 0;
  Store::PullReport pulled;
  std::size_t forms_received = 0;  // published form versions new to this device
  pb::DeviceUpdate paging;  // more, send_held_cases, next_nonce, cases_to_come (no changes)
};

// Applies what the server told this device, over HTTP or in a bundle (`source` names it
// for a person). An update numbered no higher than the last one accepted changes nothing:
// an old bundle carried back again cannot undo what a newer update said (lift a lease,
// bring back an evicted case). Only the order to wipe needs no number: obeying an old one
// can do no harm that a newer one would undo, as revocation is final.
Result<AppliedUpdate> apply_update(Store& store, const crypto::Bytes& payload, const LocalizedText& source) {
  pb::DeviceUpdate update;
  if (!update.ParseFromArray(payload.data(), static_cast<int>(payload.size())) ||
      update.device_id() != std::string(store.device().bytes.begin(), store.device().bytes.end())) {
    return invalid_argument("the update was made for another device");
  }
  if (update.revoked()) return wipe_revoked(store);
  if (update.update_number() == 0) {
    return Status(ErrorCode::replayed, Message("update.unnumbered", {{"source", source}}));
  }
  AMANA_ASSIGN_OR_RETURN(std::uint64_t accepted, store.accepted_update_number());
  if (update.update_number() <= accepted) {
    return Status(ErrorCode::replayed,
                  Message("update.stale", {{"source", source},
                                           {"number", static_cast<std::int64_t>(update.update_number())},
                                           {"accepted", static_cast<std::int64_t>(accepted)}}));
  }
  // Published forms are checked first: a reply carrying one the org did not sign is
  // refused whole, before anything of it is applied.
  std::size_t forms_received = 0;
  if (update.forms_size() > 0 || update.has_form_catalogue()) {
    AMANA_ASSIGN_OR_RETURN(auto enrollment, store.enrollment());
    if (!enrollment) return invalid_argument("this device is not enrolled: it cannot check the office's forms");
    AMANA_ASSIGN_OR_RETURN(forms_received, take_published_forms(store, update, enrollment->org_sign_public_key));
  }
  AMANA_RETURN_IF_ERROR(store.acknowledge_changesets(update.acknowledged_changeset()));
  if (update.providers_size() > 0) {
    const std::vector<pb::Provider> providers(update.providers().begin(), update.providers().end());
    AMANA_RETURN_IF_ERROR(store.replace_providers(providers, update.providers_version()));
  }
  std::vector<RecordId> evicted;
  for (const std::string& bytes : update.evicted_cases()) {
    AMANA_ASSIGN_OR_RETURN(RecordId id, RecordId::from_bytes(crypto::as_bytes(bytes)));
    evicted.push_back(id);
  }
  const std::vector<pb::Operation> changes(update.changes().begin(), update.changes().end());
  AMANA_ASSIGN_OR_RETURN(Store::PullReport pulled, store.apply_pulled(changes, evicted, update.cursor()));
  AMANA_RETURN_IF_ERROR(store.record_sync(update.offline_lease_ms(), update.issued_at_ms(), update.update_number()));
  pb::DeviceUpdate paging;
  paging.set_more(update.more());
  paging.set_send_held_cases(update.send_held_cases());
  paging.set_next_nonce(update.next_nonce());
  paging.set_cases_to_come(update.cases_to_come());
  return AppliedUpdate{update.acknowledged_changeset(), pulled, forms_received, std::move(paging)};
}

// A refusal, unless it is the org's signed order to a revoked device: then the store is
// wiped. Anything that does not open and verify as that order (a proxy's 403, a forgery)
// is only a refusal: nobody but the org can make a device wipe itself.
Status refusal_or_wipe(Store& store, const http::Reply& reply, std::string_view doing, const DeviceKeys& keys,
                       const crypto::PublicKey& org_sign_public_key) {
  if (reply.status == 403) {
    auto order = open_from_org(reply.body, envelope::Purpose::pull_response, keys, org_sign_public_key);
    pb::DeviceUpdate update;
    if (order.ok() && update.ParseFromArray(order->data(), static_cast<int>(order->size())) && update.revoked() &&
        update.device_id() == std::string(store.device().bytes.begin(), store.device().bytes.end())) {
      return wipe_revoked(store);
    }
  }
  return server_refusal(reply, doing);
}

// How requests after the first trust the server's TLS key (docs/protocol.md): by the pin
// the organisation signed, when that is the key this connection presented; by the system's
// trust store when the server signs none (a certificate from a public CA, or TLS ended at
// a proxy). A signed pin that is not the presented key is an impostor in between.
Result<std::optional<tls::KeyPin>> pin_from_org(const pb::OrgKeys& org, const http::Reply& reply,
                                                const crypto::PublicKey& org_sign_public_key,
                                                const std::string& server_url) {
  if (!reply.tls_key || (org.tls_key_pin().empty() && org.tls_key_pin_signature().empty())) {
    return std::optional<tls::KeyPin>();
  }
  tls::KeyPin pin{};
  const bool sized = org.tls_key_pin().size() == pin.size();
  if (sized) std::copy(org.tls_key_pin().begin(), org.tls_key_pin().end(), pin.begin());
  if (!sized || !crypto::verify(org_sign_public_key, tls::signed_pin_message(pin),
                                crypto::as_bytes(org.tls_key_pin_signature()))) {
    return corrupt("the server at " + server_url + " sent a TLS key pin the organisation did not sign: "
                   "nothing was sent; tell the office");
  }
  if (!crypto::constant_time_equal(pin, *reply.tls_key)) {
    return Status(ErrorCode::permission_denied,
                  "the server at " + server_url + " presented a TLS key (SHA-256 " + tls::to_text(*reply.tls_key) +
                      ") other than the one the organisation signed (" + tls::to_text(pin) +
                      "): someone may be intercepting the connection; nothing was sent. Check the address, and "
                      "tell the office");
  }
  return std::optional<tls::KeyPin>(pin);
}

http::TlsTrust trust_of(const Enrollment& enrollment) {
  if (!enrollment.server_tls_key) return {};
  return {http::TlsTrust::Mode::pinned, *enrollment.server_tls_key};
}

}  // namespace

Result<Enrollment> enroll_device(Store& store, std::string_view code_text, const std::string& server_url,
                                 std::chrono::milliseconds timeout) {
  AMANA_ASSIGN_OR_RETURN(EnrollmentCode code, EnrollmentCode::parse(code_text));
  AMANA_ASSIGN_OR_RETURN(http::Url url, http::Url::parse(server_url));
  AMANA_ASSIGN_OR_RETURN(auto existing, store.enrollment());
  if (existing) {
    return Status(ErrorCode::already_exists, "this device is already enrolled with " + existing->server_url +
                                                 " as " + existing->user);
  }
  http::RequestOptions options{timeout, 1 << 20, {}};
  // Over https the org keys are fetched whatever certificate the server shows: they carry
  // nothing secret, the code vouches for them, and they say which TLS key to trust next.
  http::RequestOptions learning = options;
  learning.trust.mode = http::TlsTrust::Mode::learn;
  AMANA_ASSIGN_OR_RETURN(http::Reply keys_reply, http::request(url, "GET", "/v1/org-keys", "", learning));
  if (keys_reply.status != 200) return server_refusal(keys_reply, "to send its keys");
  AMANA_ASSIGN_OR_RETURN(pb::OrgKeys org, parse_body<pb::OrgKeys>(keys_reply.body, "keys"));
  Enrollment enrollment;
  enrollment.server_url = server_url;
  if (org.sign_public_key().size() != 32 || org.box_public_key().size() != 32) {
    return corrupt("the server sent keys of the wrong size");
  }
  std::copy(org.sign_public_key().begin(), org.sign_public_key().end(), enrollment.org_sign_public_key.begin());
  std::copy(org.box_public_key().begin(), org.box_public_key().end(), enrollment.org_box_public_key.begin());
  // The code parsed, so its check character held: it was typed right and it is the keys
  // that are not the ones the code was issued with.
  if (enrollment_fingerprint(code.token, enrollment.org_sign_public_key, enrollment.org_box_public_key) !=
      code.fingerprint) {
    return invalid_argument(Message("enroll.wrong_server", {{"server", server_url}}));
  }
  AMANA_ASSIGN_OR_RETURN(enrollment.server_tls_key,
                         pin_from_org(org, keys_reply, enrollment.org_sign_public_key, server_url));
  options.trust = trust_of(enrollment);

  AMANA_ASSIGN_OR_RETURN(DeviceKeys keys, store.device_keys());
  AMANA_ASSIGN_OR_RETURN(std::string nonce, fetch_nonce(url, options));
  pb::EnrollRequest request;
  request.set_token(code.token.data(), code.token.size());
  request.set_device_id(store.device().bytes.data(), store.device().bytes.size());
  request.set_box_public_key(keys.box_public_key.data(), keys.box_public_key.size());
  request.set_server_nonce(nonce);
  const envelope::Sender self{crypto::ByteView(keys.sign_public_key), &keys.sign_secret_key};
  const crypto::Bytes sealed = envelope::seal(envelope::Purpose::enroll_request,
                                              crypto::as_bytes(request.SerializeAsString()), self,
                                              enrollment.org_box_public_key);
  AMANA_ASSIGN_OR_RETURN(http::Reply reply, http::request(url, "POST", "/v1/enroll", bytes_of(sealed), options));
  if (reply.status != 200) return server_refusal(reply, "the enrollment");
  AMANA_ASSIGN_OR_RETURN(crypto::Bytes payload, open_from_org(reply.body, envelope::Purpose::enroll_response, keys,
                                                              enrollment.org_sign_public_key));
  pb::EnrollResponse response;
  if (!response.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return corrupt("the enrollment reply does not decode");
  }
  enrollment.user = response.user();
  enrollment.role = response.role();
  enrollment.team = response.team();
  AMANA_RETURN_IF_ERROR(store.save_enrollment(enrollment));
  return enrollment;
}

Result<std::size_t> export_bundle(Store& store, const std::filesystem::path& file,
                                  std::size_t max_operations_per_changeset) {
  AMANA_ASSIGN_OR_RETURN(auto enrollment, store.enrollment());
  if (!enrollment) return invalid_argument("this device is not enrolled: a bundle would have no one to go to");
  AMANA_ASSIGN_OR_RETURN(DeviceKeys keys, store.device_keys());
  AMANA_ASSIGN_OR_RETURN(auto pending, store.pending_changesets(max_operations_per_changeset));
  if (pending.size() > kMaxBundleChangesets) pending.resize(kMaxBundleChangesets);
  pb::PushRequest request;  // no nonce: numbered, chained changesets make a bundle safe to replay
  for (const PendingChangeset& changeset : pending) request.add_changesets(changeset.encoded);
  const envelope::Sender me{store.device().view(), &keys.sign_secret_key};
  const crypto::Bytes sealed = envelope::seal(envelope::Purpose::bundle, crypto::as_bytes(request.SerializeAsString()),
                                              me, enrollment->org_box_public_key);
  AMANA_RETURN_IF_ERROR(write_file_atomically(file, bytes_of(sealed)));
  return pending.size();
}

Result<std::uint64_t> import_bundle(Store& store, const std::filesystem::path& file) {
  AMANA_ASSIGN_OR_RETURN(auto enrollment, store.enrollment());
  if (!enrollment) return invalid_argument("this device is not enrolled: it cannot read a bundle");
  AMANA_ASSIGN_OR_RETURN(DeviceKeys keys, store.device_keys());
  AMANA_ASSIGN_OR_RETURN(std::string sealed, read_file_bounded(file, 1 << 20));
  auto payload = open_from_org(sealed, envelope::Purpose::pull_response, keys, enrollment->org_sign_public_key);
  if (!payload.ok()) {
    return payload.status().with_context(file.string() + " is not a bundle for this device, or was changed");
  }
  auto applied = apply_update(store, *payload, {"this bundle", "هذه الحزمة"});
  if (!applied.ok()) return applied.status().with_context(file.string());
  return applied->acknowledged;
}

Result<std::uint64_t> pull_dataset(Store& store, const DatasetQuery& query, const std::filesystem::path& out,
                                   std::chrono::milliseconds timeout) {
  AMANA_ASSIGN_OR_RETURN(auto enrollment, store.enrollment());
  if (!enrollment) return invalid_argument("this device is not enrolled");
  AMANA_ASSIGN_OR_RETURN(http::Url url, http::Url::parse(enrollment->server_url));
  AMANA_ASSIGN_OR_RETURN(DeviceKeys keys, store.device_keys());
  const http::RequestOptions options{timeout, 64u << 20, trust_of(*enrollment)};
  AMANA_ASSIGN_OR_RETURN(std::string nonce, fetch_nonce(url, options));
  pb::DatasetRequest request;
  request.set_server_nonce(nonce);
  request.set_form_id(query.form_id);
  request.set_from(query.from);
  request.set_to(query.to);
  request.set_format(query.format);
  request.set_labels(query.labels);
  const envelope::Sender me{store.device().view(), &keys.sign_secret_key};
  const crypto::Bytes sealed = envelope::seal(envelope::Purpose::dataset_request,
                                              crypto::as_bytes(request.SerializeAsString()), me,
                                              enrollment->org_box_public_key);
  AMANA_ASSIGN_OR_RETURN(http::Reply reply, http::request(url, "POST", "/v1/dataset", bytes_of(sealed), options));
  if (reply.status != 200) {
    return refusal_or_wipe(store, reply, "the dataset", keys, enrollment->org_sign_public_key);
  }
  AMANA_ASSIGN_OR_RETURN(crypto::Bytes payload, open_from_org(reply.body, envelope::Purpose::dataset_response, keys,
                                                              enrollment->org_sign_public_key));
  pb::DatasetResponse response;
  if (!response.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return corrupt("the dataset reply does not decode");
  }
  // Every name is checked before anything is written, so a bad one leaves no half a dataset.
  std::vector<std::filesystem::path> tables;
  for (const pb::DatasetRepeat& repeat : response.repeats()) {
    const auto where = forms::repeat_keys::table_path(out, repeat.name());
    if (!where) return corrupt("the dataset reply names a repeat table no file may take");
    tables.push_back(*where);
  }
  AMANA_RETURN_IF_ERROR(write_file_atomically(out, response.data()));
  AMANA_RETURN_IF_ERROR(write_file_atomically(out.string() + ".codebook.csv", response.codebook()));
  for (int i = 0; i < response.repeats_size(); ++i) {
    AMANA_RETURN_IF_ERROR(write_file_atomically(tables[static_cast<std::size_t>(i)], response.repeats(i).data()));
  }
  return response.rows();
}

namespace {

// The pull, page by page (protocol version 5): each page is applied, with its cursor, in
// one transaction before the next is asked for, so a cut connection costs at most the
// page in flight and the next sync goes on from there. The held cases go up as a digest,
// listed only when the server asks.
template <class Seal, class TakeNonce, class Say>
Status pull_pages(Store& store, const http::Url& url, const http::RequestOptions& request_options,
                  const DeviceKeys& keys, const Enrollment& enrollment, Seal& sealed_for_org, TakeNonce& take_nonce,
                  std::string& next_nonce, Say& say, SyncReport& report) {
  bool list_held = false;
  std::size_t pages = 0;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(std::string nonce, take_nonce());
    pb::PullRequest pull;
    pull.set_server_nonce(nonce);
    AMANA_ASSIGN_OR_RETURN(std::int64_t providers_version, store.providers_version());
    pull.set_providers_version(providers_version);
    AMANA_ASSIGN_OR_RETURN(std::uint64_t cursor, store.pull_cursor());
    pull.set_cursor(cursor);
    AMANA_ASSIGN_OR_RETURN(auto held_forms, forms_held(store));
    for (pb::FormHeld& form : held_forms) *pull.add_forms_held() = std::move(form);
    AMANA_ASSIGN_OR_RETURN(auto held, store.held_cases());
    if (list_held) {
      for (const RecordId& id : held) pull.add_held_cases(id.bytes.data(), id.bytes.size());
    } else {
      const auto digest = held_cases_digest(held);
      pull.set_held_digest(digest.data(), digest.size());
    }
    AMANA_ASSIGN_OR_RETURN(http::Reply pulled, http::request(url, "POST", "/v1/pull",
                                                             sealed_for_org(envelope::Purpose::pull_request, pull),
                                                             request_options));
    if (pulled.status != 200) return refusal_or_wipe(store, pulled, "the pull", keys, enrollment.org_sign_public_key);
    AMANA_ASSIGN_OR_RETURN(crypto::Bytes update, open_from_org(pulled.body, envelope::Purpose::pull_response, keys,
                                                               enrollment.org_sign_public_key));
    AMANA_ASSIGN_OR_RETURN(AppliedUpdate applied, apply_update(store, update, {"the server's reply", "ردّ الخادم"}));
    next_nonce = applied.paging.next_nonce();
    if (applied.paging.send_held_cases()) {
      if (list_held) return corrupt("the server asked twice for the cases this device holds");
      list_held = true;
      continue;
    }
    list_held = false;
    ++pages;
    report.changes_received += applied.pulled.changes_applied;
    report.cases_removed += applied.pulled.cases_evicted;
    report.changes_held_back += applied.pulled.changes_held_back;
    report.forms_received += applied.forms_received;
    ++report.pages;
    AMANA_ASSIGN_OR_RETURN(std::uint64_t reached, store.pull_cursor());
    // A page held back (a clock far behind) or one that moved nothing would come again.
    const bool moved = reached != cursor || applied.pulled.changes_applied > 0 || applied.forms_received > 0;
    if (!applied.paging.more() || applied.pulled.changes_held_back > 0 || !moved) break;
    say("received page " + std::to_string(pages) + ": " + std::to_string(report.changes_received) +
        " changes so far, " + std::to_string(applied.paging.cases_to_come()) + " cases still to come");
  }
  return Status();
}

}  // namespace

Result<SyncReport> sync_device(Store& store, const SyncOptions& options) {
  AMANA_ASSIGN_OR_RETURN(auto enrollment, store.enrollment());
  if (!enrollment) {
    return invalid_argument("this device is not enrolled: ask the office for a code, then run "
                            "`field-client enroll CODE --server URL`");
  }
  AMANA_ASSIGN_OR_RETURN(http::Url url, http::Url::parse(options.server_url.value_or(enrollment->server_url)));
  AMANA_ASSIGN_OR_RETURN(DeviceKeys keys, store.device_keys());
  const http::RequestOptions request_options{options.timeout, 8u << 20, trust_of(*enrollment)};
  auto say = [&](const std::string& line) {
    if (options.progress) options.progress(line);
  };
  const envelope::Sender me{store.device().view(), &keys.sign_secret_key};
  auto sealed_for_org = [&](envelope::Purpose purpose, const google::protobuf::MessageLite& message) {
    return bytes_of(envelope::seal(purpose, crypto::as_bytes(message.SerializeAsString()), me,
                                   enrollment->org_box_public_key));
  };

  SyncReport report;
  AMANA_ASSIGN_OR_RETURN(auto pending, store.pending_changesets(options.max_operations_per_changeset));
  const std::size_t total = pending.size();
  if (total == 0) say("nothing to send");
  std::size_t done = 0;
  // Each push's reply carries the nonce for the next request, saving a round trip each.
  std::string next_nonce;
  auto take_nonce = [&]() -> Result<std::string> {
    if (next_nonce.empty()) return fetch_nonce(url, request_options);
    return std::exchange(next_nonce, std::string());
  };
  while (!pending.empty()) {
    const std::size_t batch = std::min(pending.size(), options.max_changesets_per_push);
    say("sending changesets " + std::to_string(done + 1) + "-" + std::to_string(done + batch) + " of " +
        std::to_string(total));
    AMANA_ASSIGN_OR_RETURN(std::string nonce, take_nonce());
    pb::PushRequest request;
    request.set_server_nonce(nonce);
    for (std::size_t i = 0; i < batch; ++i) request.add_changesets(pending[i].encoded);
    AMANA_ASSIGN_OR_RETURN(http::Reply reply, http::request(url, "POST", "/v1/push",
                                                            sealed_for_org(envelope::Purpose::push_request, request),
                                                            request_options));
    if (reply.status != 200) {
      return refusal_or_wipe(store, reply, "the push", keys, enrollment->org_sign_public_key);
    }
    report.changesets_sent += batch;
    AMANA_ASSIGN_OR_RETURN(crypto::Bytes payload, open_from_org(reply.body, envelope::Purpose::push_response, keys,
                                                                enrollment->org_sign_public_key));
    pb::PushResponse response;
    if (!response.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      return corrupt("the push reply does not decode");
    }
    // Acknowledge first: whatever else the reply says, what the server merged is durable.
    AMANA_RETURN_IF_ERROR(store.acknowledge_changesets(response.high_water()));
    next_nonce = response.next_nonce();
    report.high_water = response.high_water();
    for (const auto& refused : response.refused()) report.refused.push_back(refused);
    report.refused_unlisted += response.refused_unlisted();
    for (const auto& result : response.results()) {
      if (result.outcome() == pb::PushResponse::GAP) {
        return invalid_argument("the server expects changeset " + std::to_string(response.expected_number()) +
                                " but this device has " + std::to_string(result.number()) +
                                " next: it may have been restored from an old copy; contact the office");
      }
      if (result.outcome() == pb::PushResponse::FORK) {
        return Status(ErrorCode::permission_denied,
                      "the server refused changeset " + std::to_string(result.number()) +
                          " as a fork (it already holds a different one with that number): this store may be a "
                          "copy of another device's; contact the office");
      }
    }
    const std::size_t before = pending.size();
    std::erase_if(pending, [&](const PendingChangeset& p) { return p.number <= response.high_water(); });
    report.changesets_acknowledged += before - pending.size();
    done += batch;
    if (before == pending.size()) {
      return io_error("the server acknowledged nothing of this push; retry later");
    }
  }
  if (!report.refused.empty() || report.refused_unlisted > 0) {
    for (const std::string& line : refusal_lines(report.refused, report.refused_unlisted)) say(line);
  }
  say("pulling what this device needs to know");
  AMANA_RETURN_IF_ERROR(pull_pages(store, url, request_options, keys, *enrollment, sealed_for_org, take_nonce,
                                   next_nonce, say, report));
  if (report.changes_held_back > 0) {
    say(std::to_string(report.changes_held_back) + (report.changes_held_back == 1 ? " change" : " changes") +
        " from the office carry a time far ahead of this device's clock and were not applied: check this "
        "device's date, time and time zone, then sync again (if the clock is right, tell the office)");
  }
  if (report.changes_received > 0 || report.cases_removed > 0) {
    const auto count = [](std::size_t n, const std::string& one, const std::string& many) {
      return std::to_string(n) + " " + (n == 1 ? one : many);
    };
    say("received " + count(report.changes_received, "change", "changes") + " to cases; removed " +
        count(report.cases_removed, "case", "cases") + " no longer assigned here");
  }
  if (total > 0) {
    say("done: " + std::to_string(report.changesets_acknowledged) + " acknowledged, the server has merged up to " +
        "changeset " + std::to_string(report.high_water));
  }
  return report;
}

}  // namespace amana::field
