// Messages of the field client's local web screens (field-client/ui_app.h, ui_api.h):
// refusals of the local web server and what the screens' actions answer.
#pragma once

#include "common/message.h"

namespace amana::catalogue {

inline constexpr CatalogueEntry kUi[] = {
    {"ui.listening",
     "The field client's screens are open at this address, on this computer only (keep this window open; Ctrl-C "
     "stops):\n  {url}",
     "شاشات العميل الميداني مفتوحة على هذا العنوان، على هذا الحاسوب فقط (أبقِ هذه النافذة مفتوحة؛ Ctrl-C "
     "يوقفها):\n  {url}"},
    {"ui.wrong_host",
     "refused: this request was not addressed to the field client on this computer (Host {host}); open the address "
     "printed by `field-client ui`",
     "رُفض: هذا الطلب غير موجّه إلى العميل الميداني على هذا الحاسوب (Host {host})؛ افتح العنوان الذي يطبعه "
     "`field-client ui`"},
    {"ui.wrong_origin",
     "refused: this request came from another site ({origin}); only the field client's own page may use it",
     "رُفض: هذا الطلب جاء من موقع آخر ({origin})؛ لا يستعمله إلا صفحة العميل الميداني نفسها"},
    {"ui.no_session",
     "this browser has not been let in: open the address `field-client ui` printed (it carries a one-time key)",
     "لم يُسمح لهذا المتصفح بالدخول: افتح العنوان الذي طبعه `field-client ui` (فيه مفتاح لمرة واحدة)"},
    {"ui.key_spent",
     "this one-time address was already used: start `field-client ui` again for a new one",
     "استُعمل هذا العنوان ذو المرة الواحدة من قبل: شغّل `field-client ui` من جديد للحصول على عنوان جديد"},
    {"ui.missing_csrf", "refused: the request did not carry this page's token; reload the page and try again",
     "رُفض: لم يحمل الطلب رمز هذه الصفحة؛ أعد تحميل الصفحة وحاول مرة أخرى"},
    {"ui.locked", "the store is locked: unlock it with your passphrase", "المخزن مقفل: افتحه بعبارة المرور"},
    {"ui.no_such_page", "there is no such page or action here", "لا توجد صفحة أو إجراء بهذا الاسم هنا"},
    {"ui.bad_request", "the request could not be read: {detail}", "تعذّرت قراءة الطلب: {detail}"},
    {"ui.wipe_confirm", "type {word} to confirm: the store cannot be recovered afterwards",
     "اكتب {word} للتأكيد: لا يمكن استعادة المخزن بعد ذلك"},
    {"ui.sync_running", "a sync is already running: wait for it to finish", "المزامنة جارية: انتظر حتى تنتهي"},
    {"ui.not_a_step", "'{step}' is not a step a device records", "'{step}' ليست خطوة يسجلها الجهاز"},
    {"ui.draft_other_form", "draft {draft} is for another form", "المسودة {draft} لاستمارة أخرى"},
    {"ui.no_store", "there is no store in {home}: create one with `field-client init`",
     "لا يوجد مخزن في {home}: أنشئ واحدًا بالأمر `field-client init`"},
    {"ui.open_failed", "could not open a browser: open the address above yourself",
     "تعذّر فتح المتصفح: افتح العنوان أعلاه بنفسك"},
    {"ui.bundle_file", "give the bundle file's path (on the USB stick)", "أدخل مسار ملف الحزمة (على ذاكرة USB)"},
    {"ui.yes", "yes", "نعم"},
    {"ui.no", "no", "لا"},
    {"ui.form_has_errors", "some answers are missing or refused: see the questions marked",
     "بعض الإجابات ناقصة أو مرفوضة: انظر الأسئلة المعلَّمة"},
    {"ui.bad_age", "the age must be a whole number of years", "يجب أن يكون العمر عددًا صحيحًا من السنين"},
    {"ui.instance", "{repeat} #{position}", "{repeat} رقم {position}"},
    // An entry no longer in the record (its history): it has no number any more.
    {"ui.removed_instance", "{repeat} (an entry removed)", "{repeat} (إدخال محذوف)"},
    {"ui.choice_cleared",
     "the answer given here was cleared: it is not among the choices for the answers before it; choose again",
     "مُسحت الإجابة المعطاة هنا: لم تعد من الخيارات المتاحة للإجابات السابقة؛ اختر من جديد"},
    {"ui.repeat_full", "{repeat} has {count} entries, as many as the form asks for: no more can be added",
     "في {repeat} {count} من الإدخالات، بقدر ما تطلبه الاستمارة: لا يمكن إضافة المزيد"},
    {"ui.repeat_at_count", "{repeat} must have {count} entries: change the answer it is counted from to remove one",
     "يجب أن يكون في {repeat} {count} من الإدخالات: غيّر الإجابة التي يُحسب منها العدد لحذف أحدها"},
    // An error inside a repeat's entry, as a person reads it (no field names): the entry,
    // the question's label, what is wrong. The page isolates entry and question for bidi.
    {"ui.in_entry", "{entry} · {question} — {problem}", "{entry} · {question} — {problem}"},
    {"ui.answer_required", "an answer is required", "الإجابة مطلوبة"},
    {"ui.repeat_over_count",
     "{repeat}: the form now asks for {count}, and there are {given}. Choose which to remove (Remove asks first), or "
     "change the answer the number is counted from",
     "{repeat}: تطلب الاستمارة الآن {count}، وفيها {given}. اختر ما تحذفه (يسألك زر «احذف» أولًا)، أو غيّر "
     "الإجابة التي يُحسب منها العدد"},
    {"ui.repeat_under_count", "{repeat}: the form asks for {count}, and there are {given}: add the missing ones",
     "{repeat}: تطلب الاستمارة {count}، وفيها {given}: أضف الناقص منها"},
    {"ui.entries_removed",
     "{repeat}: the form now asks for {count}, so these entries, which had no answers, were removed: {entries}",
     "{repeat}: تطلب الاستمارة الآن {count}، فحُذفت هذه الإدخالات إذ لم تكن فيها إجابات: {entries}"},
    {"ui.no_such_instance", "there is no entry '{instance}' in this form any more: reload the page",
     "لم يعد في هذه الاستمارة إدخال '{instance}': أعد تحميل الصفحة"},
    {"ui.not_a_repeat", "'{repeat}' is not a list of entries (a repeat) in this form",
     "'{repeat}' ليست قائمة إدخالات (تكرارًا) في هذه الاستمارة"},
    {"ui.wiped", "The store was wiped: nothing of it can be recovered.", "مُسح المخزن: لا يمكن استعادة شيء منه."},
};

}  // namespace amana::catalogue
