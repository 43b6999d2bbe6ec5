#include "common/person_match.h"

#include <algorithm>
#include <sstream>
#include <vector>

namespace amana::cases {
namespace {

// Decodes one UTF-8 code point at `i`, advancing it; malformed bytes are returned as-is.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 1;
  if (i + length > s.size()) length = 1;
  char32_t cp = length == 1 ? lead : lead & (0xFF >> (length + 1));
  for (std::size_t k = 1; k < length; ++k) cp = (cp << 6) | (byte(i + k) & 0x3F);
  i += length;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// nullopt: drop the character. Otherwise what it becomes; U+0020 separates tokens.
std::optional<char32_t> fold(char32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + ('a' - 'A');
  if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) return cp;
  if (cp < 0x80) return U' ';  // spaces, hyphens, dots, apostrophes: token breaks
  if (cp >= 0x064B && cp <= 0x0652) return std::nullopt;  // harakat, shadda, sukun
  if (cp == 0x0670 || cp == 0x0640) return std::nullopt;   // dagger alef, tatweel
  if (cp >= 0x0660 && cp <= 0x0669) return U'0' + (cp - 0x0660);  // Arabic-Indic digits
  if (cp >= 0x06F0 && cp <= 0x06F9) return U'0' + (cp - 0x06F0);  // Eastern Arabic-Indic
  switch (cp) {
    case 0x0622: case 0x0623: case 0x0625: case 0x0671: return 0x0627;  // alef variants -> alef
    case 0x0649: return 0x064A;  // alef maqsura -> ya
    case 0x0629: return 0x0647;  // ta marbuta -> ha
    case 0x0624: return 0x0648;  // waw with hamza -> waw
    case 0x0626: return 0x064A;  // ya with hamza -> ya
    case 0x00A0: return U' ';
    default: break;
  }
  // Latin letters with diacritics, as transliterations write them: a few common ones.
  switch (cp) {
    case 0x00E1: case 0x00E0: case 0x00E2: case 0x00E4: case 0x0101: case 0x00C1: case 0x0100: return U'a';
    case 0x00E9: case 0x00E8: case 0x00EA: case 0x0113: case 0x00C9: return U'e';
    case 0x00ED: case 0x00EE: case 0x012B: case 0x00CD: case 0x012A: return U'i';
    case 0x00F3: case 0x00F4: case 0x00F6: case 0x014D: case 0x00D3: return U'o';
    case 0x00FA: case 0x00FC: case 0x016B: case 0x00DA: case 0x016A: return U'u';
    case 0x1E6D: case 0x1E6C: return U't';
    case 0x1E25: case 0x1E24: return U'h';
    case 0x1E63: case 0x1E62: return U's';
    case 0x1E0D: case 0x1E0C: return U'd';
    case 0x1E93: case 0x1E92: return U'z';
    default: return cp;
  }
}

std::vector<std::string> tokens(const std::string& normalized) {
  std::vector<std::string> out;
  std::istringstream in(normalized);
  for (std::string token; in >> token;) out.push_back(token);
  return out;
}

}  // namespace

std::string normalize_name(std::string_view text) {
  std::string folded;
  for (std::size_t i = 0; i < text.size();) {
    if (auto cp = fold(next_code_point(text, i))) append_utf8(folded, *cp);
  }
  std::string out;
  for (const std::string& token : tokens(folded)) out += (out.empty() ? "" : " ") + token;
  return out;
}

int age_band(int age) {
  if (age < 5) return 0;
  if (age < 12) return 1;
  if (age < 18) return 2;
  if (age < 60) return 3;
  return 4;
}

std::string_view age_band_name(int age) {
  static constexpr std::string_view kNames[] = {"0-4", "5-11", "12-17", "18-59", "60+"};
  return kNames[age_band(age)];
}

bool likely_same_person(const PersonKey& a, const PersonKey& b) {
  if (!a.sex.empty() && !b.sex.empty() && a.sex != b.sex) return false;
  if (a.age && b.age && age_band(*a.age) != age_band(*b.age)) return false;
  const std::string place_a = normalize_name(a.location);
  const std::string place_b = normalize_name(b.location);
  if (!place_a.empty() && !place_b.empty() && place_a != place_b) return false;

  auto name_a = tokens(normalize_name(a.name));
  auto name_b = tokens(normalize_name(b.name));
  if (name_a.empty() || name_b.empty()) return false;
  if (name_a.size() > name_b.size()) std::swap(name_a, name_b);
  // Every token of the shorter name appears in the longer: "Amira Hassan" matches
  // "Hassan Amira Yousif" (names are written in different orders and lengths).
  const bool contained = std::all_of(name_a.begin(), name_a.end(), [&](const std::string& token) {
    return std::find(name_b.begin(), name_b.end(), token) != name_b.end();
  });
  return contained && (name_a.size() >= 2 || name_b.size() == 1);
}

}  // namespace amana::cases
