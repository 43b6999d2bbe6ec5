#include "tests/fuzz/server_fixture.h"

#include <cstdlib>
#include <stdexcept>

#include "common/enrollment_code.h"
#include "sync-server/admin.h"

namespace amana::fuzz {
namespace {

// Argon2id at its floor: the operator passphrase is not what is being fuzzed.
constexpr crypto::KdfParams kFastKdf{1, 8192};

std::string text(const crypto::Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

// Setting up is not under test: a failure here is a broken harness, so stop loudly.
template <class T>
T must(Result<T> result, const char* what) {
  if (!result.ok()) throw std::runtime_error(std::string(what) + ": " + result.status().message());
  return std::move(result).value();
}

void must(const Status& status, const char* what) {
  if (!status.ok()) throw std::runtime_error(std::string(what) + ": " + status.message());
}

}  // namespace

ServerFixture& ServerFixture::get() {
  static ServerFixture fixture;
  return fixture;
}

ServerFixture::ServerFixture() {
  std::string pattern = (std::filesystem::temp_directory_path() / "amana-fuzz-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir = std::filesystem::path(pattern) / "server";
  must(server::init_server(dir, "operator passphrase", kFastKdf), "init_server");
  store = must(server::open_server_store(dir), "open_server_store");
  keys = must(server::unlock_org_keys(*store, "operator passphrase"), "unlock_org_keys");
  must(store->add_user({"amina", server::Role::assistant, "um-dukhun"}), "add_user");
  service = std::make_unique<server::SyncService>(*store, keys, metrics, [] { return kNowMs; });

  // Enroll the device through the real endpoint, as a field client would.
  auto code = must(server::issue_enrollment_code(*store, "amina", std::chrono::hours(1), kNowMs), "enroll code");
  auto parsed = must(EnrollmentCode::parse(code.code), "parse code");
  pb::EnrollRequest request;
  request.set_token(parsed.token.data(), parsed.token.size());
  request.set_device_id(device_id.bytes.data(), device_id.bytes.size());
  request.set_box_public_key(box.public_key.data(), box.public_key.size());
  request.set_server_nonce(fresh_nonce());
  const envelope::Sender self{crypto::ByteView(sign.public_key), &sign.secret_key};
  const auto sealed = envelope::seal(envelope::Purpose::enroll_request, crypto::as_bytes(request.SerializeAsString()),
                                     self, keys.box.public_key);
  if (call("POST", "/v1/enroll", text(sealed)).status != 200) throw std::runtime_error("enrollment refused");
}

ServerFixture::~ServerFixture() {
  service.reset();
  store.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir.parent_path(), ignored);
}

server::HttpResponse ServerFixture::call(const std::string& method, const std::string& target,
                                         const std::string& body) {
  return service->handle({method, target, "application/x-protobuf", body, "fuzz"});
}

std::string ServerFixture::fresh_nonce() {
  pb::Nonce message;
  if (!message.ParseFromString(call("GET", "/v1/nonce", "").body)) throw std::runtime_error("no nonce");
  return message.nonce();
}

std::string ServerFixture::seal_from_device(envelope::Purpose purpose, crypto::ByteView payload) const {
  const envelope::Sender me{device_id.view(), &sign.secret_key};
  return text(envelope::seal(purpose, payload, me, keys.box.public_key));
}

std::string ServerFixture::seal_from_stranger(envelope::Purpose purpose, crypto::ByteView payload) const {
  const envelope::Sender self{crypto::ByteView(stranger.public_key), &stranger.secret_key};
  return text(envelope::seal(purpose, payload, self, keys.box.public_key));
}

}  // namespace amana::fuzz
