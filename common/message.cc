#include "common/message.h"

#include <algorithm>
#include <array>

#include "common/message_catalogue.h"

namespace amana {
namespace {

// A key is found by its name at compile time; two entries with one name would make the
// second unreachable, so the catalogue is checked here once, when this file is built.
// Sorted, then neighbours compared: comparing every pair would exceed clang's constexpr
// step limit at the catalogue's size.
constexpr std::size_t kKeyCount = [] {
  std::size_t count = 0;
  for (const auto& section : catalogue::kSections) count += section.size();
  return count;
}();

consteval bool keys_are_unique() {
  std::array<std::string_view, kKeyCount> keys{};
  std::size_t n = 0;
  for (const auto& section : catalogue::kSections) {
    for (const CatalogueEntry& e : section) keys[n++] = e.key;
  }
  std::sort(keys.begin(), keys.end());
  return std::adjacent_find(keys.begin(), keys.end()) == keys.end();
}
static_assert(keys_are_unique(), "a message key appears twice in the catalogue");

const CatalogueEntry& entry(std::uint16_t section, std::uint16_t index) {
  return catalogue::kSections[section][index];
}

bool is_placeholder_char(char c) { return (c >= 'a' && c <= 'z') || c == '_' || (c >= '0' && c <= '9'); }

}  // namespace

std::string_view language_code(Language language) { return language == Language::ar ? "ar" : "en"; }

const std::string& LocalizedText::in(Language language) const {
  if (language == Language::ar && !ar.empty()) return ar;
  return en;
}

const std::string& LocalizedText::in(std::string_view code) const {
  if (code == "ar") return in(Language::ar);
  for (const auto& [language, text] : more) {
    if (language == code && !text.empty()) return text;
  }
  return en;
}

std::optional<MessageKey> MessageKey::find(std::string_view key) {
  for (std::uint16_t s = 0; s < std::size(catalogue::kSections); ++s) {
    for (std::uint16_t i = 0; i < catalogue::kSections[s].size(); ++i) {
      if (catalogue::kSections[s][i].key == key) {
        MessageKey found;
        found.section_ = s;
        found.index_ = i;
        return found;
      }
    }
  }
  return std::nullopt;
}

std::string_view MessageKey::name() const { return entry(section_, index_).key; }

std::string_view MessageKey::text(Language language) const {
  const CatalogueEntry& e = entry(section_, index_);
  return language == Language::ar && !e.ar.empty() ? e.ar : e.en;
}

MessageArg::MessageArg(std::string_view arg_name, std::string text) : name(arg_name), value{std::move(text), {}} {}
MessageArg::MessageArg(std::string_view arg_name, const char* text) : name(arg_name), value{text, {}} {}
MessageArg::MessageArg(std::string_view arg_name, LocalizedText text) : name(arg_name), value(std::move(text)) {}
MessageArg::MessageArg(std::string_view arg_name, const Message& message)
    : name(arg_name), value(message.localized()) {}
MessageArg::MessageArg(std::string_view arg_name, std::int64_t number)
    : name(arg_name), value{std::to_string(number), {}} {}

Message::Message(MessageKey key, std::vector<MessageArg> args) : key_(key), args_(std::move(args)) {}

std::string Message::in(Language language) const {
  const std::string_view text = key_.text(language);
  std::string out;
  out.reserve(text.size() + 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') {
      std::size_t end = i + 1;
      while (end < text.size() && is_placeholder_char(text[end])) ++end;
      if (end < text.size() && text[end] == '}' && end > i + 1) {
        const std::string_view name = text.substr(i + 1, end - i - 1);
        const MessageArg* arg = nullptr;
        for (const MessageArg& candidate : args_) {
          if (candidate.name == name) arg = &candidate;
        }
        if (arg != nullptr) {
          out += arg->value.in(language);
          i = end;
          continue;
        }
      }
    }
    out += text[i];
  }
  return out;
}

LocalizedText counted(std::int64_t count, std::string_view english_noun) {
  const std::string number = std::to_string(count);
  return {number + " " + std::string(english_noun) + (count == 1 ? "" : "s"), number};
}

LocalizedText join_list(const std::vector<LocalizedText>& items) {
  LocalizedText out;
  for (const LocalizedText& item : items) {
    out.en += (out.en.empty() ? "" : ", ") + item.en;
    out.ar += (out.ar.empty() ? "" : "، ") + item.in(Language::ar);
  }
  return out;
}

std::vector<CatalogueEntry> message_catalogue() {
  std::vector<CatalogueEntry> all;
  for (const auto& section : catalogue::kSections) all.insert(all.end(), section.begin(), section.end());
  return all;
}

}  // namespace amana
