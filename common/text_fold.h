// Folding what people type so that the same thing written differently compares equal:
// the digits of Arabic keyboards, Arabic letter variants and diacritics, case, and
// punctuation. Used to read answers (numbers, dates, choice labels) and to compare names
// (person_match.h).
#pragma once

#include <string>
#include <string_view>

namespace amana::text {

// Arabic-Indic (٠-٩, U+0660..0669) and Eastern Arabic-Indic / Persian (۰-۹, U+06F0..06F9)
// digits become ASCII digits, the Arabic decimal separator (٫) '.', the Arabic comma (،)
// and semicolon (؛) ',' and ';', and the Arabic date separator (؍) '/'. Everything else is
// kept as it is.
std::string ascii_digits(std::string_view text);

// The comparable form of a name, a place or a label: letters folded (Arabic alef variants
// -> ا, ى -> ي, ة -> ه, ؤ -> و, ئ -> ي; Latin to lower case, common accents dropped),
// harakat, shadda, sukun, dagger alef and tatweel removed, digits as ASCII, every other
// character a break between words, words separated by one space.
// "  Fāṭima  AL-Hassan " and "fatima al hassan" fold the same; "فاطِمة" and "فاطمه" too.
std::string fold(std::string_view text);

// UTF-8 decoding and encoding for the folding code. A malformed byte decodes as itself.
char32_t next_code_point(std::string_view text, std::size_t& at);
void append_utf8(std::string& out, char32_t code_point);

}  // namespace amana::text
