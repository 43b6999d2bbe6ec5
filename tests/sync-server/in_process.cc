#include "tests/sync-server/in_process.h"

#include <doctest/doctest.h>

#include "common/enrollment_code.h"
#include "proto/sync.pb.h"
#include "sync-server/admin.h"

namespace amana::testing {
namespace {

constexpr const char* kOperatorPassphrase = "operator passphrase";

}  // namespace

InProcessServer::InProcessServer() {
  REQUIRE(server::init_server(dir.path(), kOperatorPassphrase, kCheapKdf).ok());
  store = std::move(server::open_server_store(dir.path())).value();
  keys = std::move(server::unlock_org_keys(*store, kOperatorPassphrase)).value();
  REQUIRE(store->add_user({"amina", server::Role::assistant, "um-dukhun"}).ok());
  service = std::make_unique<server::SyncService>(*store, keys, metrics, [this] { return now; });
}

server::HttpResponse InProcessServer::call(const std::string& method, const std::string& target,
                                           const std::string& body) {
  return service->handle({method, target, "application/x-protobuf", body, "test"});
}

std::string InProcessServer::nonce() {
  pb::Nonce message;
  REQUIRE(message.ParseFromString(call("GET", "/v1/nonce").body));
  return message.nonce();
}

std::int64_t InProcessServer::count_records() { return store->counts()->records; }

void MessageDevice::enroll(InProcessServer& server, const std::string& user) {
  auto code = server::issue_enrollment_code(*server.store, user, std::chrono::hours(1), server.now);
  REQUIRE(code.ok());
  auto parsed = EnrollmentCode::parse(code->code);
  REQUIRE(parsed.ok());
  pb::EnrollRequest request;
  request.set_token(parsed->token.data(), parsed->token.size());
  request.set_device_id(id.bytes.data(), id.bytes.size());
  request.set_box_public_key(box.public_key.data(), box.public_key.size());
  request.set_server_nonce(server.nonce());
  const server::HttpResponse response =
      server.call("POST", "/v1/enroll", seal(server, envelope::Purpose::enroll_request, request.SerializeAsString()));
  REQUIRE_MESSAGE(response.status == 200, response.body);
}

std::string MessageDevice::seal(const InProcessServer& server, envelope::Purpose purpose,
                                const std::string& payload) const {
  const bool enrolling = purpose == envelope::Purpose::enroll_request;
  const envelope::Sender self{enrolling ? crypto::ByteView(sign.public_key) : id.view(), &sign.secret_key};
  const crypto::Bytes sealed = envelope::seal(purpose, crypto::as_bytes(payload), self, server.keys.box.public_key);
  return std::string(sealed.begin(), sealed.end());
}

std::string MessageDevice::changeset(std::vector<pb::Operation> operations) {
  pb::Changeset changeset;
  changeset.set_device_id(id.bytes.data(), id.bytes.size());
  changeset.set_number(++number);
  changeset.set_previous_hash(previous_hash);
  for (pb::Operation& operation : operations) {
    operation.set_device_id(id.bytes.data(), id.bytes.size());
    *changeset.add_operations() = std::move(operation);
  }
  const std::string encoded = changeset.SerializeAsString();
  const auto hash = crypto::hash(crypto::as_bytes(encoded));
  previous_hash.assign(hash.begin(), hash.end());
  return encoded;
}

std::string MessageDevice::push_request(InProcessServer& server, const std::vector<std::string>& changesets) const {
  pb::PushRequest request;
  request.set_server_nonce(server.nonce());
  for (const auto& c : changesets) request.add_changesets(c);
  return seal(server, envelope::Purpose::push_request, request.SerializeAsString());
}

Result<pb::PushResponse> MessageDevice::read_push_response(const InProcessServer& server,
                                                           const server::HttpResponse& response) const {
  if (response.status != 200) return invalid_argument(std::to_string(response.status) + " " + response.rejection);
  const envelope::Recipient me{box.public_key, &box.secret_key};
  auto org = [&](crypto::ByteView) -> Result<crypto::PublicKey> { return server.keys.sign.public_key; };
  AMANA_ASSIGN_OR_RETURN(envelope::Opened opened,
                         envelope::open(crypto::as_bytes(response.body), envelope::Purpose::push_response, me, org));
  pb::PushResponse parsed;
  if (!parsed.ParseFromArray(opened.payload.data(), static_cast<int>(opened.payload.size()))) {
    return corrupt("reply does not parse");
  }
  return parsed;
}

Result<pb::PushResponse> MessageDevice::push(InProcessServer& server, const std::vector<std::string>& changesets) const {
  return read_push_response(server, server.call("POST", "/v1/push", push_request(server, changesets)));
}

std::string id_bytes(const RecordId& id) { return std::string(id.bytes.begin(), id.bytes.end()); }

pb::Operation make_operation(OperationSpec spec) {
  pb::Operation operation;
  operation.set_record_id(id_bytes(spec.record));
  operation.set_form_id(spec.form);
  operation.set_form_version(spec.form_version.value_or(builtin_form_version(spec.form)));
  operation.set_hlc(static_cast<std::uint64_t>(spec.hlc));
  operation.set_device_id(std::string(spec.device.bytes.begin(), spec.device.bytes.end()));
  operation.set_author(std::move(spec.author));
  operation.set_created_at_ms(spec.created_at_ms);
  if (spec.case_id) operation.set_case_id(id_bytes(*spec.case_id));
  for (const auto& [field, value] : spec.values) {
    auto* write = operation.add_writes();
    write->set_field(field);
    write->set_value(value);
    write->set_hlc(static_cast<std::uint64_t>(spec.hlc));
  }
  return operation;
}

}  // namespace amana::testing
