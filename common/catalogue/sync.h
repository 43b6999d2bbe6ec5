// Messages of joining the organisation and of what the office sends a device
// (common/enrollment_code.h, field-client/sync_client.h).
#pragma once

#include "common/message.h"

namespace amana::catalogue {

inline constexpr CatalogueEntry kSync[] = {
    {"enroll.code_character", "'{character}' cannot be part of an enrollment code: check what you typed",
     "لا يمكن أن يكون '{character}' جزءًا من رمز التسجيل: تحقّق مما كتبته"},
    {"enroll.code_length",
     "an enrollment code has {expected} characters (not counting dashes); this one has {count}: check the code",
     "يتكوّن رمز التسجيل من {expected} حرفًا (دون الشرطات)؛ وهذا الرمز فيه {count}: تحقّق من الرمز"},
    {"enroll.code_mistyped",
     "mistyped: check the code (a character of it is wrong; compare it with the slip or scan the QR code)",
     "خطأ في الكتابة: تحقّق من الرمز (أحد أحرفه غير صحيح؛ قارنه بالورقة أو امسح رمز QR)"},
    {"enroll.wrong_server",
     "the server at {server} is not the one that issued this code (its keys do not match the code's "
     "fingerprint): check the address, and tell the office",
     "الخادم على العنوان {server} ليس الخادم الذي أصدر هذا الرمز (مفاتيحه لا تطابق بصمة الرمز): تحقّق من "
     "العنوان، وأبلغ المكتب"},
    {"update.stale",
     "{source} is an older message from the office than one this device already accepted (number {number}, "
     "this device is at {accepted}): it changes nothing. Sync, or ask the office for a new bundle",
     "{source} رسالة من المكتب أقدم من رسالة قبلها هذا الجهاز (رقمها {number}، والجهاز عند {accepted}): لا "
     "تغيّر شيئًا. زامِن، أو اطلب من المكتب حزمة جديدة"},
    {"update.unnumbered",
     "{source} carries no signed number: it comes from a server older than this device (protocol version 3 "
     "or before) and changes nothing. Ask the office to update the sync server",
     "{source} لا تحمل رقمًا موقّعًا: إنها من خادم أقدم من هذا الجهاز (الإصدار 3 من البروتوكول أو أقدم) ولا "
     "تغيّر شيئًا. اطلب من المكتب تحديث خادم المزامنة"},
    // Published forms: distributed to devices, and kept safe to republish (issue 15).
    {"form.archived_form",
     "the form '{form}' is archived: the office no longer offers it for new records (the records made with it "
     "still show and can be edited); see `field-client forms`",
     "الاستمارة '{form}' مؤرشفة: لم يعد المكتب يقدّمها لسجلات جديدة (السجلات التي جُمعت بها ما زالت تُعرض "
     "ويمكن تعديلها)؛ انظر `field-client forms`"},
    {"forms.received", "Received {versions} from the office: `field-client forms` lists the forms offered",
     "وصلت من المكتب إصدارات جديدة من الاستمارات: {versions}؛ `field-client forms` يعرض الاستمارات المتاحة"},
    {"forms.bad_signature",
     "the office's form '{form}' version {version} is not signed by the organisation this device enrolled with "
     "(or was changed on its way): it was not kept, nor anything else of that reply. Tell the office",
     "الاستمارة '{form}' الإصدار {version} الواردة من المكتب غير موقّعة من المنظمة التي سُجّل بها هذا الجهاز "
     "(أو غُيّرت في الطريق): لم تُحفظ، ولا أي شيء آخر من ذلك الرد. أبلغ المكتب"},
    {"forms.bad_digest",
     "the office's form '{form}' version {version} does not match its digest (it was changed after it was "
     "signed): it was not kept, nor anything else of that reply. Tell the office",
     "الاستمارة '{form}' الإصدار {version} الواردة من المكتب لا تطابق بصمتها (غُيّرت بعد توقيعها): لم تُحفظ، "
     "ولا أي شيء آخر من ذلك الرد. أبلغ المكتب"},
    {"forms.too_large",
     "the form '{form}' version {version} is {size} bytes, more than the {limit} a form may have: split it into "
     "smaller forms or shorten its texts",
     "الاستمارة '{form}' الإصدار {version} حجمها {size} بايت، أكثر من الحد {limit} لاستمارة واحدة: قسّمها إلى "
     "استمارات أصغر أو اختصر نصوصها"},
    {"forms.declared_field_dropped",
     "form '{form}': this version drops the question '{field}' ({type}), which {use} relies on: keep it, with "
     "the same name and type (it may become optional or be asked later in the form)",
     "الاستمارة '{form}': هذا الإصدار يحذف السؤال '{field}' ({type})، الذي تعتمد عليه {use}: أبقِه بالاسم "
     "والنوع نفسيهما (يمكن أن يصبح اختياريًا أو أن يُطرح لاحقًا في الاستمارة)"},
    {"forms.declared_field_retyped",
     "form '{form}': this version makes the question '{field}' {given}, but {use} reads it as {type}: keep it "
     "{type}, or add a question with a new name",
     "الاستمارة '{form}': هذا الإصدار يجعل السؤال '{field}' من النوع {given}، لكن {use} تقرؤه من النوع "
     "{type}: أبقِه {type}، أو أضف سؤالًا باسم جديد"},
    {"forms.use_case_values", "the case's values (person, consents, risk)", "قيم الحالة (الشخص والموافقات والخطر)"},
    {"forms.use_step_date", "the case cycle's order of steps", "ترتيب خطوات دورة الحالة"},
    {"forms.use_referral_tracking", "the follow-up of referrals", "متابعة الإحالات"},
    {"forms.use_follow_up_tracking", "the schedule of follow-ups", "جدول المتابعات"},
    {"forms.use_report", "the monthly report and datasets", "التقرير الشهري ومجموعات البيانات"},
    // A newer built-in version reaching a store made by an older binary (`forms update-builtin`, serve).
    {"forms.builtin_published",
     "{form}: published the built-in version {version} (the store's newest was the built-in version {had})",
     "{form}: نُشر الإصدار المدمج {version} (كان أحدث ما في المخزن الإصدار المدمج {had})"},
    {"forms.builtin_first",
     "{form}: published the built-in version {version} (the store had no version of it)",
     "{form}: نُشر الإصدار المدمج {version} (لم يكن في المخزن أي إصدار منها)"},
    {"forms.builtin_current", "{form}: the store has the built-in version {version} already: nothing to publish",
     "{form}: في المخزن الإصدار المدمج {version} من قبل: لا شيء يُنشر"},
    {"forms.builtin_own_version",
     "your organisation published version {version} of {form} itself; the built-in version {builtin} was not "
     "published (publish your own next version to take up what it adds)",
     "نشرت مؤسستك الإصدار {version} من {form} بنفسها؛ لم يُنشر الإصدار المدمج {builtin} (انشر إصدارك التالي "
     "لتأخذ ما يضيفه)"},
    {"forms.builtin_archived",
     "{form} is archived by your organisation; the built-in version {builtin} was not published (it would offer "
     "the form again)",
     "{form} مؤرشفة من قِبل مؤسستك؛ لم يُنشر الإصدار المدمج {builtin} (لأنه سيعيد عرض الاستمارة)"},
};

}  // namespace amana::catalogue
