// Datasets for the MEAL team: one row per record of a form, or per case, from the central
// store, with a codebook beside it.
//
// De-identified by default (docs/meal.md). Each form field is shown as its definition's
// disclosure says (common/form.h): sensitive fields and free text dropped, ages as bands
// (0-4, 5-11, 12-17, 18-59, 60+), dates as months (or ISO weeks), free-text places as the
// area the form lists that they name, the rest as collected. Record, device and staff ids
// become pseudonyms (a keyed hash under a key derived from the org's data key, so the same
// record has the same pseudonym in every export and nobody without the key can link it
// back). The case dataset's columns are case fields, each disclosed as the step field it
// is copied from (sync-server/case_values.h). The codebook says, per column, how it was
// de-identified.
//
// An identified export keeps every field as collected and ids in clear; only roles
// allowed it may ask (access.h). Every export, of either kind, is written to the audit log.
// select_multiple answers come as the raw value plus one 0/1 column per choice, named
// "field/choice" as Kobo and ODK users expect.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "common/files.h"
#include "common/form.h"
#include "common/status.h"
#include "sync-server/central_store.h"

namespace amana::server {

// A repeat's own table (a household roster), as Kobo and ODK export one: a row per live
// instance, keyed to its record. Columns: `record` (the record's, as in the dataset),
// `form_version`, `parent_instance` (a nested repeat only: the enclosing instance's
// `instance`), `instance` (a pseudonym, the id when identified), `position` (1, 2, ... within
// its record or enclosing instance), then the repeat's own fields, disclosed as any field.
// De-identified, a table is unlinked (form.h RepeatDisclosure): only `form_version` and the
// fields, its rows sorted by their cells and written after the dataset's rows; or left out.
struct RepeatLayout {
  std::string name;  // the repeat's name in the form: its file's suffix, its sheet's name
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> codebook;  // as DatasetLayout's, for these columns
};

// What a dataset's columns are, known before any row is read.
struct DatasetLayout {
  std::vector<std::string> columns;
  // variable, label (English), label (Arabic), type, choices (English), choices (Arabic),
  // disclosure (how the column was de-identified)
  std::vector<std::vector<std::string>> codebook;
  bool identified = false;
  std::vector<RepeatLayout> repeats;  // one per repeat of the form, an outer one first
};

// Where a dataset goes as it is made: the layout once, then each row, which the sink writes
// and forgets; a record's row comes before its instances' rows. The export holds one record
// at a time, so its memory does not grow with the store (CentralStore::visit_records).
class DatasetSink {
 public:
  virtual ~DatasetSink() = default;
  virtual Status begin(const DatasetLayout& layout) = 0;
  virtual Status row(const std::vector<std::string>& cells) = 0;
  // A row of the repeat table `repeat` (an index into DatasetLayout::repeats).
  virtual Status repeat_row(std::size_t repeat, const std::vector<std::string>& cells) = 0;
};

// How dates appear in a de-identified dataset.
enum class DatePeriod { month, iso_week };

struct DatasetFilter {
  // YYYY-MM-DD, inclusive, on the record's own date (record_date below)
  std::optional<std::string> from;
  std::optional<std::string> to;
  bool identified = false;          // every field as collected, ids in clear
  DatePeriod dates = DatePeriod::month;
  // Choice answers (and case and referral statuses) as their labels in this language
  // instead of their codes; the 0/1 columns of a select_multiple stay 0/1.
  std::optional<Language> labels;
};

// The source naming one row per case; any other source is a form id.
inline constexpr std::string_view kCasesSource = "cases";

struct DatasetRequest {
  std::string source;        // a form id, or kCasesSource
  DatasetFilter filter;
  std::string requested_by;  // a user; empty for the operator at the server (de-identified only)
  std::string channel;       // how it leaves, for the audit log: "file PATH", "device ID"
};

// Checks the role for an identified export, streams the dataset into `sink`, and audits
// it; returns the number of rows. invalid_argument for an identified export without a
// user, permission_denied for a role not allowed one, not_found for an unknown form.
Result<std::uint64_t> export_dataset(CentralStore& store, const crypto::SecretBytes& data_key,
                                     const DatasetRequest& request, std::int64_t now_ms, DatasetSink& sink);

// Whether a dataset of `versions` leaves out the repeat table `name`: de-identified, when any
// version declares it, or a repeat holding it, dropped (form.h RepeatDisclosure); identified, never.
bool repeat_dropped(const std::vector<const forms::FormDefinition*>& versions, std::string_view name,
                    const DatasetFilter& filter);

// The pseudonym key, derived from the org data key.
crypto::SecretBytes pseudonym_key(const crypto::SecretBytes& data_key);

// One row per record of `form`; a step of a case carries `case`, the case's pseudonym (its
// id when identified), the same value as the case dataset's `case` column, so that cases,
// referrals and follow-ups join. A referral carries its status and the date it was set.
// `versions` are every version of the form the server keeps, oldest first (published_forms.h
// server_form_pack): the columns are their union, the newest version's questions in its
// order, then those only older versions asked; `form_version` says which each row was
// collected with, and a question it did not ask is empty. A question is shown as its newest
// version defines it, and left out when any version marks it sensitive or dropped.
Result<std::uint64_t> form_dataset(CentralStore& store, const std::vector<const forms::FormDefinition*>& versions,
                                   const crypto::SecretBytes& key, const DatasetFilter& filter, DatasetSink& sink);
Result<std::uint64_t> case_dataset(CentralStore& store, const crypto::SecretBytes& key, const DatasetFilter& filter,
                                   DatasetSink& sink);

// The date a record counts by, in reports and in --from/--to: the form's own date where
// it declares one (`dated_by`: the identification's date, the distribution's) and it was
// answered, else the day the device saved it. `form` may be null (a case, a form the pack
// does not know).
std::string record_date(const CentralRecord& record, const forms::FormDefinition* form);

// --- the de-identifying transforms, exposed for their tests ---
// "2026-10" for a date or datetime (month), "2026-W43" (ISO week); "" for what is not one.
std::string date_period(std::string_view date, DatePeriod period);
// The first of `areas` that `place` names, or "other"; "" for an empty place.
std::string area_of(std::string_view place, const std::vector<forms::Area>& areas);

// --- files (dataset_files.cc) ---
enum class DatasetFormat { csv, jsonl, xlsx };

// A dataset as text in memory, CSV or JSON lines, and its codebook as CSV: what a MEAL
// device's pull carries in one sealed reply.
class DatasetText final : public DatasetSink {
 public:
  explicit DatasetText(DatasetFormat format) : format_(format) {}
  Status begin(const DatasetLayout& layout) override;
  Status row(const std::vector<std::string>& cells) override;
  Status repeat_row(std::size_t repeat, const std::vector<std::string>& cells) override;
  const std::string& data() const { return data_; }
  const std::string& codebook() const { return codebook_; }
  // Each repeat's table, as DatasetLayout::repeats orders them.
  struct RepeatText {
    std::string name;
    std::string data;
    std::uint64_t rows = 0;
  };
  const std::vector<RepeatText>& repeats() const { return repeats_; }

 private:
  std::string formatted(const std::vector<std::string>& columns, const std::vector<std::string>& cells) const;
  DatasetFormat format_;
  DatasetLayout layout_;
  std::string data_, codebook_;
  std::vector<RepeatText> repeats_;
};

// The dataset at `path` and its codebook at PATH.codebook.csv (for XLSX, a second sheet
// as well), and each repeat's table in a file at repeat_keys::table_path (for XLSX, a sheet named
// after the repeat, before the codebook's), each created as common/files.h creates files: mode 0600, through a temporary
// beside it, never through a link; XLSX parts are kept in a private directory beside
// `path`, not in the system's temporary directory. Rows are written as they come (an XLSX
// in libxlsxwriter's constant-memory mode), so a dataset of any size takes the same
// memory. Nothing is in place until finish(); dropped before, nothing is left behind.
// XLSX cells are typed by the codebook: numbers and 0/1 as numbers, booleans as booleans,
// an identified date as a date; the rest as text.
class DatasetFiles final : public DatasetSink {
 public:
  // With `existing` refuse, neither file may exist already (checked before anything is
  // written; a repeat's file when begin() learns the repeats).
  static Result<std::unique_ptr<DatasetFiles>> open(DatasetFormat format, const std::filesystem::path& path,
                                                    ExistingFile existing);
  ~DatasetFiles() override;
  Status begin(const DatasetLayout& layout) override;
  Status row(const std::vector<std::string>& cells) override;
  Status repeat_row(std::size_t repeat, const std::vector<std::string>& cells) override;
  Status finish();
  const DatasetLayout& layout() const { return layout_; }

  struct Xlsx;  // dataset_files.cc

 private:
  DatasetFiles(DatasetFormat format, std::filesystem::path path, ExistingFile existing);
  DatasetFormat format_;
  std::filesystem::path path_;
  ExistingFile existing_;
  DatasetLayout layout_;
  std::optional<AtomicFile> text_;
  std::vector<AtomicFile> repeat_text_;
  std::unique_ptr<Xlsx> xlsx_;
  std::uint64_t rows_ = 0;
};

std::string codebook_csv(const DatasetLayout& layout);

}  // namespace amana::server
