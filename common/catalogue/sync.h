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
};

}  // namespace amana::catalogue
