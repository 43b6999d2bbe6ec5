// The form pack: the form definitions a device collects and shows records with. It starts
// as the built-in pack compiled from forms/*.json; the versions the office published
// (sync-server/published_forms.h), once a device has received and verified them, are
// added to it (field-client/published_forms.h), and the server keeps the same pack of
// every version for exports.
//
// What it promises:
//  - find(id) is the version offered for a new record: the newest version of the form,
//    unless the form is archived (then not_found saying so);
//  - find(id, version) is the version a record was collected with, archived or not, so
//    that an old record still shows and an edit validates against what it was made with;
//  - a published version replaces a built-in one of the same id and version (the same
//    definition, when the server published the built-in pack at init; the signed one
//    wins if they ever differ).
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/form.h"
#include "common/status.h"

namespace amana::forms {

// The bound on one published form definition (its JSON), on the server when publishing and
// on the device when receiving: a 500-question form with long labels in two languages is
// about 400 KB; a form with location lists of thousands of choices (REACH's Lebanon MSNA,
// docs/forms-census.md) is over 1 MiB, since each select carries its list. 4 MiB stays
// safe: a pull sends at least one version and otherwise stops at
// ServiceLimits::max_pull_form_bytes (2 MiB), so a reply holds at most one 4 MiB form
// beside at most 1 MiB of changes, under the 8 MiB a device accepts as a reply; and a
// definition is parsed one at a time (a few tens of MB at most while it is read). The real
// fix is a choice list shared between questions in the definition (docs/forms.md).
inline constexpr std::size_t kMaxPublishedFormBytes = 4u << 20;

class FormPack {
 public:
  // Parses every built-in form. A built-in form that fails to parse is reported with its
  // file name (the test suite loads the pack, so this cannot ship unnoticed).
  static Result<FormPack> builtin();
  // The built-in forms as written (forms/*.json): the file name and its JSON, for the
  // server to publish them as the first versions (sync-server/published_forms.h).
  struct Source {
    std::string_view file;
    std::string_view json;
  };
  static std::vector<Source> builtin_sources();

  // Adds one version (a published one whose signature the caller has checked), replacing
  // a version of the same id and number.
  void add_version(FormDefinition form);
  // The forms no longer offered for new records (every version still found by find(id, v)).
  void set_archived(std::set<std::string, std::less<>> form_ids);
  bool archived(std::string_view id) const { return archived_.contains(id); }

  // The version offered for a new record: the newest, or not_found naming the forms that
  // exist (or saying the form is archived).
  Result<const FormDefinition*> find(std::string_view id) const;
  // The version a record was collected with; when this pack lacks it (a record from a
  // version not received yet), the newest version of the form it has. not_found when it
  // has none.
  Result<const FormDefinition*> find(std::string_view id, std::uint32_t version) const;
  // The forms offered for new records, newest version of each, sorted by id.
  const std::vector<FormDefinition>& forms() const { return forms_; }
  // Every version of `id`, oldest first (empty for a form it does not know).
  std::vector<const FormDefinition*> versions(std::string_view id) const;

 private:
  void rebuild();
  std::vector<FormDefinition> all_;    // every version, sorted by id then version
  std::vector<FormDefinition> forms_;  // offered: newest of each, not archived, sorted by id
  std::set<std::string, std::less<>> archived_;
};

}  // namespace amana::forms
