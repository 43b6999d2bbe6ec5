// Published forms: an XLSForm an information management officer wrote becomes a version
// of a form in the central store (common/xlsform.h converts it; docs/forms.md "XLSForm").
//
// A version, once published, is kept and never changed: its definition, its BLAKE2b-256
// digest and the organisation's Ed25519 signature over form_signed_message() (so that a
// device, when forms are distributed, trusts a form because the organisation signed it,
// not because of the channel it came by), the file it came from and its digest, and the
// warnings the import gave. Versions of a form are numbered 1, 2, 3 by the server in the
// order they are published. Publishing and archiving need the operator passphrase (the
// signing key is sealed under it) and are audited in the same transaction as the change.
//
// Published versions reach devices in their pull (forms_page(), protocol version 6): the
// device checks the digest and the signature before it keeps one, and collects with the
// newest (docs/forms.md "Distribution"). The built-in pack is the first published set,
// signed at `sync-server init` (publish_builtin_pack()).
//
// A version of a form whose questions the case cycle or the reports read by name
// (common/case_form_contract.h) must keep each of them with its type: one that drops or
// retypes one is refused at conversion, draft or not, saying what relies on it. A
// definition over forms::kMaxPublishedFormBytes is refused too: devices refuse it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/answers.h"
#include "common/form_pack.h"
#include "common/crypto.h"
#include "common/status.h"
#include "common/xlsform.h"
#include "sync-server/central_store.h"
#include "sync-server/org_keys.h"
#include "proto/sync.pb.h"

namespace amana::server {

// What the signature covers: "amana/form/v1", then the form id (length-prefixed), the
// version (4 bytes, big-endian) and the definition's digest. The id and version are
// signed so that a signed definition cannot be replayed as another form or version.
crypto::Bytes form_signed_message(std::string_view form_id, std::uint32_t version,
                                  const std::array<std::uint8_t, 32>& digest);

// Whether the version's digest matches its definition and its signature is the
// organisation's.
bool verify_published_form(const PublishedForm& form, const crypto::PublicKey& org_sign_key);

struct PublishOutcome {
  PublishedForm form;
  xlsform::Conversion conversion;
  // The newest version when the file asks exactly what it asks (only the version differs).
  std::optional<std::uint32_t> unchanged_since;
};

// Converts the XLSForm `bytes` (the file `file_name`) into the form's next version. With
// `store` false (a draft) nothing is written or signed: the conversion is returned with
// the version it would get, for the author to read and try. Conversion errors as
// common/xlsform.h says; already_exists when another publish took the same version.
Result<PublishOutcome> convert_next_version(CentralStore& store, std::string_view file_name, std::string_view bytes);

// Converts, signs with `keys` and stores the next version, with an audit entry
// ("form-publish", the form id, its version and digest), in one transaction.
// already_exists when nothing changed since the newest version (unless the form is
// archived: publishing it again offers it again).
Result<PublishOutcome> publish_form(CentralStore& store, const OrgKeys& keys, std::string_view file_name,
                                    std::string_view bytes, const std::string& by, std::int64_t now_ms);

// Stops offering the form (every version kept); audited as "form-archive". not_found.
Status archive_published_form(CentralStore& store, std::string_view form_id, const std::string& by,
                              std::int64_t now_ms);

// Publishes every built-in form (forms/*.json) as a first version, at its own version
// number (the referral form is 2: records collected with it say so), signed, with one
// audit entry each: at `sync-server init`. update_builtin_forms() on an empty store.
Status publish_builtin_pack(CentralStore& store, const OrgKeys& keys, const std::string& by, std::int64_t now_ms);

// What update_builtin_forms() did for one built-in form: the versions it published, oldest
// first (none when it skipped the form), and what it says to the operator.
struct BuiltinUpdate {
  std::string form_id;
  std::vector<std::uint32_t> published;
  bool declined = false;  // a newer built-in version not published: the organisation's own, or archived
  Message message;
};

// Brings a store made by an older binary up to this binary's built-in forms (at `serve`
// start and by `sync-server forms update-builtin`). A version of the store is built in
// when its source name says so ("built-in FILE", as init writes it) or its digest is a
// built-in source's. Per built-in form id:
//  - the store has no version of it: every built-in version is published, as at init;
//  - its newest version is built in: the built-in versions numbered above it are published
//    (version 2 on a store whose init published version 1);
//  - its newest version is the organisation's own (an XLSForm published with that id), or
//    the form is archived: nothing is published, and the message says why. An organisation's
//    version is never overwritten nor superseded by a built-in one.
// Each publication is signed and audited as init's ("form-publish", by `by`), one
// transaction per version.
Result<std::vector<BuiltinUpdate>> update_builtin_forms(CentralStore& store, const OrgKeys& keys,
                                                        const std::string& by, std::int64_t now_ms);

// What one pull carries of the published forms, given what the device holds
// (PullRequest.forms_held): the versions it lacks, by form id then version, while they fit
// `max_bytes` of definitions (at least one, so that a page always moves on; `more` when
// some are left for the next page), and the catalogue when the device's list is not the
// server's (a new version, an archived form). Nothing when they agree: a sync with no new
// form costs the list going up and nothing coming down.
struct FormsPage {
  std::vector<pb::FormVersion> versions;
  std::optional<pb::FormCatalogue> catalogue;
  bool more = false;
};
Result<FormsPage> forms_page(CentralStore& store, const google::protobuf::RepeatedPtrField<pb::FormHeld>& held,
                             std::size_t max_bytes);

// The pack of every version the server keeps: the built-in pack, and every published
// version over it, for what reads records of any version (exports).
Result<forms::FormPack> server_form_pack(CentralStore& store);

// The pack an export reads the records with (dataset.h): server_form_pack(), except that a
// version the store published from the built-in pack is this binary's text of that built-in
// version. How a built-in form is disclosed is export-side (form.h Disclosure), so a store
// whose version 2 was published before the roster was declared unlinked and its totals
// top-coded exports by those declarations as well (docs/meal.md "Repeats").
Result<forms::FormPack> export_form_pack(CentralStore& store);

// The newest version of each form, by id (archived ones included, flagged).
Result<std::vector<PublishedForm>> newest_versions(CentralStore& store);

// One version (the newest when `version` is nullopt); not_found naming what exists.
Result<PublishedForm> find_published_form(CentralStore& store, std::string_view form_id,
                                          std::optional<std::uint32_t> version);

// Whether the server knows version `version` of `form_id`: built in, or published (archived
// forms too: devices collected with them before the archive). Devices write records with
// these versions only; the write rules refuse any other (write_authority.h).
Result<bool> is_known_version(CentralStore& store, std::string_view form_id, std::uint32_t version);

// Checks example answers (an answers file, as `field-client collect --answers` reads)
// against a form, as a device would when saving them: the canonical answers, or the
// validation errors, every one at once.
Result<forms::Answers> try_answers(const forms::FormDefinition& form, std::string_view answers_json,
                                   const std::string& today);

}  // namespace amana::server
