// Messages of the field device: the interview, drafts, the passphrase and the store's
// unlock.
#pragma once

#include "common/message.h"

namespace amana::catalogue {

inline constexpr CatalogueEntry kDevice[] = {
    // field-client/interview.h
    {"interview.required", "An answer is required.", "هذا السؤال يتطلب إجابة."},
    {"interview.choose_one", "(type the number, name or label of one choice)", "(اكتب رقم خيار واحد أو اسمه أو عنوانه)"},
    {"interview.choose_several", "(type the numbers or labels of all that apply, separated by commas)",
     "(اكتب أرقام أو عناوين كل ما ينطبق، تفصل بينها فواصل)"},
    {"interview.yes_no", "(yes / no)", "(نعم / لا)"},
    {"interview.date", "(date: 2026-11-20, or day first 20/11/2026)", "(تاريخ: 2026-11-20، أو اليوم أولًا 20/11/2026)"},
    {"interview.datetime", "(date and time, YYYY-MM-DDTHH:MM with Z or +HH:MM)",
     "(تاريخ ووقت، YYYY-MM-DDTHH:MM مع Z أو +HH:MM)"},
    {"interview.geopoint", "(latitude longitude, e.g. 12.05 24.88)", "(خط العرض خط الطول، مثال: 12.05 24.88)"},
    {"interview.whole_number", "(a whole number)", "(عدد صحيح)"},
    {"interview.number", "(a number)", "(رقم)"},
    {"interview.digits", "(digits)", "(أرقام)"},
    {"interview.default_is", "Press Enter for: {value}", "اضغط Enter لاختيار: {value}"},
    {"interview.optional", "(optional: press Enter to skip)", "(اختياري: اضغط Enter للتخطي)"},
    {"interview.pick_suggestion", "(type the number of one of these, or its id)", "(اكتب رقم أحد هؤلاء أو معرّفه)"},
    {"interview.resumed", "Resuming a draft: {count} answers kept; the questions left follow.",
     "استئناف مسودة: حُفظت {count} إجابات؛ تليها الأسئلة المتبقية."},
    {"interview.ended", "input ended before the form was complete", "انتهى الإدخال قبل اكتمال الاستمارة"},
    // field-client/drafts.h
    {"drafts.kept", "Your answers are kept in draft {draft}: resume with `{command}`",
     "إجاباتك محفوظة في المسودة {draft}: استأنفها بالأمر `{command}`"},
    {"drafts.nothing_kept", "nothing was answered, so nothing was kept", "لم تُدخل أي إجابة، فلم يُحفظ شيء"},
    {"drafts.interrupted", "interrupted", "توقفت"},
    {"drafts.refused", "refused", "رُفضت"},
    {"drafts.none", "No drafts on this device.", "لا توجد مسودات على هذا الجهاز."},
    {"drafts.header", "DRAFT     SAVED             ANSWERS  FORM", "المسودة   حُفظت             الإجابات  الاستمارة"},
    {"drafts.case_of", "case {case}", "الحالة {case}"},
    {"drafts.resume_with", "  resume: {command}", "  للاستئناف: {command}"},
    {"drafts.discarded", "Discarded draft {draft}.", "حُذفت المسودة {draft}."},
    {"drafts.not_found", "no draft '{draft}' on this device (see `field-client drafts`)",
     "لا توجد مسودة '{draft}' على هذا الجهاز (انظر `field-client drafts`)"},
    {"drafts.other_command",
     "draft {draft} is for `{command}`, not this command", "المسودة {draft} تخص الأمر `{command}`، لا هذا الأمر"},
    {"drafts.form_gone", "draft {draft} is of form '{form}', which is not on this device",
     "المسودة {draft} من الاستمارة '{form}' غير الموجودة على هذا الجهاز"},
    {"drafts.corrupt", "a draft in the store does not decode", "مسودة في المخزن تعذّرت قراءتها"},
    // common/passphrase.h
    {"passphrase.prompt", "Passphrase: ", "عبارة المرور: "},
    {"passphrase.new", "New passphrase: ", "عبارة المرور الجديدة: "},
    {"passphrase.repeat", "Repeat the passphrase: ", "أعد كتابة عبارة المرور: "},
    {"passphrase.no_terminal", "no passphrase: set {variable} or run this command in a terminal to be asked for it",
     "لا توجد عبارة مرور: اضبط {variable} أو شغّل هذا الأمر في طرفية ليُطلب منك إدخالها"},
    {"passphrase.too_long", "the passphrase is longer than 1024 characters", "عبارة المرور أطول من 1024 حرفًا"},
    {"passphrase.differ", "the two passphrases differ; nothing was created", "عبارتا المرور مختلفتان؛ لم يُنشأ شيء"},
    {"passphrase.too_short",
     "the passphrase must be at least {minimum} characters; a lost device is only as safe as its passphrase",
     "يجب ألا تقل عبارة المرور عن {minimum} أحرف؛ فالجهاز المفقود لا يكون آمنًا إلا بقدر عبارة مروره"},
    // field-client/store.h: unlocking and finding records
    {"store.none", "no store in {home}; create one with `field-client init`",
     "لا يوجد مخزن في {home}؛ أنشئ واحدًا بالأمر `field-client init`"},
    {"store.wrong_passphrase",
     "wrong passphrase (failed attempt {failures} of {limit}; at {limit} the store destroys its data key). Nothing "
     "was changed",
     "عبارة المرور خاطئة (المحاولة الفاشلة {failures} من {limit}؛ عند {limit} يُتلف المخزن مفتاح بياناته). لم "
     "يتغير شيء"},
    {"store.destroyed_now",
     "wrong passphrase, {failures} times in a row: the store's data key has been destroyed and its records cannot "
     "be recovered",
     "عبارة مرور خاطئة {failures} مرات متتالية: أُتلف مفتاح بيانات المخزن ولا يمكن استعادة سجلاته"},
    {"store.destroyed",
     "this store's data key was destroyed (too many failed unlocks); its records cannot be recovered. Remove it "
     "with `field-client wipe --yes` and create a new one with `field-client init`",
     "أُتلف مفتاح بيانات هذا المخزن (محاولات فتح فاشلة كثيرة)؛ لا يمكن استعادة سجلاته. احذفه بالأمر "
     "`field-client wipe --yes` وأنشئ مخزنًا جديدًا بالأمر `field-client init`"},
    {"store.exists", "a store already exists in {home}; use it, or destroy it first with `field-client wipe --yes`",
     "يوجد مخزن بالفعل في {home}؛ استخدمه، أو أتلفه أولًا بالأمر `field-client wipe --yes`"},
    {"store.no_record", "no record {id} on this device (see `field-client records`)",
     "لا يوجد السجل {id} على هذا الجهاز (انظر `field-client records`)"},
    {"store.no_store_to_wipe", "no store in {home} to wipe", "لا يوجد مخزن في {home} لإتلافه"},
    // field-client/store.h: a store changed outside Amana (store_integrity.cc)
    {"store.tampered_settings",
     "this store was changed outside Amana: its settings (the server's address and keys, the offline lease, the "
     "sync counters, the unlock limit) do not match their seal. It will not open or sync: tell your office, which "
     "can revoke this device and enroll a new one",
     "تم تغيير هذا المخزن خارج أمانة: إعداداته (عنوان الخادم ومفاتيحه، ومهلة العمل دون اتصال، وعدّادات المزامنة، "
     "وحد محاولات الفتح) لا تطابق ختمها. لن يُفتح ولن يُزامَن: أبلغ مكتبك، فهو يستطيع إلغاء هذا الجهاز وتسجيل جهاز "
     "جديد"},
    {"store.tampered_records",
     "this store was changed outside Amana: its records are not the ones it last wrote (a record removed, or an "
     "older copy put back). It will not open or sync: tell your office, which can revoke this device and enroll a "
     "new one",
     "تم تغيير هذا المخزن خارج أمانة: سجلاته ليست التي كتبها آخر مرة (حُذف سجل، أو أُعيدت نسخة أقدم). لن يُفتح ولن "
     "يُزامَن: أبلغ مكتبك، فهو يستطيع إلغاء هذا الجهاز وتسجيل جهاز جديد"},
    {"store.tampered_record",
     "this store was changed outside Amana: record {id} does not open as it was last written (an older copy put "
     "back, or values moved from another record). Tell your office",
     "تم تغيير هذا المخزن خارج أمانة: السجل {id} لا يُفتح كما كُتب آخر مرة (أُعيدت نسخة أقدم، أو نُقلت إليه قيم "
     "سجل آخر). أبلغ مكتبك"},
    {"store.tampered_outbox",
     "this store was changed outside Amana: the changes waiting to be sent are not the ones it wrote (at operation "
     "{sequence}: removed, reordered or changed). It will not sync: tell your office",
     "تم تغيير هذا المخزن خارج أمانة: التغييرات التي تنتظر الإرسال ليست التي كتبها (عند العملية {sequence}: حُذفت "
     "أو أُعيد ترتيبها أو غُيّرت). لن يُزامَن: أبلغ مكتبك"},
    {"store.tampered_changesets",
     "this store was changed outside Amana: changeset {number}, packed and waiting to be sent, is missing. It will "
     "not sync: tell your office",
     "تم تغيير هذا المخزن خارج أمانة: مجموعة التغييرات {number}، المجهّزة والمنتظرة للإرسال، مفقودة. لن يُزامَن: "
     "أبلغ مكتبك"},
    {"store.tampered_providers",
     "this store was changed outside Amana: its directory of service providers is not the one last synced. It will "
     "not open or sync: tell your office",
     "تم تغيير هذا المخزن خارج أمانة: دليل مقدمي الخدمات فيه ليس الذي زُومن آخر مرة. لن يُفتح ولن يُزامَن: أبلغ "
     "مكتبك"},
};

}  // namespace amana::catalogue
