// duplicate_cases (case_admin.h): the person match over the case list kept at merge time.
//
// Comparing every case with every other is quadratic: about 6 billion comparisons for the
// 110,000 cases of a million records. The match needs every word of the shorter name
// found in the longer one, written the same or sounding alike, and two words sound alike
// only when some reading of each has the same consonants (common/name_sound.h). A name of
// two words or more matches only a name at least as long holding both of any two of its
// words, so a case is indexed under every pair of its words' keys (a word with itself too:
// "Adam Adam" is contained in "Adam Ali"), and compared only with the cases under the one
// pair of its words that has the fewest. One word matches only one word: indexed alone.
// A single word's key is shared by thousands of cases in a real caseload (Mohamed, Fatima,
// Adam); a pair of them by far fewer, so the comparisons follow the matches, not the
// caseload squared.
#include <algorithm>
#include <cstdlib>
#include <set>
#include <unordered_map>

#include "common/person_match.h"
#include "sync-server/case_admin.h"

namespace amana::server {
namespace {

std::vector<std::string> word_keys(const cases::ComparableWord& word) {
  std::vector<std::string> keys{"f" + word.folded};
  for (const cases::SoundReading& reading : word.sound.readings) keys.push_back("c" + reading.consonants);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

// The keys a pair of words is found under: one per choice of a key of each, in a fixed
// order so that (a, b) and (b, a) meet.
std::vector<std::string> pair_keys(const std::vector<std::string>& first, const std::vector<std::string>& second) {
  std::vector<std::string> keys;
  keys.reserve(first.size() * second.size());
  for (const std::string& a : first) {
    for (const std::string& b : second) keys.push_back(a < b ? a + '\x1f' + b : b + '\x1f' + a);
  }
  return keys;
}

using CasesByKey = std::unordered_map<std::string, std::vector<std::size_t>>;

}  // namespace

Result<std::vector<std::pair<CaseView, CaseView>>> duplicate_cases(CentralStore& store) {
  AMANA_ASSIGN_OR_RETURN(const std::vector<CentralStore::CaseListing> listing, store.case_listing({}));
  std::vector<cases::ComparablePerson> people;
  // Per case, the key sets it is looked up by: one per pair of distinct words (or its one
  // word's keys for a name of one word).
  std::vector<std::vector<std::vector<std::string>>> lookups;
  CasesByKey by_key;
  people.reserve(listing.size());
  lookups.reserve(listing.size());
  for (const CentralStore::CaseListing& listed : listing) {
    people.push_back(cases::comparable(
        {listed.name, listed.sex,
         listed.age.empty() ? std::nullopt : std::optional<int>(std::atoi(listed.age.c_str())), listed.location}));
    std::vector<std::vector<std::string>> words;
    for (const cases::ComparableWord& word : people.back().name) words.push_back(word_keys(word));
    std::vector<std::vector<std::string>>& mine = lookups.emplace_back();
    std::set<std::string> indexed;  // a case once under each key
    const auto index = [&](const std::string& key) {
      if (indexed.insert(key).second) by_key[key].push_back(people.size() - 1);
    };
    if (words.size() == 1) {
      std::vector<std::string>& alone = mine.emplace_back();
      for (const std::string& key : words[0]) alone.push_back("1" + key);
      for (const std::string& key : alone) index(key);
      continue;
    }
    for (std::size_t a = 0; a < words.size(); ++a) {
      for (std::size_t b = a; b < words.size(); ++b) {
        std::vector<std::string> keys = pair_keys(words[a], words[b]);
        for (const std::string& key : keys) index(key);
        if (b != a) mine.push_back(std::move(keys));
      }
    }
  }
  std::set<std::pair<std::size_t, std::size_t>> matched;
  for (std::size_t i = 0; i < people.size(); ++i) {
    const std::vector<std::string>* rarest = nullptr;
    std::size_t fewest = 0;
    for (const std::vector<std::string>& keys : lookups[i]) {
      std::size_t count = 0;
      for (const std::string& key : keys) count += by_key[key].size();
      if (rarest == nullptr || count < fewest) {
        rarest = &keys;
        fewest = count;
      }
    }
    if (rarest == nullptr) continue;  // no name: matches nobody
    for (const std::string& key : *rarest) {
      for (std::size_t j : by_key[key]) {
        if (j == i || people[j].name.size() < people[i].name.size()) continue;
        const auto pair = std::minmax(i, j);
        if (matched.count(pair) == 0 && cases::likely_same_person(people[pair.first], people[pair.second])) {
          matched.insert(pair);
        }
      }
    }
  }
  std::vector<std::pair<CaseView, CaseView>> out;
  out.reserve(matched.size());
  for (const auto& [first, second] : matched) out.emplace_back(view_of(listing[first]), view_of(listing[second]));
  return out;
}

}  // namespace amana::server
