// Messages of the field client's command line (field-client/main.cc) and of what it shows
// of records (field-client/render.h).
#pragma once

#include "common/message.h"

namespace amana::catalogue {

inline constexpr CatalogueEntry kCli[] = {
    {"cli.error", "error: {message}", "خطأ: {message}"},
    {"cli.text", "{text}", "{text}"},  // an error that was made from English text only
    {"cli.usage", "{detail} (see `field-client --help`)", "{detail} (انظر `field-client --help`)"},
    {"cli.created_store", "Created the store in {home} for {user}\nDevice {device}",
     "أُنشئ المخزن في {home} للمستخدم {user}\nالجهاز {device}"},
    {"cli.collect_what", "name the form to collect (see `field-client forms`), or --resume a draft",
     "اذكر الاستمارة المراد جمعها (انظر `field-client forms`)، أو استأنف مسودة بـ --resume"},
    // field-client/collect.h: edit --set
    {"edit.other_form", "record {id} belongs to form {form}", "السجل {id} من الاستمارة {form}"},
    {"edit.not_an_assignment", "--set '{assignment}': expected field=value", "--set '{assignment}': المتوقع field=value"},
    {"edit.unknown_field", "--set: form {form} has no field '{field}' (see the field names in `field-client show {id}`)",
     "--set: الاستمارة {form} ليس فيها الحقل '{field}' (انظر أسماء الحقول في `field-client show {id}`)"},
    // common/files.h
    {"file.missing", "no such file: {path}", "لا يوجد ملف: {path}"},
    {"file.directory", "{path} is a directory, not a file", "{path} مجلد وليس ملفًا"},
    {"file.unreadable", "cannot read {path}", "تعذّرت قراءة {path}"},
    {"file.too_large", "{path} is larger than the limit of {limit} bytes", "{path} أكبر من الحد المسموح ({limit} بايت)"},
    {"cli.saved_record", "Saved record {id}", "حُفظ السجل {id}"},
    {"cli.updated_record", "Updated record {id}", "حُدّث السجل {id}"},
    {"cli.unchanged_record", "No change to record {id}", "لا تغيير في السجل {id}"},
    {"cli.case_not_edited", "a case changes through its steps, not by editing it: see `field-client case show {id}`",
     "تتغير الحالة بخطواتها، لا بتعديلها: انظر `field-client case show {id}`"},
    {"cli.enrolled", "Enrolled device {device} with {server} as {user} ({role})",
     "سُجّل الجهاز {device} لدى {server} باسم {user} ({role})"},
    {"cli.enrolled_team", "Enrolled device {device} with {server} as {user} ({role}, team {team})",
     "سُجّل الجهاز {device} لدى {server} باسم {user} ({role}، الفريق {team})"},
    // {changesets}, {pending}: "3 changesets", "1 operation" in English, the number in Arabic.
    {"cli.synced", "Synced: {changesets} acknowledged; {pending} waiting to sync",
     "تمت المزامنة: حزم التغييرات المؤكَّدة: {changesets}؛ العمليات بانتظار المزامنة: {pending}"},
    {"cli.bundle_written",
     "Wrote {changesets} to {file}, sealed for the office. Bring back the file they give you and run "
     "`field-client bundle import FILE`.",
     "كُتبت حزم التغييرات ({changesets}) في {file}، مختومة للمكتب. أعِد الملف الذي يعطونك إياه وشغّل "
     "`field-client bundle import FILE`."},
    {"cli.bundle_imported", "The office has merged this device's changesets up to number {number}; {pending} "
     "waiting to sync",
     "دمج المكتب حزم تغييرات هذا الجهاز حتى الرقم {number}؛ العمليات بانتظار المزامنة: {pending}"},
    {"cli.no_providers", "No service providers on this device yet: they arrive with `field-client sync`.",
     "لا يوجد مقدّمو خدمات على هذا الجهاز بعد: يصل الدليل مع `field-client sync`."},
    {"cli.no_provider_offers", "No provider offers {service}.", "لا يوجد مقدّم خدمة يقدّم {service}."},
    {"cli.inactive", "INACTIVE", "غير متاح"},
    {"cli.case_opened", "Opened case {id} (identified). Next: field-client case register {short} --answers FILE",
     "فُتحت الحالة {id} (محدَّدة). الخطوة التالية: field-client case register {short} --answers FILE"},
    {"cli.step_recorded", "Recorded {form} {step}; case {case} is now {status}",
     "سُجّلت {form} {step}؛ وضع الحالة {case} الآن: {status}"},
    {"cli.no_cases", "No cases yet. Open one with `field-client case open --from IDENTIFICATION`.",
     "لا توجد حالات بعد. افتح حالة بالأمر `field-client case open --from IDENTIFICATION`."},
    {"cli.case_header", "Case     {id}\nStatus   {status}\nOpened   {opened}",
     "الحالة     {id}\nالوضع      {status}\nفُتحت      {opened}"},
    {"cli.next_steps", "Next steps on this device: {steps}", "الخطوات التالية على هذا الجهاز: {steps}"},
    {"cli.steps_header", "Steps, oldest first:", "الخطوات، الأقدم أولًا:"},
    {"cli.referral_now", "Referral {id} is now {status}", "وضع الإحالة {id} الآن: {status}"},
    {"cli.referral_written", "Wrote the referral for the provider to {file}", "كُتبت الإحالة لمقدّم الخدمة في {file}"},
    {"cli.referral_written_withheld", "Wrote the referral for the provider to {file} (identifying data withheld: no consent)",
     "كُتبت الإحالة لمقدّم الخدمة في {file} (حُجبت البيانات التعريفية: لا توجد موافقة)"},
    {"cli.review_clear", "Nothing needs attention in the {count} cases on this device.",
     "لا شيء يحتاج إلى متابعة في الحالات الـ {count} على هذا الجهاز."},
    {"cli.dataset_choose", "choose one of --form F, --cases, --referrals or --followups",
     "اختر واحدًا من --form F أو --cases أو --referrals أو --followups"},
    {"cli.dataset_written", "Wrote {rows} rows to {file} (de-identified) and its codebook",
     "كُتب {rows} صفًا في {file} (دون بيانات تعريفية) ومعه دليل الترميز"},
    {"cli.duress_explained",
     "The duress passphrase: give it instead of yours if you are ever forced to open this store. It opens an empty "
     "store and silently wipes this one.",
     "عبارة مرور الإكراه: أعطها بدل عبارتك إن أُجبرت يومًا على فتح هذا المخزن. فهي تفتح مخزنًا فارغًا وتمحو هذا "
     "المخزن بصمت."},
    {"cli.duress_set", "Duress passphrase set.", "ضُبطت عبارة مرور الإكراه."},
    {"cli.wiped", "Wiped the store in {home}: it cannot be recovered.", "أُتلف المخزن في {home}: لا يمكن استعادته."},
    {"cli.stopped", "Stopped.", "توقف."},
    // field-client/render.h
    {"render.forms_header", "FORM                              VERSION  TITLE", "الاستمارة                         الإصدار  العنوان"},
    {"render.no_records", "No records yet. Collect one with `field-client collect FORM`.",
     "لا توجد سجلات بعد. اجمع سجلًا بالأمر `field-client collect FORM`."},
    {"render.records_header", "ID                                    FORM                          CREATED           UPDATED",
     "المعرّف                               الاستمارة                     أُنشئ             حُدّث"},
    {"render.records", "{count}", "عدد السجلات: {count}"},
    {"render.record_header", "Record   {id}\nForm     {form}\nCreated  {created} by {author}\nUpdated  {updated}",
     "السجل      {id}\nالاستمارة  {form}\nأُنشئ      {created} بواسطة {author}\nحُدّث      {updated}"},
    {"render.created_by", "created by {author}", "أنشأه {author}"},
    {"render.edited_by", "edited by {author}", "عدّله {author}"},
    {"render.merged_from_device", "{change} {author} on device {device}, merged at a sync",
     "{change} {author} على الجهاز {device}، دُمج عند المزامنة"},
    {"render.merged_from_office", "{change} the office ({author}), merged at a sync",
     "{change} المكتب ({author})، دُمج عند المزامنة"},
    {"render.merged_created", "created by", "أنشأه"},
    {"render.merged_edited", "changed by", "غيّره"},
    {"render.cleared", "(cleared)", "(مُسح)"},
    {"render.was", "(was: {value})", "(كان: {value})"},
    {"render.yes", "yes", "نعم"},
    {"render.no", "no", "لا"},
    {"render.status",
     "Device   {device}\nUser     {user}\nRecords", "الجهاز     {device}\nالمستخدم   {user}\nالسجلات"},
    {"render.status_none", "  (none)", "  (لا شيء)"},
    {"render.status_total", "  total: {count}", "  المجموع: {count}"},
    {"render.waiting", "Waiting to sync: {count} (last sequence number {sequence})",
     "العمليات بانتظار المزامنة: {count} (آخر رقم تسلسلي {sequence})"},
};

}  // namespace amana::catalogue
