// The service types: one vocabulary for what a referral asks for and what a provider in
// the directory offers, so that a referral finds the providers that can help.
//
// The codes are Primero's service types (Safehouse, Health/Medical, Psychosocial,
// Police/Other, Legal Assistance, Livelihoods, Child Protection, Family Mediation, Family
// Reunification, Education, NFI/Clothes/Shoes, Water/Sanitation, Registration, Food,
// Other), declared once here with their English and Arabic labels, and used by the
// referral form (its service_type question is "choice_list": "service_types"), by the
// provider directory's import (sync-server/providers.h) and by `field-client providers
// --service`.
//
// Codes used before this vocabulary still read: a former code (the referral form's
// medical, shelter, mental_health_psychosocial, family_tracing) stands for its current
// code; a retired one (material_cash_ipa, cash) has no current equivalent and is kept
// with its label for the old records and providers that hold it, never offered again.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/message.h"
#include "common/status.h"

namespace amana::services {

struct ServiceType {
  std::string_view code;
  std::string_view en;
  std::string_view ar;
  std::string_view former_code = {};  // a code this one replaced, or empty
  bool retired = false;               // kept for old values only
};

// Every service type: the offered ones in Primero's order, then the retired ones.
std::span<const ServiceType> all();

// The type a stored or typed code stands for: a code, a former code (its replacement) or
// a retired code; nullptr for anything else.
const ServiceType* find(std::string_view code);

// The code to store for what a person typed: a code or former code (any case), or a label
// in English or Arabic. invalid_argument listing the codes for a retired or unknown one.
Result<std::string> parse(std::string_view text);

// What a stored code reads as; the code itself when it is not in the vocabulary.
LocalizedText label(std::string_view code);

// The offered codes with their labels, as an error lists them.
LocalizedText offered_list();

}  // namespace amana::services
