// Messages about ids typed back by a person, on the device and at the office
// (common/id_parts.h).
#pragma once

#include "common/message.h"

namespace amana::catalogue {

inline constexpr CatalogueEntry kIds[] = {
    {"ids.not_a_part", "'{id}' is not an id: give a {what} id, or at least {minimum} of its characters from its start or end",
     "'{id}' ليس معرّفًا: اكتب معرّف {what}، أو {minimum} أحرف على الأقل من أوله أو آخره"},
    {"ids.no_match", "no {what} id starts or ends with '{id}' (see `{listing}`)",
     "لا يوجد معرّف {what} يبدأ أو ينتهي بـ '{id}' (انظر `{listing}`)"},
    {"ids.ambiguous",
     "'{id}' matches more than one {what} ({count}):{list}\ngive more of the id, such as the part in brackets",
     "'{id}' يطابق أكثر من {what} ({count}):{list}\nاكتب جزءًا أطول من المعرّف، كالجزء بين القوسين"},
    {"ids.more", "and {count} more", "و{count} غيرها"},
    {"ids.noun.record", "record", "سجل"},
    {"ids.noun.case", "case", "حالة"},
    {"ids.noun.device", "device", "جهاز"},
    {"ids.noun.case_record", "record of the case", "سجل من سجلات الحالة"},
    {"ids.noun.draft", "draft", "مسودة"},
};

}  // namespace amana::catalogue
