// The message catalogue: every sentence the field client shows a person, in English and
// Arabic, under a stable key (see common/message.h for how messages are made and shown).
//
// Sections by area, one file each under common/catalogue/. A key is "area.what" in lower
// case; placeholders are {name}; the English and Arabic texts of an entry take the same
// placeholders (checked by tests/common/message_test.cc). Numbers are written with ASCII
// digits in both languages, as forms and phones show them in Sudan.
#pragma once

#include <span>

#include "common/catalogue/answers.h"
#include "common/catalogue/cases.h"
#include "common/catalogue/cli.h"
#include "common/catalogue/console.h"
#include "common/catalogue/device.h"
#include "common/catalogue/ids.h"
#include "common/catalogue/report.h"
#include "common/catalogue/sync.h"
#include "common/catalogue/ui.h"
#include "common/catalogue/xlsform.h"
#include "common/message.h"

namespace amana::catalogue {

inline constexpr std::span<const CatalogueEntry> kSections[] = {kAnswers, kCases, kDevice, kCli, kXlsform, kSync, kReport, kIds, kUi, kConsole};

}  // namespace amana::catalogue

namespace amana {

consteval MessageKey::MessageKey(const char* key) {
  const std::string_view wanted(key);
  for (std::uint16_t s = 0; s < std::size(catalogue::kSections); ++s) {
    for (std::uint16_t i = 0; i < catalogue::kSections[s].size(); ++i) {
      if (catalogue::kSections[s][i].key == wanted) {
        section_ = s;
        index_ = i;
        return;
      }
    }
  }
  throw "unknown message key: add it to a section of common/message_catalogue.h";
}

}  // namespace amana
