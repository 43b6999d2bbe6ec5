// What the form dataset (dataset.cc) and its repeat tables (dataset_repeats.cc) share: how a
// field is disclosed, named in the codebook and written in a row.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto.h"
#include "common/form.h"
#include "sync-server/central_store.h"
#include "sync-server/dataset.h"

namespace amana::server::detail {

// How one column is shown, and what the codebook says about it.
struct Shown {
  forms::Disclosure disclosure = forms::Disclosure::as_collected;
  const std::vector<forms::Area>* areas = nullptr;
  std::uint32_t top_code = forms::kDefaultTopCode;
};

Shown how_shown(const forms::Field& field);
std::string disclose(const Shown& how, const std::string& value, const DatasetFilter& filter);
std::string disclosure_text(const Shown& how, const DatasetFilter& filter);
std::vector<std::string> field_codebook(const forms::Field& field, const Shown& how, const DatasetFilter& filter,
                                        const std::string& variable);
// A choice answer as its label in the language asked for; codes nobody declared stay.
std::string labelled(const forms::Field& field, const std::string& value, const DatasetFilter& filter);

// An id as the export shows it: a stable pseudonym, or in clear when identified.
class IdColumn {
 public:
  IdColumn(const crypto::SecretBytes& key, bool identified) : key_(key), identified_(identified) {}
  std::string operator()(std::string_view kind, const std::string& id) const;
  std::vector<std::string> codebook(const std::string& variable, const std::string& en, const std::string& ar) const;

 private:
  const crypto::SecretBytes& key_;
  bool identified_;
};

// The union of every version's fields for which `belongs` holds, each as its newest version
// defines it: the newest version's in its order, then those only older versions asked. A
// field any version drops from this dataset (sensitive, free text) is left out.
std::vector<const forms::Field*> union_of_fields(const std::vector<const forms::FormDefinition*>& versions,
                                                 const DatasetFilter& filter,
                                                 const std::function<bool(const forms::FormDefinition&,
                                                                          const forms::Field&)>& belongs);

// The columns of `fields` (a select_multiple's 0/1 columns after it) into `columns` and
// `codebook`; and a row's cells for them from `value_of` (the answer of a field).
void add_field_columns(const std::vector<const forms::Field*>& fields, const DatasetFilter& filter,
                       std::vector<std::string>& columns, std::vector<std::vector<std::string>>& codebook);
void add_field_cells(const std::vector<const forms::Field*>& fields, const DatasetFilter& filter,
                     const std::function<std::string(const forms::Field&)>& value_of, std::vector<std::string>& row);

// A form's repeat tables: one per repeat any version has (but those a de-identified dataset
// drops), one row per live instance. Identified, a row is linked to its record and instance
// and written with its record. De-identified, a table is unlinked (docs/meal.md "Repeats"):
// its rows carry no record, instance or position, and are held back until finish(), which
// writes them sorted by their cells, so that neither a column nor the order of the rows tells
// which rows are one household's. Held as each distinct row and its count, they take memory
// by the number of distinct rows (sex, age band, relationship ...), not by members.
class RepeatTables {
 public:
  RepeatTables(const std::vector<const forms::FormDefinition*>& versions, const DatasetFilter& filter,
               const IdColumn& id);
  // Each table's layout, in form order (an outer repeat before the repeats in it).
  void add_layouts(DatasetLayout& layout) const;
  // The rows of `record`'s instances (collected with `version`): into `sink` when linked,
  // held for finish() when unlinked.
  Status write(const CentralRecord& record, const forms::FormDefinition& version, DatasetSink& sink);
  // The unlinked tables' rows, each table's sorted by their cells, after every record.
  Status finish(DatasetSink& sink);

 private:
  struct Table {
    std::string repeat;
    LocalizedText label;
    bool nested = false;
    std::vector<const forms::Field*> fields;
    std::map<std::vector<std::string>, std::uint64_t> held = {};  // unlinked: each distinct row, and how often
  };
  const DatasetFilter& filter_;
  const IdColumn& id_;
  std::vector<Table> tables_;
};

}  // namespace amana::server::detail
