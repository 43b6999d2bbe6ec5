#include "common/name_sound.h"

#include <algorithm>
#include <optional>

#include "common/text_fold.h"

namespace amana::cases {
namespace {

// What a vowel slot may hold (name_sound.h, rule 2).
constexpr std::uint8_t kNone = 1;  // no vowel letter: a short vowel or none
constexpr std::uint8_t kA = 2;     // ا
constexpr std::uint8_t kY = 4;     // ي
constexpr std::uint8_t kW = 8;     // و
constexpr std::uint8_t kAny = kNone | kA | kY | kW;

// Enough for any real name; a pathological token stops growing readings here.
constexpr std::size_t kMaxReadings = 32;

// A piece of a token: a consonant class, or what a vowel slot may hold.
struct Unit {
  char consonant = 0;  // 0: a vowel
  std::uint8_t vowel = 0;
};
using Units = std::vector<Unit>;
// At each position, one or two ways of reading it.
using Alternatives = std::vector<std::vector<Units>>;

Unit consonant(char c) { return {c, 0}; }
Unit vowel(std::uint8_t mask) { return {0, mask}; }

void add(Alternatives& out, Units one) { out.push_back({std::move(one)}); }
void add(Alternatives& out, Units one, Units other) { out.push_back({std::move(one), std::move(other)}); }

SoundReading to_reading(const Units& units) {
  SoundReading reading;
  std::uint8_t pending = 0;
  for (const Unit& unit : units) {
    if (unit.consonant == 0) {
      pending |= unit.vowel;
      continue;
    }
    // Doubled letters count once: Mohammed, Hawwa.
    if (pending == 0 && !reading.consonants.empty() && reading.consonants.back() == unit.consonant) continue;
    reading.slots.push_back(pending == 0 ? kNone : pending);
    reading.consonants += unit.consonant;
    pending = 0;
  }
  reading.slots.push_back(pending == 0 ? kNone : pending);
  return reading;
}

NameSound expand(const Alternatives& positions) {
  std::vector<Units> partial{{}};
  for (const auto& choices : positions) {
    std::vector<Units> next;
    for (const Units& start : partial) {
      for (const Units& choice : choices) {
        if (next.size() >= kMaxReadings) break;
        Units grown = start;
        grown.insert(grown.end(), choice.begin(), choice.end());
        next.push_back(std::move(grown));
      }
    }
    partial = std::move(next);
  }
  NameSound sound;
  for (const Units& units : partial) {
    SoundReading reading = to_reading(units);
    if (reading.consonants.empty()) continue;
    if (std::find(sound.readings.begin(), sound.readings.end(), reading) == sound.readings.end()) {
      sound.readings.push_back(std::move(reading));
    }
  }
  return sound;
}

// ---- Latin ----

bool is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

std::optional<char> latin_consonant(char c) {
  switch (c) {
    case 'b': case 'p': return 'B';
    case 't': return 'T';
    case 'd': return 'D';
    case 's': return 'S';
    case 'z': return 'Z';
    case 'g': case 'j': case 'q': return 'G';
    case 'k': case 'c': return 'K';
    case 'f': case 'v': return 'F';
    case 'h': return 'H';
    case 'l': return 'L';
    case 'm': return 'M';
    case 'n': return 'N';
    case 'r': return 'R';
    case 'x': return 'K';
    default: return std::nullopt;
  }
}

std::uint8_t group_mask(std::string_view g, bool final) {
  auto in = [&](std::initializer_list<std::string_view> list) {
    return std::find(list.begin(), list.end(), g) != list.end();
  };
  if (g.empty()) return kNone;
  if (final) {
    if (in({"a", "aa"})) return kA;
    if (g == "e") return kA | kY;
    if (in({"i", "y", "ee", "ie", "ey", "ii", "iy", "ei", "ai", "ay"})) return kY;
    if (in({"o", "u", "w", "ou", "oo", "uu", "ow", "aw"})) return kW;
    return group_mask(g.substr(g.size() - 1), true);  // "ia", "ua": the word ends on its last vowel
  }
  if (g == "a") return kNone | kA;
  if (in({"e", "i", "y"})) return kNone | kY;
  if (in({"o", "u", "w"})) return kNone | kW;
  if (g == "aa") return kA;
  if (in({"ee", "ii", "ei", "ai", "ay", "ey", "ie", "iy", "ea"})) return kY;
  if (in({"oo", "uu", "ou", "ow", "aw", "uw", "oa", "au"})) return kW;
  return kAny;
}

// A vowel group: as one slot, or (rule 3) split at an i/e or u/o before another vowel,
// which may be the consonant y or w.
std::vector<Units> vowel_group(std::string_view g, bool final) {
  std::vector<Units> ways{{vowel(group_mask(g, final))}};
  for (std::size_t k = 0; k + 1 < g.size(); ++k) {
    const char c = g[k];
    const char semi = (c == 'i' || c == 'e' || c == 'y') ? 'Y' : (c == 'u' || c == 'o' || c == 'w') ? 'W' : 0;
    if (semi == 0 || !is_vowel(g[k + 1])) continue;
    Units split;
    if (k > 0) split.push_back(vowel(group_mask(g.substr(0, k), false)));
    split.push_back(consonant(semi));
    split.push_back(vowel(group_mask(g.substr(k + 1), final)));
    ways.push_back(std::move(split));
    break;
  }
  return ways;
}

std::size_t count_consonants(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return latin_consonant(c).has_value(); }));
}

// Rule 6: the article, and the link inside Abd- names.
std::string latin_without_article(std::string s) {
  if (s.starts_with("abd") && s.size() > 4) {
    std::string rest = s.substr(3);
    std::size_t v = 0;
    while (v < rest.size() && is_vowel(rest[v])) ++v;
    if (v < rest.size() && rest[v] == 'l' && v + 1 < rest.size()) {
      rest = rest.substr(v + 1);                       // abd-al-lah, abd-el-rahman, abd-ul-lah
    } else if (v > 0 && v + 1 < rest.size() && rest[v] == rest[v + 1]) {
      rest = rest.substr(v + 1);                       // abd-ur-rahman: the article assimilated
    } else if (v > 0) {
      rest = rest.substr(v);                           // abdu-rahman
    }
    return "abd" + rest;
  }
  if ((s.starts_with("al") || s.starts_with("el")) && count_consonants(s.substr(2)) >= 2) return s.substr(2);
  return s;
}

NameSound latin_sound(std::string_view folded) {
  std::string s;
  for (char c : folded) {
    if (c >= 'a' && c <= 'z') s += c;
  }
  s = latin_without_article(std::move(s));
  Alternatives positions;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    const char next = i + 1 < s.size() ? s[i + 1] : 0;
    const bool semivowel_consonant = (c == 'y' || c == 'w') && (is_vowel(next) || next == c);
    if (is_vowel(c) || ((c == 'y' || c == 'w') && !semivowel_consonant)) {
      std::size_t end = i;
      while (end < s.size() &&
             (is_vowel(s[end]) || ((s[end] == 'y' || s[end] == 'w') &&
                                   !(end + 1 < s.size() && (is_vowel(s[end + 1]) || s[end + 1] == s[end]))))) {
        ++end;
      }
      const std::string_view group = std::string_view(s).substr(i, end - i);
      // Rule 5: a final h after a vowel may be silent (Fatimah) or a consonant (Saleh).
      if (end + 1 == s.size() && s[end] == 'h') {
        std::vector<Units> ways = vowel_group(group, true);
        for (Units& way : vowel_group(group, false)) {
          way.push_back(consonant('H'));
          ways.push_back(std::move(way));
        }
        positions.push_back(std::move(ways));
        break;
      }
      std::vector<Units> ways = vowel_group(group, end == s.size());
      if (i == 0) {
        // A written first vowel stands for a first alef, hamza or ain (Ahmed أحمد is
        // not Hamid حامد): it is never nothing.
        for (Units& way : ways) {
          if (way.front().consonant == 0 && (way.front().vowel & ~kNone) != 0) way.front().vowel &= ~kNone;
        }
      }
      positions.push_back(std::move(ways));
      i = end;
      continue;
    }
    if (semivowel_consonant) {
      add(positions, {consonant(c == 'y' ? 'Y' : 'W')});
      ++i;
      continue;
    }
    if (next == 'h' && (c == 'k' || c == 's' || c == 'g' || c == 'c')) {
      // kh خ, sh ش (ch in French spellings: Aicha), gh غ
      add(positions, {consonant(c == 'k' ? 'K' : c == 'g' ? 'G' : 'S'), consonant('H')});
      i += 2;
      continue;
    }
    if (next == 'h' && c == 't') {
      add(positions, {consonant('S')}, {consonant('T'), consonant('H')});  // ث as s, or ت ح
      i += 2;
      continue;
    }
    if (next == 'h' && c == 'd') {
      add(positions, {consonant('Z')}, {consonant('D'), consonant('H')});  // ذ as z, or د ه
      i += 2;
      continue;
    }
    if (next == 'h' && c == 'p') {
      add(positions, {consonant('F')});
      i += 2;
      continue;
    }
    if (auto mapped = latin_consonant(c)) add(positions, {consonant(*mapped)});
    ++i;
  }
  return expand(positions);
}

// ---- Arabic ----

bool is_arabic(char32_t cp) { return cp >= 0x0600 && cp <= 0x06FF; }

std::optional<char> arabic_consonant(char32_t cp) {
  switch (cp) {
    case 0x0628: case 0x067E: return 'B';                 // ب پ
    case 0x062A: case 0x0637: return 'T';                 // ت ط
    case 0x062B: case 0x0633: case 0x0635: return 'S';    // ث س ص
    case 0x062C: case 0x0642: case 0x0686: return 'G';    // ج ق چ
    case 0x062D: case 0x0647: return 'H';                 // ح ه
    case 0x062F: case 0x0636: return 'D';                 // د ض
    case 0x0630: case 0x0632: case 0x0638: return 'Z';    // ذ ز ظ
    case 0x0631: return 'R';
    case 0x0641: case 0x06A4: return 'F';                 // ف ڤ
    case 0x0643: case 0x06A9: return 'K';                 // ك ک
    case 0x0644: return 'L';
    case 0x0645: return 'M';
    case 0x0646: return 'N';
    default: return std::nullopt;
  }
}

bool is_hamza_seat(char32_t cp) {
  return cp == 0x0621 || cp == 0x0623 || cp == 0x0625 || cp == 0x0622 || cp == 0x0624 || cp == 0x0626 ||
         cp == 0x0639;  // ء أ إ آ ؤ ئ, and ع
}

NameSound arabic_sound(std::string_view token) {
  std::u32string letters;
  for (std::size_t i = 0; i < token.size();) {
    const char32_t cp = text::next_code_point(token, i);
    if ((cp >= 0x064B && cp <= 0x0652) || cp == 0x0670 || cp == 0x0640) continue;  // harakat, tatweel
    if (is_arabic(cp)) letters += cp;
  }
  const std::u32string article = U"\u0627\u0644";   // ال
  const std::u32string abd = U"\u0639\u0628\u062F";  // عبد
  if (letters.starts_with(abd) && letters.size() > 3) {
    std::u32string rest = letters.substr(3);
    if (rest.starts_with(article) && rest.size() > 2) rest = rest.substr(2);
    letters = abd + rest;
  } else if (letters.starts_with(article) && letters.size() >= 5) {
    letters = letters.substr(2);
  }
  Alternatives positions;
  for (std::size_t i = 0; i < letters.size(); ++i) {
    const char32_t cp = letters[i];
    const bool last = i + 1 == letters.size();
    if ((cp == 0x0627 || cp == 0x0671) && i == 0) {
      add(positions, {vowel(kAny)});  // a first alef is a hamza seat written without its hamza
    } else if (cp == 0x0627 || cp == 0x0671) {
      add(positions, {vowel(kA)});
    } else if (cp == 0x0629 || cp == 0x0649) {
      add(positions, {vowel(kA)});  // ة, ى: a final a
    } else if (is_hamza_seat(cp)) {
      add(positions, {vowel(kAny)});
    } else if (cp == 0x0648 || cp == 0x064A) {
      const char semi = cp == 0x0648 ? 'W' : 'Y';
      if (i == 0) add(positions, {consonant(semi)});
      else add(positions, {consonant(semi)}, {vowel(cp == 0x0648 ? kW : kY)});
    } else if (cp == 0x0647 && last && i > 0) {
      add(positions, {consonant('H')}, {vowel(kA)});  // ه, or ة without its dots
    } else if (cp == 0x062E || cp == 0x0634 || cp == 0x063A) {
      add(positions, {consonant(cp == 0x062E ? 'K' : cp == 0x0634 ? 'S' : 'G'), consonant('H')});  // خ ش غ
    } else if (auto mapped = arabic_consonant(cp)) {
      add(positions, {consonant(*mapped)});
    }
  }
  return expand(positions);
}

bool is_break(char32_t cp) {
  if (cp < 0x80) return !((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9'));
  return cp == 0x00A0 || cp == 0x060C || cp == 0x061B || cp == 0x061F || cp == 0x066A || cp == 0x066C || cp == 0x06D4;
}

bool is_article(std::string_view folded) { return folded == "al" || folded == "el" || folded == "\u0627\u0644"; }

bool is_lone_abd(std::string_view folded) {
  for (std::string_view abd : {"abd", "abdel", "abdul", "abdal", "abdu", "abdoul", "abdel", "\u0639\u0628\u062F"}) {
    if (folded == abd) return true;
  }
  return false;
}

// Joins a word matching `joins` to the word after it.
std::vector<std::string> join_forward(std::vector<std::string> words, bool (*joins)(std::string_view)) {
  std::vector<std::string> out;
  std::string carried;
  for (std::string& word : words) {
    if (joins(text::fold(word))) {
      carried += word;
      continue;
    }
    out.push_back(carried + word);
    carried.clear();
  }
  if (!carried.empty()) out.push_back(carried);
  return out;
}

}  // namespace

NameSound name_sound(std::string_view token) {
  for (std::size_t i = 0; i < token.size();) {
    if (is_arabic(text::next_code_point(token, i))) return arabic_sound(token);
  }
  return latin_sound(text::fold(token));
}

bool sounds_alike(const NameSound& a, const NameSound& b) {
  for (const SoundReading& x : a.readings) {
    for (const SoundReading& y : b.readings) {
      if (x.consonants != y.consonants) continue;
      bool slots_agree = true;
      for (std::size_t k = 0; k < x.slots.size() && slots_agree; ++k) slots_agree = (x.slots[k] & y.slots[k]) != 0;
      if (slots_agree) return true;
    }
  }
  return false;
}

std::vector<std::string> name_words(std::string_view name) {
  std::vector<std::string> words;
  std::string current;
  for (std::size_t i = 0; i < name.size();) {
    const std::size_t start = i;
    const char32_t cp = text::next_code_point(name, i);
    if (is_break(cp)) {
      if (!current.empty()) words.push_back(std::move(current));
      current.clear();
    } else {
      current.append(name.substr(start, i - start));
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return join_forward(join_forward(std::move(words), is_article), is_lone_abd);
}

}  // namespace amana::cases
