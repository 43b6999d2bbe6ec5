// Write authority: what a device may write. Need-to-know holds for writes as for reads.
// The sync service judges every operation of a changeset here before the store merges it
// (above the storage interface, so every store applies the same rules), and trusts
// nothing the operation claims: not its kind, author, form, case or stamps.
//
// The rules, by the writer's role (access.h) and the kind of record (common/case_fields.h):
//
//                                   assistant      officer            meal     admin
//   create outreach-identification      x             x
//   create rapid-protection-assessment  x             x                 x        x
//   create pdm-survey                   x             x                 x        x
//   create a case                       x             x        (held by its creator's user
//                                                               until the office assigns it)
//   create a step of a case             x             x        (of a case it may write)
//   write a field-form record        those its own device created, whatever the role
//   write a case and its steps       cases held by   + those held by
//                                    its user        its team
//   device-written case fields       x             x     (common/case_fields.h; `status`
//                                                        only to an open status, and never
//                                                        on a closed case: reopening is the
//                                                        office's)
//   office-owned case fields         never: assignment, closure decision, transfer, reopen
//                                    (case_admin.h writes them with the office's stamp)
//   author                           always the device's enrolled user
//   stamps (HLC, base, creation)     at most the server's clock + kMaxClockAheadMs (common/hlc.h)
//
// Why: MEAL and admin devices receive no cases (access.h), so they write none: neither a
// case nor an outreach identification, which names a person at risk and is how a case
// starts. They may collect the monitoring forms, which name nobody: post-distribution
// monitoring is the MEAL team's own work, and a rapid protection assessment is about a
// place, told by a key informant. A case "held" by a user is assigned to them (its
// assigned_to, else its author, as list_cases says). A case transferred to another
// organisation is held by no device here. An operation's kind (create or update) is a
// claim too: what counts is whether the server holds the record. An update of a held
// record keeps its form and its case. Only a step names a case, and every step does.
//
// Authorship: the author stored with a record and sent to other devices is the device's
// enrolled user. An operation that names anyone else is refused as a whole
// (claimed_author), like one carrying the office's writer id: a differing claim is a
// forgery or a store set up for another user, and either way the office should see it.
//
// A refused operation is not merged and never enters the change log, so no other device
// receives it; the rest of its changeset merges, and the changeset still counts (the
// device's high-water mark and chain advance: it must not send it forever). Each refusal
// is kept aside sealed (CentralStore::keep_refused), audited with its rule, record and
// field names (never values: the audit log is in clear), counted in /metrics by rule, and
// reported in the PushResponse so that the device tells the person.
//
// Thread safety: free functions; judge_changeset reads the store as its caller's
// transaction sees it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/case_lifecycle.h"
#include "common/status.h"
#include "proto/sync.pb.h"
#include "sync-server/central_store.h"

namespace amana::server {

enum class WriteRule {
  future_stamp,        // an HLC, base or creation time past the server's clock + kMaxClockAheadMs
  claimed_author,      // an author other than the enrolled user, or the office's writer id
  unknown_form,        // a form, or a version of one, the organisation has not published
  role_not_allowed,    // the writer's role may not create this form, or hold cases at all
  case_link,           // a step naming no case, or a case or form record naming one
  record_identity,     // an update changing a held record's form or case
  not_own_record,      // a field-form record another device created
  case_not_held,       // a case (or a step of one) neither the writer's user nor team holds
  case_transferred,    // a case transferred to another organisation
  office_owned_field,  // a field, or a status, only the office writes
  invalid_case_field,  // no field of the case form; a status that is none; a case without one
};
// As counted in /metrics and named in the audit log: "office_owned_field".
std::string_view write_rule_name(WriteRule rule);

// Who writes: the device, and its enrolled user's role and team.
struct Writer {
  DeviceId device;
  std::string user;
  Role role = Role::assistant;
  std::string team;
};
// not_found when the device's user no longer exists.
Result<Writer> writer_of(CentralStore& store, const Device& device);

// Who may write a case: the user holding it, their team, and where it stands.
struct CaseState {
  std::string holder;       // assigned_to, else the author
  std::string holder_team;  // empty when the holder has none, or is unknown
  std::optional<cases::CaseStatus> status;  // nullopt: no status the lifecycle knows
};

// What the rules read about one operation's record: a small value, so that id-only index
// tables kept at merge time can feed it instead of the store's records.
struct WriteInputs {
  std::optional<RecordOrigin> record;  // nullopt: the server holds no such record (a creation)
  std::optional<CaseState> kase;       // the case the record is or is a step of; nullopt: none held
  // The organisation published a form of this id (published_forms.h) that is not built in:
  // a field form, which devices of users who hold cases may create (its questions may
  // name people, as the identification's do).
  bool published_form = false;
  // The server knows the operation's form version (built in or published; the case record,
  // which has no form definition, is not asked about): a record is
  // read, validated and exported against the version it names, so an invented one is
  // refused like an invented form.
  bool known_version = true;
};

// The case whose holder decides on `operation`: the record itself for a held case, its
// case for a held step, the case a new step names; nullopt for a new case or a form record.
std::optional<RecordId> deciding_case(const pb::Operation& operation, const std::optional<RecordOrigin>& record);

struct Refusal {
  WriteRule rule;
  std::string reason;  // for the person who wrote it, in plain words: what the rule says
};

// The rules for one operation, pure: nullopt when `writer` may apply it, given `inputs`
// and the server's clock `now_ms`. The service has already checked that the operation
// names its device and a 16-byte record id.
std::optional<Refusal> judge(const Writer& writer, const pb::Operation& operation, const WriteInputs& inputs,
                             std::int64_t now_ms);

struct RefusedOperation {
  int index = 0;  // in the changeset
  Refusal refusal;
  std::vector<std::string> fields;  // the names it wrote, at most kMaxNamedFields
};
inline constexpr std::size_t kMaxNamedFields = 32;  // the rest is "and N more": names, not a dump

// A name from a device (a field, a form, an author) as refusals quote it: at most 64
// bytes, cut at a character boundary, so that a megabyte of name cannot flood the audit
// log, the kept-aside table or the reply.
std::string quoted_name(std::string_view name);

struct Judgement {
  std::vector<RefusedOperation> refused;  // in changeset order
  // The changeset with only the operations that may merge: `changeset` itself when none
  // was refused (no copy of a changeset of thousands of operations for nothing).
  const pb::Changeset& admitted(const pb::Changeset& changeset) const { return filtered ? *filtered : changeset; }
  std::optional<pb::Changeset> filtered;
};

// Judges each operation of `changeset` in order; each sees the effect of the ones
// admitted before it (a case created, then its step). Reads only the records the
// changeset touches: their origin, and one case's holder.
Result<Judgement> judge_changeset(CentralStore& store, const Writer& writer, const pb::Changeset& changeset,
                                  std::int64_t now_ms);

}  // namespace amana::server
