// The message catalogue and translatable errors.
#include "common/message.h"

#include <doctest/doctest.h>

#include <regex>
#include <set>

#include "common/message_catalogue.h"
#include "common/status.h"

namespace amana {
namespace {

std::set<std::string> placeholders(std::string_view text) {
  std::set<std::string> out;
  static const std::regex placeholder(R"(\{([a-z_0-9]+)\})");
  const std::string s(text);
  for (auto it = std::sregex_iterator(s.begin(), s.end(), placeholder); it != std::sregex_iterator(); ++it) {
    out.insert((*it)[1]);
  }
  return out;
}

}  // namespace

TEST_CASE("messages: every entry has English and Arabic with the same placeholders, under an area.what key") {
  const auto all = message_catalogue();
  CHECK(all.size() > 150);
  static const std::regex key(R"([a-z]+(\.[a-z_0-9]+)+)");
  for (const CatalogueEntry& entry : all) {
    CAPTURE(entry.key);
    CHECK(std::regex_match(std::string(entry.key), key));
    CHECK_FALSE(entry.en.empty());
    CHECK_FALSE(entry.ar.empty());
    CHECK(placeholders(entry.en) == placeholders(entry.ar));
    CHECK(MessageKey::find(entry.key)->name() == entry.key);
  }
  CHECK_FALSE(MessageKey::find("answer.no_such_key"));
}

TEST_CASE("messages: a message renders in each language, its arguments in each language too") {
  const LocalizedText label{"Age", "العمر"};
  const Message message("answer.whole_number", {{"field", "age"}, {"label", label}});
  CHECK(message.in(Language::en) == "age (Age): must be a whole number");
  CHECK(message.in(Language::ar) == "age (العمر): يجب أن يكون عددًا صحيحًا");
  CHECK(message.key().name() == "answer.whole_number");
  CHECK(join_list({{"a", "أ"}, {"b", ""}}).in(Language::ar) == "أ، b");
  CHECK(counted(1, "record").en == "1 record");
  CHECK(counted(3, "record").en == "3 records");
  CHECK(counted(3, "record").ar == "3");
}

TEST_CASE("messages: a Status carries its messages, so a UI shows it in Arabic without parsing English") {
  const Status status = invalid_argument(Message("store.no_record", {{"id", "1234"}})).with_context("answers.json");
  CHECK(status.message() == "answers.json: no record 1234 on this device (see `field-client records`)");
  CHECK(status.message_in(Language::ar) == "answers.json: لا يوجد السجل 1234 على هذا الجهاز (انظر `field-client records`)");
  REQUIRE(status.lines().size() == 1);
  CHECK(status.lines()[0].key().name() == "store.no_record");
  CHECK(status.lines()[0].args()[0].value.en == "1234");
  // A plain-text Status (not yet translated) reads the same in every language.
  const Status plain = invalid_argument("something in English");
  CHECK(plain.message_in(Language::ar) == "something in English");
  CHECK(plain.lines().empty());
}

}  // namespace amana
