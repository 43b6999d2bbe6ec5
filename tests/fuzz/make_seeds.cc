// Writes the binary seeds of the committed corpus (tests/fuzz/corpus/): real protobuf
// requests, envelopes, zstd frames and HTTP requests, built with the same code the client
// uses, so that the fuzzer starts from inputs that reach deep and mutates from there.
// Run by hand after a wire format changes:  build/fuzz/tests/fuzz/amana-fuzz-seeds tests/fuzz/corpus
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "common/compress.h"
#include "common/crypto.h"
#include "common/enrollment_code.h"
#include "proto/sync.pb.h"
#include "tests/fuzz/server_fixture.h"

namespace {

using namespace amana;
namespace fs = std::filesystem;

fs::path g_root;

void write(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::create_directories(g_root / target);
  std::ofstream(g_root / target / name, std::ios::binary) << bytes;
}

std::string text(const crypto::Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

std::string device_id() { return std::string(fuzz::kDeviceIdBytes.begin(), fuzz::kDeviceIdBytes.end()); }

std::string record_id(std::uint8_t n) {
  std::string id(16, '\0');
  id[0] = 0x01;
  id[1] = static_cast<char>(0x94);
  id[6] = 0x70;  // UUIDv7 version nibble
  id[15] = static_cast<char>(n);
  return id;
}

pb::Operation operation(std::uint8_t record, bool create, const std::string& field, const std::string& value,
                        std::uint64_t hlc) {
  pb::Operation op;
  op.set_record_id(record_id(record));
  op.set_kind(create ? pb::Operation::CREATE : pb::Operation::UPDATE);
  op.set_form_id("pdm-survey");
  op.set_form_version(1);
  op.set_hlc(hlc);
  op.set_device_id(device_id());
  op.set_author("amina");
  op.set_created_at_ms(fuzz::kNowMs);
  auto* w = op.add_writes();
  w->set_field(field);
  w->set_value(value);
  w->set_hlc(hlc);
  return op;
}

// A chain of changesets as a device packs them: numbered from 1, each hashing the last.
std::vector<std::string> chain(int count) {
  std::vector<std::string> out;
  std::string previous;
  for (int n = 1; n <= count; ++n) {
    pb::Changeset changeset;
    changeset.set_device_id(device_id());
    changeset.set_number(static_cast<std::uint64_t>(n));
    changeset.set_previous_hash(previous);
    changeset.set_first_sequence(static_cast<std::uint64_t>(2 * n - 1));
    changeset.set_last_sequence(static_cast<std::uint64_t>(2 * n));
    const std::uint64_t hlc = (static_cast<std::uint64_t>(fuzz::kNowMs) << 16) + static_cast<std::uint64_t>(n);
    *changeset.add_operations() = operation(static_cast<std::uint8_t>(n), true, "satisfaction", "4", hlc);
    *changeset.add_operations() = operation(static_cast<std::uint8_t>(n), false, "comments", "ok", hlc + 1);
    out.push_back(changeset.SerializeAsString());
    const auto hash = crypto::hash(crypto::as_bytes(out.back()));
    previous.assign(hash.begin(), hash.end());
  }
  return out;
}

std::string push(const std::vector<std::string>& changesets, bool nonce) {
  pb::PushRequest request;
  if (nonce) request.set_server_nonce(std::string(32, 'n'));
  for (const auto& c : changesets) request.add_changesets(c);
  return request.SerializeAsString();
}

void sync_payload_seeds() {
  write("sync_payload", "push-one-changeset", '\0' + push(chain(1), true));
  write("sync_payload", "push-three-changesets", '\0' + push(chain(3), true));
  auto skipped = chain(3);
  write("sync_payload", "push-gap", '\0' + push({skipped[2]}, true));
  pb::PullRequest pull;
  pull.set_server_nonce(std::string(32, 'n'));
  pull.set_providers_version(0);
  pull.add_held_cases(record_id(7));
  write("sync_payload", "pull", '\1' + pull.SerializeAsString());
  pb::EnrollRequest enroll;
  enroll.set_token(std::string(10, 't'));
  enroll.set_device_id(record_id(9));
  enroll.set_box_public_key(std::string(32, 'k'));
  enroll.set_server_nonce(std::string(32, 'n'));
  write("sync_payload", "enroll", '\2' + enroll.SerializeAsString());
  write("sync_payload", "bundle", '\3' + push(chain(2), false));
}

void envelope_seeds() {
  const auto box = crypto::BoxKeyPair::generate();
  write("envelope", "sealed-for-another-key", '\0' + text(crypto::box_seal(box.public_key, crypto::as_bytes("x"))));
  pb::SignedMessage message;
  message.set_purpose(1);
  message.set_sender_id(device_id());
  message.set_compressed_payload(text(compress::compress(crypto::as_bytes(push(chain(1), true)))));
  message.set_signature(std::string(64, 's'));
  write("envelope", "signed-message", '\1' + message.SerializeAsString());
  write("envelope", "payload-push", '\2' + text(compress::compress(crypto::as_bytes(push(chain(1), true)))));
  // 2 MiB of zeros compresses to a few dozen bytes: over the target's 1 MiB bound.
  write("envelope", "payload-bomb", '\2' + text(compress::compress(crypto::Bytes(2u << 20, 0))));
}

void compress_seeds() {
  write("compress", "push", text(compress::compress(crypto::as_bytes(push(chain(2), true)))));
  write("compress", "bomb-2mib", text(compress::compress(crypto::Bytes(2u << 20, 0))));
  write("compress", "empty", text(compress::compress({})));
}

void http_seeds() {
  const std::string body = "sealed bytes";
  write("http_parser", "post-push", "\x07POST /v1/push HTTP/1.1\r\nHost: 10.0.0.5:8443\r\n"
                                    "Content-Type: application/x-protobuf\r\nContent-Length: " +
                                        std::to_string(body.size()) + "\r\n\r\n" + body);
  write("http_parser", "get-healthz", std::string("\x01GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  write("http_parser", "chunked", std::string("\x10POST /v1/pull HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                                              "5\r\nhello\r\n0\r\n\r\n"));
  write("sync_service", "org-keys", std::string(1, '\0'));
  write("sync_service", "nonce", std::string(1, '\1'));
  write("sync_service", "push-garbage", '\3' + std::string(120, 'g'));
  write("sync_service", "target", "\x07/v1/pull?cursor=1\n" + std::string(48, 'b'));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: amana-fuzz-seeds CORPUS_DIR\n";
    return 2;
  }
  g_root = argv[1];
  sync_payload_seeds();
  envelope_seeds();
  compress_seeds();
  http_seeds();
  EnrollmentCode code;
  crypto::fill_random(code.token);
  crypto::fill_random(code.fingerprint);
  write("enrollment_code", "code", code.to_string());
  return 0;
}
