// The audit log: who did what with the central store, in the order it happened. Every
// push, pull, dataset export, enrollment, revocation and case decision appends one entry.
//
// Hash chain: entry n carries hash_n = BLAKE2b-256("amana/audit/v1" | hash_{n-1} | seq |
// at_ms | actor | action | subject | detail), every field length-prefixed so that no two
// different entries encode alike; the first entry chains from 32 zero bytes. The store
// keeps the head (the last seq and hash) beside the log, written in the same transaction
// as each entry. verify_audit_chain() therefore detects an entry edited (its hash no
// longer matches), removed or reordered (the next entry no longer chains, or a seq is
// missing) and the newest entries cut off (the head names an entry that is gone).
//
// What it does not stop: someone with write access to the database who recomputes every
// hash after an edit. Against that, an operator writes down the head that `sync-server
// audit verify` prints (in the weekly report, on paper) and compares later.
//
// The log is kept in clear: entries name users, devices, record ids and counts, never an
// answer or a person's name.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace amana::server {

using AuditHash = std::array<std::uint8_t, 32>;

struct AuditEvent {
  std::int64_t at_ms = 0;
  std::string actor;    // a user name, or "operator" for a command run on the server
  std::string action;   // push, pull, export, enroll, enrollment-code, revoke, assign, ...
  std::string subject;  // what it was done to: a device, user, case or form id
  std::string detail;   // counts and outcomes; never personal data
};

struct AuditEntry {
  std::uint64_t seq = 0;  // 1, 2, 3, ...
  AuditEvent event;
  AuditHash hash{};
};

struct AuditHead {
  std::uint64_t seq = 0;  // 0: the log is empty
  AuditHash hash{};
};

// The hash of `event` as entry `seq`, chained after `previous`.
AuditHash audit_hash(const AuditHash& previous, std::uint64_t seq, const AuditEvent& event);

struct AuditVerdict {
  bool intact = true;
  std::string problem;  // when not intact: which entry, and what is wrong with it
  AuditHead head;       // recomputed from the entries
};

// Checks `entries` (in seq order, as stored) against their chain and the stored `head`.
AuditVerdict verify_audit_chain(const std::vector<AuditEntry>& entries, const AuditHead& stored_head);

}  // namespace amana::server
