// Messages of protection case work: the case lifecycle, the steps on a device, referrals,
// the weekly review and the service types.
#pragma once

#include "common/message.h"

namespace amana::catalogue {

inline constexpr CatalogueEntry kCases[] = {
    // common/case_lifecycle.h: statuses as a person reads them (English keeps the codes,
    // which officers and exports use).
    {"case.status.identified", "identified", "محدَّدة"},
    {"case.status.registered", "registered", "مسجَّلة"},
    {"case.status.assessed", "assessed", "مقيَّمة"},
    {"case.status.planned", "planned", "لها خطة"},
    {"case.status.in_progress", "in_progress", "قيد التنفيذ"},
    {"case.status.closure_requested", "closure_requested", "طُلب إغلاقها"},
    {"case.status.closed", "closed", "مغلقة"},
    {"case.status.transferred", "transferred", "محوَّلة"},
    // the steps, as a list of what may come next
    {"case.event.register", "register", "التسجيل"},
    {"case.event.assess", "assess", "التقييم"},
    {"case.event.plan", "plan", "خطة الحالة"},
    {"case.event.refer", "refer", "الإحالة"},
    {"case.event.follow_up", "follow-up", "المتابعة"},
    {"case.event.request_closure", "request closure", "طلب الإغلاق"},
    {"case.event.approve_closure", "approve closure", "الموافقة على الإغلاق"},
    {"case.event.reject_closure", "reject closure", "رفض الإغلاق"},
    {"case.event.transfer", "transfer", "التحويل"},
    {"case.event.reassign", "reassign", "إعادة الإسناد"},
    {"case.event.reopen", "reopen", "إعادة الفتح"},
    {"case.event.close", "close", "الإغلاق"},
    // the same steps as the verb of "cannot ... a case"
    {"case.verb.register", "register", "تسجيل"},
    {"case.verb.assess", "assess", "تقييم"},
    {"case.verb.plan", "plan", "وضع خطة"},
    {"case.verb.refer", "refer", "إحالة"},
    {"case.verb.follow_up", "follow up", "متابعة"},
    {"case.verb.request_closure", "request closure of", "طلب إغلاق"},
    {"case.verb.approve_closure", "approve closure of", "الموافقة على إغلاق"},
    {"case.verb.reject_closure", "reject closure of", "رفض إغلاق"},
    {"case.verb.transfer", "transfer", "تحويل"},
    {"case.verb.reassign", "reassign", "إعادة إسناد"},
    {"case.verb.reopen", "reopen", "إعادة فتح"},
    {"case.refused_step", "cannot {verb} a case that is '{status}'{advice}. From '{status}' the next steps are: {steps}",
     "لا يمكن {verb} حالة وضعها '{status}'{advice}. الخطوات الممكنة بعد '{status}': {steps}"},
    {"case.no_steps", "none", "لا شيء"},
    {"case.advice.register_first", ": register the case, with consent, first", ": سجّل الحالة، بموافقة صاحبها، أولًا"},
    {"case.advice.assess_first", ": assess the case first", ": قيّم الحالة أولًا"},
    {"case.advice.plan_first", ": make a case plan first", ": ضع خطة للحالة أولًا"},
    {"case.advice.awaiting_officer", ": closure is awaiting an officer's decision", ": الإغلاق بانتظار قرار المسؤول"},
    {"case.advice.reopen_first", ": reopen the case first", ": أعد فتح الحالة أولًا"},
    {"case.advice.no_closure_requested", ": no closure has been requested", ": لم يُطلب الإغلاق"},
    {"case.unknown_status", "unknown case status '{status}'", "وضع الحالة '{status}' غير معروف"},
    // referral tracking
    {"referral.status.pending", "pending", "قيد الانتظار"},
    {"referral.status.accepted", "accepted", "مقبولة"},
    {"referral.status.service_provided", "service_provided", "قُدّمت الخدمة"},
    {"referral.status.declined", "declined", "مرفوضة"},
    {"referral.status.no_response", "no_response", "لا رد"},
    {"referral.unknown_status", "unknown referral status '{status}'; use accepted, service_provided, declined or no_response",
     "وضع الإحالة '{status}' غير معروف؛ استخدم accepted أو service_provided أو declined أو no_response"},
    {"referral.refused_update", "a referral that is '{from}' cannot become '{to}'; it can become: {allowed}",
     "لا يمكن أن تصبح الإحالة '{from}' إحالة '{to}'؛ يمكن أن تصبح: {allowed}"},
    {"referral.final", "a referral that is '{from}' cannot become '{to}': its outcome is final",
     "لا يمكن أن تصبح الإحالة '{from}' إحالة '{to}': نتيجتها نهائية"},
    // consent and the directory, checked at the question that needs them
    {"referral.no_consent",
     "the client has not consented to referral: record their consent at registration (or update it) before referring",
     "لم يوافق العميل على الإحالة: سجّل موافقته عند التسجيل (أو حدّثها) قبل الإحالة"},
    {"referral.no_sharing_consent",
     "the client has not consented to sharing their information outside the organisation: refer without identifying "
     "data, or record that consent first",
     "لم يوافق العميل على مشاركة معلوماته خارج المنظمة: أحِل دون بيانات تعريفية، أو سجّل تلك الموافقة أولًا"},
    {"referral.unknown_provider",
     "provider '{provider}' is not in this device's service directory (see `field-client providers`; it arrives with "
     "`field-client sync`)",
     "مقدّم الخدمة '{provider}' غير موجود في دليل الخدمات على هذا الجهاز (انظر `field-client providers`؛ يصل الدليل "
     "مع `field-client sync`)"},
    {"referral.provider_inactive", "provider '{provider}' is no longer offered in the service directory",
     "مقدّم الخدمة '{provider}' لم يعد متاحًا في دليل الخدمات"},
    {"referral.provider_lacks_service",
     "provider '{provider}' does not offer {service}; the providers here that do: {providers}",
     "مقدّم الخدمة '{provider}' لا يقدّم {service}؛ مقدّمو هذه الخدمة هنا: {providers}"},
    {"referral.nobody_offers", "none in this device's directory", "لا أحد في دليل هذا الجهاز"},
    // field-client/cases.h
    {"case.not_a_case", "record {id} is not a case", "السجل {id} ليس حالة"},
    {"case.not_an_identification", "record {id} is a {form}, not an outreach identification",
     "السجل {id} من نوع {form}، وليس تحديدًا للتواصل المجتمعي"},
    {"case.needs_name", "a case needs the person's name: open it --from an identification, or give --name",
     "تحتاج الحالة إلى اسم الشخص: افتحها بـ --from من سجل تحديد، أو أعطِ --name"},
    {"case.maybe_known",
     "this person may already be known on this device:{list}\nCheck with the person; if they are someone else, open "
     "the case with --not-a-duplicate",
     "قد يكون هذا الشخص معروفًا على هذا الجهاز من قبل:{list}\nتحقّق مع الشخص؛ وإن كان شخصًا آخر فافتح الحالة "
     "بـ --not-a-duplicate"},
    {"case.already_opened_from",
     "identification {identification} is already case {case}: record its steps there (`field-client case show "
     "{short}`); one identification opens one case",
     "التحديد {identification} فُتحت منه الحالة {case} من قبل: سجّل خطواتها هناك (`field-client case show "
     "{short}`)؛ التحديد الواحد يفتح حالة واحدة"},
    {"case.identification_without_consent",
     "identification {id} was recorded without the person's consent, so it holds no name. Ask for their consent; if "
     "they give it, open the case from it with their name: `field-client case open --from {id} --name NAME`",
     "سُجّل التحديد {id} دون موافقة الشخص، فلا يحمل اسمًا. اطلب موافقته؛ فإن وافق فافتح الحالة منه باسمه: "
     "`field-client case open --from {id} --name الاسم`"},
    {"case.kind.case", "case", "حالة"},
    {"case.kind.identification", "identification", "تحديد"},
    {"case.office_step", "'{step}' is decided at the office (sync-server), not recorded on a device",
     "'{step}' يُقرَّر في المكتب (sync-server)، ولا يُسجَّل على جهاز"},
    {"case.not_a_referral", "record {id} is a {form}, not a referral", "السجل {id} من نوع {form}، وليس إحالة"},
    {"case.not_a_case_referral", "record {id} is not a referral of a case", "السجل {id} ليس إحالة لحالة"},
    // common/case_review.h
    {"review.overdue", "follow-up overdue since {date}", "المتابعة متأخرة منذ {date}"},
    {"review.risk_without_plan", "risk is {risk} and there is no case plan", "درجة الخطر {risk} ولا توجد خطة للحالة"},
    {"review.referral_waiting", "referral {referral} without response for {days} days (expected within {expected})",
     "الإحالة {referral} بلا رد منذ {days} يومًا (المتوقع خلال {expected})"},
    {"review.open_long", "open for {days} days", "مفتوحة منذ {days} يومًا"},
    {"review.unknown_status", "status '{status}' is not a known status: the office corrects it (sync-server cases resolve)",
     "الحالة '{status}' ليست حالة معروفة: يصحّحها المكتب (sync-server cases resolve)"},
    {"review.closure_requested", "closure requested: awaiting an officer's approval",
     "طُلب إغلاق الحالة: بانتظار موافقة المسؤول"},
    {"review.closure_requested_because", "closure requested ({reason}): awaiting an officer's approval",
     "طُلب إغلاق الحالة ({reason}): بانتظار موافقة المسؤول"},
    {"review.unheld", "no case worker can hold it: {why}", "لا يستطيع أي مسؤول حالة أن يتولاها: {why}"},
    {"review.conflicts", "{count} conflicting edits await an officer", "{count} تعديلات متعارضة بانتظار المسؤول"},
    // common/service_types.h
    {"service.unknown", "unknown service type '{code}' (known: {codes})",
     "نوع الخدمة '{code}' غير معروف (الأنواع المعروفة: {codes})"},
    {"service.retired", "'{code}' is no longer a service type: use one of {codes}",
     "'{code}' لم يعد نوعًا من أنواع الخدمات: استخدم أحد الأنواع {codes}"},
};

}  // namespace amana::catalogue
