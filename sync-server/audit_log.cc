#include "sync-server/audit_log.h"

#include "common/crypto.h"

namespace amana::server {
namespace {

void append_field(std::string& out, std::string_view field) {
  const std::uint64_t size = field.size();
  for (int shift = 0; shift < 64; shift += 8) out.push_back(static_cast<char>((size >> shift) & 0xff));
  out.append(field);
}

}  // namespace

AuditHash audit_hash(const AuditHash& previous, std::uint64_t seq, const AuditEvent& event) {
  std::string encoded = "amana/audit/v1";
  append_field(encoded, std::string_view(reinterpret_cast<const char*>(previous.data()), previous.size()));
  append_field(encoded, std::to_string(seq));
  append_field(encoded, std::to_string(event.at_ms));
  append_field(encoded, event.actor);
  append_field(encoded, event.action);
  append_field(encoded, event.subject);
  append_field(encoded, event.detail);
  return crypto::hash(crypto::as_bytes(encoded));
}

AuditVerdict verify_audit_chain(const std::vector<AuditEntry>& entries, const AuditHead& stored_head) {
  AuditVerdict verdict;
  auto broken = [&](std::string problem) {
    verdict.intact = false;
    verdict.problem = std::move(problem);
    return verdict;
  };
  for (const AuditEntry& entry : entries) {
    const std::uint64_t expected = verdict.head.seq + 1;
    if (entry.seq != expected) {
      return broken("entry " + std::to_string(expected) + " is missing (the next one is " +
                    std::to_string(entry.seq) + "): entries were removed or reordered");
    }
    if (audit_hash(verdict.head.hash, entry.seq, entry.event) != entry.hash) {
      return broken("entry " + std::to_string(entry.seq) + " (" + entry.event.action + " by " + entry.event.actor +
                    ") does not match its hash: it, or one before it, was changed");
    }
    verdict.head = {entry.seq, entry.hash};
  }
  if (verdict.head.seq != stored_head.seq || verdict.head.hash != stored_head.hash) {
    return broken("the log ends at entry " + std::to_string(verdict.head.seq) + " but its head names entry " +
                  std::to_string(stored_head.seq) + ": the newest entries were removed or the head was changed");
  }
  return verdict;
}

}  // namespace amana::server
