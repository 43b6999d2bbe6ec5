#include "tests/sync-server/in_process.h"

#include <doctest/doctest.h>

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

}  // namespace amana::testing
