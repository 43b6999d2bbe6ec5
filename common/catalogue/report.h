// Texts of the monthly protection report (sync-server/report.h), in the report's language.
// The answers it counts are shown by their forms' own choice labels, not from here.
#pragma once

#include "common/message.h"

namespace amana::catalogue {

inline constexpr CatalogueEntry kReport[] = {
    {"report.title", "Protection report {period}", "تقرير الحماية {period}"},
    {"report.suppression", "Counts from 1 to 4 are shown as <5, and so is a share built on one.",
     "تظهر الأعداد من 1 إلى 4 على أنها <5، وكذلك أي نسبة مبنية عليها."},
    {"report.dating",
     "Each record is counted by the date its form records (the identification's date, the distribution's, the "
     "step's), not by the day a device saved it; a case by the day it was opened.",
     "يُحتسب كل سجل بالتاريخ الذي تسجّله استمارته (تاريخ التحديد أو التوزيع أو الخطوة)، لا بيوم حفظه على الجهاز؛ "
     "والحالة بيوم فتحها."},
    {"report.narrative", "Narrative for the period", "السرد الخاص بالفترة"},
    {"report.section.identifications", "Identifications", "حالات التحديد"},
    {"report.section.cases", "Cases", "الحالات"},
    {"report.section.referrals", "Referrals", "الإحالات"},
    {"report.section.followups", "Follow-ups", "المتابعات"},
    {"report.section.pdm", "Post-distribution monitoring", "رصد ما بعد التوزيع"},
    {"report.section.assessments", "Rapid protection assessments: risks by location",
     "التقييمات السريعة: المخاطر حسب الموقع"},
    {"report.section.trends", "Trends", "الاتجاهات"},
    {"report.total", "total", "المجموع"},
    {"report.identified_by", "identified by", "جهة التحديد"},
    {"report.sex", "sex", "الجنس"},
    {"report.age_group", "age group", "الفئة العمرية"},
    {"report.specific_need", "specific need", "الاحتياج الخاص"},
    {"report.displacement", "displacement status", "وضع النزوح"},
    {"report.site", "site", "الموقع"},
    {"report.unknown", "not recorded", "غير مسجّل"},
    {"report.other_area", "other", "أخرى"},
    {"report.opened", "opened", "المفتوحة"},
    {"report.active", "active", "النشطة"},
    {"report.transferred", "transferred", "المحوّلة"},
    {"report.median_closure", "median days to closure", "وسيط عدد الأيام حتى الإغلاق"},
    {"report.closed", "closed", "المغلقة"},
    {"report.risk_level", "risk level", "مستوى الخطر"},
    {"report.opened_displacement", "opened, by displacement status", "المفتوحة حسب وضع النزوح"},
    {"report.opened_site", "opened, by site", "المفتوحة حسب الموقع"},
    {"report.accepted", "accepted", "المقبولة"},
    {"report.service_provided", "service provided", "قُدّمت الخدمة"},
    {"report.median_service", "median days to service", "وسيط عدد الأيام حتى تقديم الخدمة"},
    {"report.service", "service", "الخدمة"},
    {"report.done", "done", "المنجزة"},
    {"report.due", "due", "المستحقة"},
    {"report.surveys", "surveys", "الاستبيانات"},
    {"report.satisfaction", "mean satisfaction (1-5)", "متوسط الرضا (1-5)"},
    {"report.safety", "safety problems reported", "مشكلات السلامة المبلّغ عنها"},
    {"report.trend_heading", "Trends (last 6 months)", "الاتجاهات (آخر 6 أشهر)"},
    {"report.month", "month", "الشهر"},
    {"report.identifications", "identifications", "حالات التحديد"},
    {"report.cases_opened", "cases opened", "الحالات المفتوحة"},
    {"report.chart_identifications", "Identifications per month", "حالات التحديد شهريًا"},
    {"report.chart_cases", "Cases opened per month", "الحالات المفتوحة شهريًا"},
    {"report.of", "{part} of {whole}", "{part} من {whole}"},
};

}  // namespace amana::catalogue
