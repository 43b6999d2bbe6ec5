// XLSForm import: a form written as a spreadsheet by an information management officer
// (as for ODK, KoboToolbox and pyxform), converted to Amana's form definition, the JSON of
// forms/*.json (common/form.h, docs/forms.md "XLSForm").
//
// Accepted: an .xlsx workbook (read by common/xlsx_reader.h) with a `survey` sheet, and
// `choices` and `settings` sheets when the form needs them. Refused with a message saying
// what to do: an Excel 97-2003 .xls file and a .csv file (an XLSForm is several sheets).
//
// What the conversion promises:
//  - the definition it returns collects what the spreadsheet says would be collected: the
//    same questions, names, types, choices, groups, skip logic, constraints,
//    requiredness, calculations, repeats (with their counts), cascading selects and
//    languages. What Amana cannot yet collect the same way (files, or_other, ...) is
//    refused by name and row ("survey sheet, row 212, column A (type):
//    select_one_from_file: not supported yet"), as is anything that would change what is
//    collected: a ${reference} to a question that does not exist, a skip rule or repeat
//    count that looks at a later question, a name that is not an identifier, a cycle of
//    calculations (at the row of its first field).
//  - what only changes how the form looks, or a mistake whose meaning is clear, is
//    published with a warning naming the row: an appearance, media, a choice repeated
//    within its list, spaces around a name, blank rows, metadata rows Amana records its own
//    way (username, audit).
//  - groups and repeats are kept (common/form.h), nested, with their relevant and
//    field-list hint;
//    start, end, today and deviceid become metadata fields the device fills.
//  - every problem is reported at once, each on its own line naming sheet, row and column,
//    in English and Arabic (common/catalogue/xlsform.h).
//
// Thread safety: pure functions of their input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/form.h"
#include "common/status.h"
#include "common/xlsx_reader.h"

namespace amana::xlsform {

struct ImportLimits {
  std::size_t max_file_bytes = 20u << 20;  // a large real XLSForm is under 1 MB
  std::size_t max_errors = 50;             // reported at once; the rest are counted
  std::size_t max_warnings = 200;
  xlsx::XlsxLimits workbook;
  // Whether a form_id of a built-in form is accepted (formsdist, issue 15): the server
  // publishes new versions of the built-in forms (sync-server/published_forms.h).
  bool builtin_ids = false;
};

struct Conversion {
  forms::FormDefinition form;        // parsed and checked by forms::parse_form_definition
  std::string definition_json;       // what was parsed: the definition to store and send
  std::string source_version;        // the settings sheet's `version`, as written ("" if none)
  std::vector<Message> warnings;     // in sheet and row order
};

// Converts the XLSForm in `bytes` (the file `file_name`, whose name is used in messages
// and, without its extension, as the form id when the settings sheet gives none). The
// definition gets version `version` (the server numbers the versions it publishes).
// Errors are invalid_argument, one Message per problem.
Result<Conversion> convert_xlsform(std::string_view bytes, std::string_view file_name, std::uint32_t version = 1,
                                   const ImportLimits& limits = {});

// Converts an XLSForm already read into sheets (the part of convert_xlsform after the zip).
Result<Conversion> convert_workbook(const xlsx::Workbook& workbook, std::string_view file_name,
                                    std::uint32_t version = 1, const ImportLimits& limits = {});

}  // namespace amana::xlsform
