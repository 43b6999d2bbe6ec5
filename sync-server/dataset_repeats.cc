// A form's repeat tables (dataset.h RepeatLayout): each repeat as its own table, as Kobo and
// ODK export them; identified, keyed to its record and, when nested, to its enclosing
// instance; de-identified, unlinked or left out as the repeat declares (form.h
// RepeatDisclosure, docs/meal.md "Repeats: unlinked or dropped").
#include <algorithm>

#include "common/answers.h"
#include "sync-server/dataset_internal.h"

namespace amana::server::detail {
namespace {

// The innermost repeat holding `field` in `version`, or "" at the top level.
std::string repeat_of(const forms::FormDefinition& version, const forms::Field& field) {
  const auto repeats = version.repeats_of(field);
  return repeats.empty() ? std::string() : repeats.back()->name;
}

}  // namespace

RepeatTables::RepeatTables(const std::vector<const forms::FormDefinition*>& versions, const DatasetFilter& filter,
                           const IdColumn& id)
    : filter_(filter), id_(id) {
  // Every version's repeats, the newest version's in its order, then those only older ones had.
  for (auto version = versions.rbegin(); version != versions.rend(); ++version) {
    for (const forms::Group& group : (*version)->groups) {
      if (!group.repeat) continue;
      const bool seen = std::any_of(tables_.begin(), tables_.end(), [&](const Table& t) { return t.repeat == group.name; });
      if (seen || repeat_dropped(versions, group.name, filter)) continue;
      Table table{group.name, group.label, !(*version)->repeats_of(group).empty(), {}};
      table.fields = union_of_fields(versions, filter, [&](const forms::FormDefinition& in, const forms::Field& field) {
        return repeat_of(in, field) == group.name;
      });
      tables_.push_back(std::move(table));
    }
  }
}

void RepeatTables::add_layouts(DatasetLayout& layout) const {
  for (const Table& table : tables_) {
    RepeatLayout repeat{table.repeat, {}, {}};
    // The table itself (a codebook row named after the repeat): how its rows relate to the records.
    const std::string en = table.label.en.empty() ? table.repeat : table.label.en;
    repeat.codebook.push_back(
        {"", "Table: one row per instance of " + en, "جدول: صف لكل مثيل من " + table.label.in(Language::ar), "table",
         "", "",
         filter_.identified ? "identified: each row linked to its record (record, instance, position)"
                            : "unlinked: no column ties a row to its record, instance or position, and the rows are "
                              "sorted by their content, so a record's rows cannot be counted"});
    if (filter_.identified) {
      repeat.columns = {"record", "form_version"};
      repeat.codebook.push_back(id_.codebook("record", "Record (joins the dataset's record)", "السجل"));
    } else {
      repeat.columns = {"form_version"};
    }
    repeat.codebook.push_back({"form_version", "Form version", "إصدار الاستمارة", "integer", "", "", "as collected"});
    if (filter_.identified) {
      if (table.nested) {
        repeat.columns.push_back("parent_instance");
        repeat.codebook.push_back(id_.codebook(
            "parent_instance", "The enclosing repeat's instance (its table's instance)", "المثيل الأعلى"));
      }
      repeat.columns.insert(repeat.columns.end(), {"instance", "position"});
      repeat.codebook.push_back(id_.codebook("instance", "Instance of " + table.repeat, "المثيل"));
      repeat.codebook.push_back({"position", "Position in its record (1, 2, ...)", "الترتيب", "integer", "", "",
                                 "as collected"});
    }
    add_field_columns(table.fields, filter_, repeat.columns, repeat.codebook);
    layout.repeats.push_back(std::move(repeat));
  }
}

Status RepeatTables::write(const CentralRecord& record, const forms::FormDefinition& version, DatasetSink& sink) {
  const std::string record_id = filter_.identified ? id_("record", record.id.to_string()) : std::string();
  std::vector<std::string> row;
  for (std::size_t t = 0; t < tables_.size(); ++t) {
    Table& table = tables_[t];
    const forms::Group* repeat = version.find_group(table.repeat);
    if (repeat == nullptr || !repeat->repeat) continue;  // a version without this repeat
    // The instances enclosing this repeat's: the record's top level, or every live
    // instance of the repeat it is nested in.
    std::vector<forms::Scope> parents{{}};
    for (const forms::Group* outer : version.repeats_of(*repeat)) {
      std::vector<forms::Scope> inner;
      for (const forms::Scope& parent : parents) {
        for (forms::Scope& instance : forms::instances(version, *outer, record.values, parent)) {
          inner.push_back(std::move(instance));
        }
      }
      parents = std::move(inner);
    }
    for (const forms::Scope& parent : parents) {
      std::int64_t position = 0;
      for (const forms::Scope& instance : forms::instances(version, *repeat, record.values, parent)) {
        ++position;
        row.clear();
        if (filter_.identified) {
          row = {record_id, std::to_string(record.form_version)};
          if (table.nested) row.push_back(parent.empty() ? std::string() : id_("instance", parent.back().instance));
          row.push_back(id_("instance", instance.back().instance));
          row.push_back(std::to_string(position));
        } else {
          row = {std::to_string(record.form_version)};
        }
        add_field_cells(table.fields, filter_, [&](const forms::Field& field) {
          const auto found = record.values.find(forms::answer_key(field, instance));
          return found == record.values.end() ? std::string() : found->second;
        }, row);
        if (filter_.identified) AMANA_RETURN_IF_ERROR(sink.repeat_row(t, row));
        else ++table.held[row];
      }
    }
  }
  return Status();
}

Status RepeatTables::finish(DatasetSink& sink) {
  for (std::size_t t = 0; t < tables_.size(); ++t) {
    for (const auto& [row, count] : tables_[t].held) {
      for (std::uint64_t i = 0; i < count; ++i) AMANA_RETURN_IF_ERROR(sink.repeat_row(t, row));
    }
    tables_[t].held.clear();
  }
  return Status();
}

}  // namespace amana::server::detail

namespace amana::server {

bool repeat_dropped(const std::vector<const forms::FormDefinition*>& versions, std::string_view name,
                    const DatasetFilter& filter) {
  if (filter.identified) return false;
  return std::any_of(versions.begin(), versions.end(), [&](const forms::FormDefinition* version) {
    const forms::Group* repeat = version->find_group(name);
    if (repeat == nullptr || !repeat->repeat) return false;
    if (repeat->disclosure == forms::RepeatDisclosure::dropped) return true;
    const auto outer = version->repeats_of(*repeat);
    return std::any_of(outer.begin(), outer.end(), [](const forms::Group* holding) {
      return holding->disclosure == forms::RepeatDisclosure::dropped;
    });
  });
}

}  // namespace amana::server
