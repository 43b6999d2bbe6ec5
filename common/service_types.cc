#include "common/service_types.h"

#include "common/message_catalogue.h"
#include "common/text_fold.h"

namespace amana::services {
namespace {

constexpr ServiceType kTypes[] = {
    {"safehouse", "Safehouse", "دار إيواء آمنة", "shelter"},
    {"health", "Health or medical", "صحية أو طبية", "medical"},
    {"psychosocial", "Psychosocial support", "الدعم النفسي والاجتماعي", "mental_health_psychosocial"},
    {"police", "Police or other security", "الشرطة أو جهات أمنية أخرى"},
    {"legal", "Legal assistance", "المساعدة القانونية"},
    {"livelihoods", "Livelihoods", "سُبل العيش"},
    {"child_protection", "Child protection", "حماية الطفل"},
    {"family_mediation", "Family mediation", "الوساطة الأسرية"},
    {"family_reunification", "Family tracing and reunification", "تتبع الأسر ولمّ شملها", "family_tracing"},
    {"education", "Education", "التعليم"},
    {"nfi", "Non-food items, clothes and shoes", "مواد غير غذائية وملابس وأحذية"},
    {"wash", "Water and sanitation", "المياه والصرف الصحي"},
    {"registration", "Registration", "التسجيل"},
    {"food", "Food", "الغذاء"},
    {"other", "Other", "أخرى"},
    // Retired: no current type means the same, so old values keep their own label.
    {"material_cash_ipa", "Material, cash or individual protection assistance",
     "مساعدة عينية أو نقدية أو مساعدة حماية فردية", {}, true},
    {"cash", "Cash assistance", "مساعدة نقدية", {}, true},
};

}  // namespace

std::span<const ServiceType> all() { return kTypes; }

const ServiceType* find(std::string_view code) {
  for (const ServiceType& type : kTypes) {
    if (type.code == code || (!type.former_code.empty() && type.former_code == code)) return &type;
  }
  return nullptr;
}

Result<std::string> parse(std::string_view text) {
  const std::string folded = text::fold(text);
  for (const ServiceType& type : kTypes) {
    if (folded == text::fold(type.code) || (!type.former_code.empty() && folded == text::fold(type.former_code)) ||
        folded == text::fold(type.en) || folded == text::fold(type.ar)) {
      if (type.retired) {
        return invalid_argument(Message("service.retired", {{"code", std::string(type.code)}, {"codes", offered_list()}}));
      }
      return std::string(type.code);
    }
  }
  return invalid_argument(Message("service.unknown", {{"code", std::string(text)}, {"codes", offered_list()}}));
}

LocalizedText label(std::string_view code) {
  if (const ServiceType* type = find(code)) return {std::string(type->en), std::string(type->ar)};
  return {std::string(code), {}};
}

LocalizedText offered_list() {
  std::vector<LocalizedText> items;
  for (const ServiceType& type : kTypes) {
    if (!type.retired) items.push_back({std::string(type.code), std::string(type.code) + " (" + std::string(type.ar) + ")"});
  }
  return join_list(items);
}

}  // namespace amana::services
