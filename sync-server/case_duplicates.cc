// duplicate_cases (case_admin.h): the person match over the case list kept at merge time.
//
// Comparing every case with every other is quadratic: about 6 billion comparisons for the
// 110,000 cases of a million records. The match needs every word of the shorter name
// found in the longer one, written the same or sounding alike, and two words sound alike
// only when some reading of each has the same consonants (common/name_sound.h). So each
// word is indexed under its folded spelling and each reading's consonants, and a case is
// compared only with the cases found under the keys of the one of its words that has the
// fewest: every pair that matches is found from its shorter (or equal) name's side.
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

using CasesByKey = std::unordered_map<std::string, std::vector<std::size_t>>;

}  // namespace

Result<std::vector<std::pair<CaseView, CaseView>>> duplicate_cases(CentralStore& store) {
  AMANA_ASSIGN_OR_RETURN(const std::vector<CentralStore::CaseListing> listing, store.case_listing({}));
  std::vector<cases::ComparablePerson> people;
  std::vector<std::vector<std::vector<std::string>>> keys;  // per case, per name word
  CasesByKey by_key;
  people.reserve(listing.size());
  keys.reserve(listing.size());
  for (const CentralStore::CaseListing& listed : listing) {
    people.push_back(cases::comparable(
        {listed.name, listed.sex,
         listed.age.empty() ? std::nullopt : std::optional<int>(std::atoi(listed.age.c_str())), listed.location}));
    std::vector<std::vector<std::string>>& words = keys.emplace_back();
    std::set<std::string> indexed;  // a case once under each key
    for (const cases::ComparableWord& word : people.back().name) {
      words.push_back(word_keys(word));
      for (const std::string& key : words.back()) {
        if (indexed.insert(key).second) by_key[key].push_back(people.size() - 1);
      }
    }
  }
  std::set<std::pair<std::size_t, std::size_t>> matched;
  for (std::size_t i = 0; i < people.size(); ++i) {
    const std::vector<std::string>* rarest = nullptr;
    std::size_t fewest = 0;
    for (const std::vector<std::string>& word : keys[i]) {
      std::size_t count = 0;
      for (const std::string& key : word) count += by_key[key].size();
      if (rarest == nullptr || count < fewest) {
        rarest = &word;
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
