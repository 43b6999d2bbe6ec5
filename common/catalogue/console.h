// Messages of the office console (sync-server/staff_accounts.h, sync-server/console.h):
// what a member of staff reads when signing in, setting a password or acting in the console.
#pragma once

#include "common/message.h"

namespace amana::catalogue {

inline constexpr CatalogueEntry kConsole[] = {
    {"console.sign_in_refused", "wrong user name or password: try again, or ask an administrator for an invitation",
     "اسم المستخدم أو كلمة المرور غير صحيحة: حاول مرة أخرى، أو اطلب دعوة من المسؤول"},
    {"console.account_locked",
     "this account is locked after {count} wrong passwords: an administrator can unlock it in Users",
     "هذا الحساب مقفل بعد {count} محاولات بكلمة مرور خاطئة: يستطيع المسؤول فتحه من صفحة المستخدمين"},
    {"console.address_limited", "too many failed sign-ins from this address: wait {minutes} minutes and try again",
     "محاولات دخول فاشلة كثيرة من هذا العنوان: انتظر {minutes} دقيقة ثم حاول مرة أخرى"},
    {"console.invitation_refused",
     "invitation code refused: unknown, expired or already used; ask an administrator for a new one",
     "رمز الدعوة مرفوض: غير معروف أو منتهي الصلاحية أو مستخدم من قبل؛ اطلب رمزًا جديدًا من المسؤول"},
    {"console.password_length", "the password must be {minimum} to {maximum} characters long",
     "يجب أن تكون كلمة المرور من {minimum} إلى {maximum} حرفًا"},
    {"console.session_ended", "you are signed out (signed out, idle too long, or the session is too old): sign in again",
     "لقد خرجت من الجلسة (تسجيل خروج، أو خمول طويل، أو جلسة قديمة): سجّل الدخول مرة أخرى"},
    {"console.csrf_refused", "this request did not come from the console page: reload the page and try again",
     "هذا الطلب لم يأتِ من صفحة لوحة المكتب: أعد تحميل الصفحة وحاول مرة أخرى"},
    {"console.role_refused", "your role ({role}) may not {what}",
     "دورك ({role}) لا يسمح بـ {what}"},
    {"console.user_inactive", "user '{user}' is deactivated: they can no longer sign in or be invited",
     "المستخدم '{user}' معطّل: لم يعد بإمكانه الدخول أو تلقي دعوة"},
    {"console.file_too_large", "the file is larger than {mebibytes} MiB: split it or make it smaller, then try again",
     "الملف أكبر من {mebibytes} ميغابايت: قسّمه أو صغّره ثم حاول مرة أخرى"},
    {"console.identified_refused",
     "your role ({role}) may download de-identified datasets only: ask an officer or an administrator for identified data",
     "دورك ({role}) يسمح بتنزيل البيانات غير المعرِّفة فقط: اطلب البيانات المعرِّفة من موظف حماية أو من المسؤول"},
    {"console.table_dropped",
     "the table {table} is left out of a de-identified dataset (its form declares it dropped): an officer or an "
     "administrator may download it identified",
     "الجدول {table} لا يدخل في مجموعة البيانات غير المعرِّفة (تعلن استمارته حذفه): يمكن لموظف حماية أو للمسؤول "
     "تنزيله معرِّفًا"},
    {"console.second_factor_first",
     "your organisation asks officers and administrators for a second factor: set it up on your account page first",
     "تطلب مؤسستك من موظفي الحماية والمسؤولين عاملًا ثانيًا للدخول: أعدّه أولًا من صفحة حسابك"},
};

}  // namespace amana::catalogue
