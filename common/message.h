// Messages a person reads, in their language, from one catalogue with stable keys.
//
// Every sentence the field client shows a person (a prompt, a header, an error) is an entry
// of common/message_catalogue.h: a stable key ("answer.whole_number"), its English text and
// its Arabic text, with named placeholders ("{field} ({label}): must be a whole number").
// A Message is a key and its arguments; it is rendered in a language only where it is
// shown, so the same Message serves the CLI now and the field web app later.
//
// How a library error carries what is needed to translate it: a Status built from
// Messages (status.h: `Status(code, Message)`, `invalid_argument(Message)`) keeps them in
// lines(), one per line of the error, next to its English message(). Each argument is
// already in every language (a field's label in English and Arabic; an id or a number
// the same in both), so nothing has to be looked up again, and the error comes out in any
// language with `status.message_in(language)`; a web UI may instead send `key()` and the
// arguments to a page that renders them. A Status made from plain English text (older
// code, and what is not shown to a person) has no lines: message_in() gives its English.
//
// Keys are checked when the program is compiled: `Message("answer.whol_number")` does not
// build (MessageKey's constructor is consteval and looks the key up in the catalogue).
// A key never changes meaning once released: change the wording, not what it says;
// retire a key rather than reuse it.
//
// Thread safety: everything here is immutable after construction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace amana {

enum class Language { en, ar };

// "en" / "ar".
std::string_view language_code(Language language);

// A text in every language a person may read it in. English is the fallback.
struct LocalizedText {
  std::string en;
  std::string ar;
  // A form's texts in further languages, by code ("fr", "fa", "ps"), in the order the
  // form gives them. Messages of the catalogue have none.
  std::vector<std::pair<std::string, std::string>> more = {};
  // The text in `language`, falling back to English where no translation exists.
  const std::string& in(Language language) const;
  // The text in the language with this code ("en", "ar", "fr"), falling back to English.
  const std::string& in(std::string_view code) const;
  bool empty() const { return en.empty() && ar.empty(); }
};

// One entry of the catalogue (message_catalogue.h).
struct CatalogueEntry {
  std::string_view key;
  std::string_view en;
  std::string_view ar;
};

// A key of the catalogue, checked at compile time.
class MessageKey {
 public:
  // Defined in message_catalogue.h: include it where messages are made. A key that is not
  // in the catalogue stops the build.
  consteval MessageKey(const char* key);  // NOLINT: implicit, so that call sites read as strings

  // A key given at run time (from a web page, a stored value): nullopt when unknown.
  static std::optional<MessageKey> find(std::string_view key);

  std::string_view name() const;  // the stable key, "answer.whole_number"
  std::string_view text(Language language) const;
  bool operator==(const MessageKey&) const = default;

 private:
  constexpr MessageKey() = default;
  std::uint16_t section_ = 0;
  std::uint16_t index_ = 0;
};

class Message;

// A named argument of a message: a text in every language.
struct MessageArg {
  MessageArg(std::string_view name, std::string value);
  MessageArg(std::string_view name, const char* value);
  MessageArg(std::string_view name, LocalizedText value);
  MessageArg(std::string_view name, const Message& value);  // rendered in every language
  MessageArg(std::string_view name, std::int64_t value);

  std::string_view name;  // a literal at the call site
  LocalizedText value;
};

class Message {
 public:
  Message(MessageKey key, std::vector<MessageArg> args = {});  // NOLINT: implicit from a key

  const MessageKey& key() const { return key_; }
  const std::vector<MessageArg>& args() const { return args_; }

  // The text in `language`, placeholders replaced. An unknown placeholder stays as written.
  std::string in(Language language) const;
  LocalizedText localized() const { return {in(Language::en), in(Language::ar)}; }

 private:
  MessageKey key_;
  std::vector<MessageArg> args_;
};

// "1 record", "3 records" in English; "3" in Arabic, whose messages put the count after
// a noun ("عدد السجلات: 3") rather than follow its plural rules.
LocalizedText counted(std::int64_t count, std::string_view english_noun);

// `items` joined as a list in `language` ("a, b, c" / "a، b، c").
LocalizedText join_list(const std::vector<LocalizedText>& items);

// Every entry of the catalogue, for a web UI to ship and for tests to check.
std::vector<CatalogueEntry> message_catalogue();

}  // namespace amana
