// Datasets for the MEAL team: one row per record of a form, or per case, from the central
// store, with a codebook beside it.
//
// De-identified, always: fields marked sensitive are dropped, record and device ids are
// replaced by pseudonyms (a keyed hash under a key derived from the org's data key, so
// the same record has the same pseudonym in every export and nobody without the key can
// link it back), and a case's person is reduced to sex and age band.
// select_multiple answers come as the raw value plus one 0/1 column per choice, named
// "field/choice" as Kobo and ODK users expect.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "common/form.h"
#include "common/status.h"
#include "sync-server/central_store.h"

namespace amana::server {

struct Dataset {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  // variable, label (English), label (Arabic), type, choices
  std::vector<std::vector<std::string>> codebook;
};

struct DatasetFilter {
  std::optional<std::string> from;  // YYYY-MM-DD, inclusive, on the collection date
  std::optional<std::string> to;
};

// The pseudonym key, derived from the org data key.
crypto::SecretBytes pseudonym_key(const crypto::SecretBytes& data_key);

Result<Dataset> form_dataset(CentralStore& store, const forms::FormDefinition& form, const crypto::SecretBytes& key,
                             const DatasetFilter& filter);
Result<Dataset> case_dataset(CentralStore& store, const crypto::SecretBytes& key, const DatasetFilter& filter);

std::string to_csv(const Dataset& dataset);
std::string to_jsonl(const Dataset& dataset);
std::string codebook_csv(const Dataset& dataset);

// One workbook with two sheets, "data" and "codebook"; numbers as numbers, text (Arabic
// included) as UTF-8 strings. Written to a temporary name and renamed into place.
Status write_xlsx(const Dataset& dataset, const std::filesystem::path& path);

}  // namespace amana::server
