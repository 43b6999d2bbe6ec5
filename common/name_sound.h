// Whether two written names sound alike: the same name spelt differently in Latin letters
// (Mohamed, Mohammed, Muhammad), or written in Arabic and in Latin (محمد, Mohamed).
//
// A name token becomes its "sound readings": the consonants in order, each mapped to a
// class, and between them the vowel slots, each the set of what may be written there.
// Two tokens sound alike when some reading of one and some reading of the other have the
// same consonants and every pair of slots shares a possibility. The rules (written down
// in docs/cases.md, "Duplicates"):
//
//  1. Consonant classes. b p | t ط ت | d ض د | s ص س ث "th" | z ذ ظ ز "dh" | g j q ج ق
//     (Sudanese Arabic says ق as g and writes ج as j or g: Ishag / Ishaq, Khadija /
//     Khadiga) | k ك c | f ف v ph | h ح ه | l m n r | kh خ = k h, sh ش = s h, gh غ = g h.
//     "th" and "dh" may also be t h and d h (Fathia, فتحية). Doubled letters count once.
//  2. Vowels. Arabic writes long vowels (ا ī ي ū و) and leaves short ones out; Latin
//     writes every vowel it hears. A slot holds: nothing (a short vowel or none), A
//     (ا, Latin a/aa), Y (ي, Latin i/e/ee/ei/ai/ay), W (و, Latin o/u/oo/ou/ow). A single
//     Latin vowel may be short or long; two vowel letters are long: so Hassan (a) and
//     Hussein (ei = ي) differ, Amira (i) and Ameera (ee) and أميرة (ي) agree.
//  3. و and ي inside a word are a consonant (w, y) or a long vowel: both are tried. Latin
//     y and w before a vowel are consonants, otherwise vowels; i/e or u/o before another
//     vowel may be y or w (Mariam, مريم).
//  4. ع, ء and the hamza seats (أ إ آ ئ ؤ) hold any vowel (Osman / عثمان, Saad / سعد).
//  5. The end of a word matters: a final vowel (ة, ا, ى, Latin a) is not a final consonant
//     (Amira is not Amir). A final ه may be ة written without its dots, and a Latin final
//     h after a vowel may be silent (Fatimah, Abdallah / عبدالله, Saleh / صالح).
//  6. The article: al-, el-, ال in front of a name of three or more letters is left out
//     (Alhassan, Al Hassan, الحسن). In Abd- names the linking article and the assimilated
//     letter are left out too: Abdallah, Abdullah, Abdalla, Abd Allah, عبدالله, عبد الله
//     read the same; so do Abdelrahman, Abdurrahman, عبد الرحمن.
//
// Short names carry little: names that differ only in their short vowels in Latin
// (Salem / Salim) sound alike. The person match (person_match.h) therefore also needs
// sex, age band and place to agree.
//
// Pure functions, no state; about a microsecond per token.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace amana::cases {

// One way of reading a token: consonant classes and the vowel slots around them
// (slots.size() == consonants.size() + 1).
struct SoundReading {
  std::string consonants;
  std::vector<std::uint8_t> slots;
  bool operator==(const SoundReading&) const = default;
};

struct NameSound {
  std::vector<SoundReading> readings;  // empty: nothing to compare (digits, one letter)
};

// A raw name token (one word, any script, as typed).
NameSound name_sound(std::string_view token);

bool sounds_alike(const NameSound& a, const NameSound& b);

// The words of a name as they are compared: split where text::fold splits them, with a
// lone article (al, el, ال) joined to the word after it and a lone Abd (abd, abdel,
// abdul, عبد) joined to the name after it.
std::vector<std::string> name_words(std::string_view name);

}  // namespace amana::cases
