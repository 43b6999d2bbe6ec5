#include "common/repeat_keys.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "common/crypto.h"

namespace amana::forms::repeat_keys {
namespace {

std::vector<std::string_view> split(std::string_view key) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t slash = key.find('/'); slash != std::string_view::npos; slash = key.find('/', start)) {
    parts.push_back(key.substr(start, slash - start));
    start = slash + 1;
  }
  parts.push_back(key.substr(start));
  return parts;
}

double position_number(std::string_view position) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(position.data(), position.data() + position.size(), value);
  if (error != std::errc() || end != position.data() + position.size() || position.empty()) {
    return std::numeric_limits<double>::infinity();
  }
  return static_cast<double>(value);
}

}  // namespace

bool is_instance_id(std::string_view text) {
  return text.size() == kInstanceIdLength &&
         std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::optional<Key> parse(std::string_view key) {
  const std::vector<std::string_view> parts = split(key);
  if (std::any_of(parts.begin(), parts.end(), [](std::string_view part) { return part.empty(); })) return std::nullopt;
  Key parsed;
  std::size_t i = 0;
  for (; i + 1 < parts.size(); i += 2) {
    if (!is_instance_id(parts[i + 1])) return std::nullopt;
    parsed.path.push_back(Step{std::string(parts[i]), std::string(parts[i + 1])});
  }
  if (i < parts.size()) parsed.field = std::string(parts[i]);
  if (parsed.path.size() > kMaxDepth) return std::nullopt;
  return parsed;
}

std::string compose(const Key& key) {
  std::string text;
  for (const Step& step : key.path) {
    if (!text.empty()) text += '/';
    text += step.repeat;
    text += '/';
    text += step.instance;
  }
  if (!key.field.empty()) {
    if (!text.empty()) text += '/';
    text += key.field;
  }
  return text;
}

std::string new_instance_id() {
  static constexpr char kHex[] = "0123456789abcdef";
  const crypto::Bytes random = crypto::random_bytes(kInstanceIdLength / 2);
  std::string id;
  for (std::uint8_t byte : random) {
    id += kHex[byte >> 4];
    id += kHex[byte & 0x0f];
  }
  return id;
}

bool is_within(std::string_view key, std::span<const Step> path) {
  const std::string marker = compose(Key{std::vector<Step>(path.begin(), path.end()), ""});
  return key == marker || (key.size() > marker.size() && key.substr(0, marker.size()) == marker &&
                           key[marker.size()] == '/');
}

bool position_before(std::string_view position_a, std::string_view instance_a, std::string_view position_b,
                     std::string_view instance_b) {
  const double a = position_number(position_a), b = position_number(position_b);
  if (a != b) return a < b;
  return instance_a < instance_b;
}

std::optional<std::filesystem::path> table_path(const std::filesystem::path& dataset, std::string_view repeat) {
  auto name_char = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; };
  if (repeat.empty() || repeat.size() > 64 || (repeat[0] >= '0' && repeat[0] <= '9') ||
      !std::all_of(repeat.begin(), repeat.end(), name_char)) {
    return std::nullopt;
  }
  std::filesystem::path named = dataset;
  named.replace_filename(dataset.stem().string() + "-" + std::string(repeat) + dataset.extension().string());
  return named;
}

}  // namespace amana::forms::repeat_keys
