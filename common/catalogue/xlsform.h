// Messages of reading a workbook (common/xlsx_reader.h) and of importing an XLSForm into a
// form definition (common/xlsform.h): what a form's author is told when `sync-server forms
// publish` refuses a file, or publishes it with warnings.
#pragma once

#include "common/message.h"

namespace amana::catalogue {

inline constexpr CatalogueEntry kXlsform[] = {
    // The workbook (common/xlsx_reader.h)
    {"xlsx.not_zip", "the file is not an XLSX workbook (it is not a zip archive): save it as .xlsx (Excel Workbook)",
     "الملف ليس مصنّف XLSX (ليس أرشيف zip): احفظه بصيغة ‎.xlsx (مصنّف Excel)"},
    {"xlsx.too_many_entries", "the workbook holds more than {limit} parts: it is not a form",
     "يحوي المصنّف أكثر من {limit} جزءًا: ليس استمارة"},
    {"xlsx.part_too_large", "the part {part} of the workbook is larger than {limit} bytes once uncompressed",
     "الجزء {part} من المصنّف أكبر من {limit} بايت بعد فك ضغطه"},
    {"xlsx.total_too_large", "the workbook is larger than {limit} bytes once uncompressed",
     "المصنّف أكبر من {limit} بايت بعد فك ضغطه"},
    {"xlsx.part_missing", "the workbook has no {part}: it is damaged; save it again as .xlsx",
     "لا يحوي المصنّف {part}: المصنّف تالف؛ احفظه مجددًا بصيغة ‎.xlsx"},
    {"xlsx.part_unreadable", "cannot read {part} in the workbook ({reason}): it is damaged; save it again as .xlsx",
     "تعذّرت قراءة {part} في المصنّف ({reason}): المصنّف تالف؛ احفظه مجددًا بصيغة ‎.xlsx"},
    {"xlsx.bad_xml", "{part} is not well-formed XML (line {line}: {reason}): save the workbook again as .xlsx",
     "{part} ليس XML سليمًا (السطر {line}: {reason}): احفظ المصنّف مجددًا بصيغة ‎.xlsx"},
    {"xlsx.doctype", "{part} declares a DOCTYPE, which a workbook never needs: refused",
     "يعلن {part} عن DOCTYPE، ولا يحتاجه أي مصنّف: مرفوض"},
    {"xlsx.too_many_sheets", "the workbook has more than {limit} sheets", "يحوي المصنّف أكثر من {limit} ورقة"},
    {"xlsx.too_many_strings", "the workbook has more than {limit} distinct texts", "يحوي المصنّف أكثر من {limit} نص مختلف"},
    {"xlsx.too_many_rows", "the sheet '{sheet}' has more than {limit} rows", "في الورقة '{sheet}' أكثر من {limit} صف"},
    {"xlsx.too_many_cells", "the workbook has more than {limit} cells", "يحوي المصنّف أكثر من {limit} خلية"},
    {"xlsx.column_too_far", "sheet '{sheet}', cell {cell}: beyond column {column}, the last one read",
     "الورقة '{sheet}'، الخلية {cell}: بعد العمود {column}، آخر عمود يُقرأ"},
    {"xlsx.cell_too_long", "sheet '{sheet}', cell {cell}: longer than {limit} bytes",
     "الورقة '{sheet}'، الخلية {cell}: أطول من {limit} بايت"},
    {"xlsx.bad_cell", "sheet '{sheet}': the cell reference '{cell}' is malformed",
     "الورقة '{sheet}': مرجع الخلية '{cell}' غير سليم"},
    {"xlsx.bad_shared_string", "sheet '{sheet}', cell {cell}: refers to text {index}, which the workbook does not have",
     "الورقة '{sheet}'، الخلية {cell}: تشير إلى النص {index} غير الموجود في المصنّف"},

    // The file as a whole (common/xlsform.h)
    {"xlsform.xls_refused", "{file} is an Excel 97-2003 workbook (.xls): open it and save it as .xlsx (Excel Workbook)",
     "{file} مصنّف Excel 97-2003 ‏(‎.xls): افتحه واحفظه بصيغة ‎.xlsx (مصنّف Excel)"},
    {"xlsform.csv_refused", "{file} is a CSV file: an XLSForm has several sheets (survey, choices, settings), which "
     "only an .xlsx workbook keeps; save it as .xlsx",
     "{file} ملف CSV: للاستمارة XLSForm عدة أوراق (survey وchoices وsettings) لا يحفظها إلا مصنّف ‎.xlsx؛ احفظه بصيغة ‎.xlsx"},
    {"xlsform.no_survey", "the workbook has no 'survey' sheet (its sheets: {sheets}): an XLSForm asks its questions there",
     "لا يحوي المصنّف ورقة 'survey' (أوراقه: {sheets}): فيها تُكتب أسئلة XLSForm"},
    {"xlsform.no_header", "the '{sheet}' sheet has no header row with '{column}': its first row names the columns",
     "لا يوجد في الورقة '{sheet}' صف عناوين فيه '{column}': الصف الأول يسمّي الأعمدة"},
    {"xlsform.no_questions", "the survey sheet asks no question", "لا تطرح ورقة survey أي سؤال"},
    {"xlsform.too_many_errors", "... and {count} more problems", "... و{count} مشكلات أخرى"},
    {"xlsform.too_many_questions", "the survey sheet has more than {limit} questions",
     "في ورقة survey أكثر من {limit} سؤال"},
    // Where a problem is: every error and warning of a sheet starts with one of these.
    {"xlsform.at_cell", "{sheet} sheet, row {row}, column {column} ({header}): {problem}",
     "الورقة {sheet}، الصف {row}، العمود {column} ({header}): {problem}"},
    {"xlsform.at_row", "{sheet} sheet, row {row}: {problem}", "الورقة {sheet}، الصف {row}: {problem}"},
    {"xlsform.at_sheet", "{sheet} sheet: {problem}", "الورقة {sheet}: {problem}"},

    // Refusals: what would change what is collected, or what Amana cannot collect yet.
    {"xlsform.not_supported", "{feature}: not supported yet", "{feature}: غير مدعوم بعد"},
    {"xlsform.empty_group", "group '{name}' holds no question: it is left out",
     "المجموعة '{name}' لا تضم أي سؤال: تُركت"},
    {"xlsform.unknown_choice_column", "'{column}' is not a column of the choices of list '{list}': add the column "
     "to the choices sheet (a question is written ${name})",
     "'{column}' ليس عمودًا في خيارات القائمة '{list}': أضف العمود إلى ورقة الخيارات (ويُكتب السؤال ${name})"},
    {"xlsform.no_calculation", "a calculate row needs its calculation", "يحتاج صف calculate إلى عمود calculation"},
    {"xlsform.bad_choice_value", "the choice name '{name}' holds a space or a control character, which a "
     "select_multiple answer could not keep apart from the next name: rename it, e.g. '{suggestion}'",
     "يحوي اسم الخيار '{name}' مسافة أو محرف تحكم، فلا تفصله إجابة select_multiple عن الاسم التالي: غيّر الاسم، "
     "مثلًا '{suggestion}'"},
    {"xlsform.not_supported_because", "{feature}: not supported yet ({reason})", "{feature}: غير مدعوم بعد ({reason})"},
    {"xlsform.unknown_type", "unknown question type '{type}' (Amana reads: {types})",
     "نوع سؤال غير معروف '{type}' (يقرأ أمانة: {types})"},
    {"xlsform.no_type", "the row has a {column} but no type: give it a type or delete the row",
     "في الصف {column} دون نوع: أعطه نوعًا أو احذف الصف"},
    {"xlsform.no_name", "the question has no name: give it one (letters, digits and '_')",
     "السؤال بلا اسم: أعطه اسمًا (حروف وأرقام و'_')"},
    {"xlsform.bad_name", "the name '{name}' must be a letter or '_' followed by letters, digits or '_' (at most 128): "
     "rename it",
     "يجب أن يبدأ الاسم '{name}' بحرف أو '_' تليه حروف أو أرقام أو '_' (128 على الأكثر): غيّر الاسم"},
    {"xlsform.duplicate_name", "the name '{name}' is already used in row {first}, in the same group: rename one of "
     "them (names must be unique within a group, as in ODK)",
     "الاسم '{name}' مستعمل في الصف {first} في المجموعة نفسها: غيّر اسم أحدهما (يجب أن تكون الأسماء فريدة داخل "
     "المجموعة، كما في ODK)"},
    {"xlsform.duplicate_repeat", "the repeat name '{name}' is already used in row {first}: a repeat's name must be "
     "unique in the form (its instances are stored under it); rename one of them",
     "اسم التكرار '{name}' مستعمل في الصف {first}: يجب أن يكون اسم التكرار فريدًا في الاستمارة (تُحفظ تكراراته "
     "باسمه)؛ غيّر اسم أحدهما"},
    {"xlsform.ambiguous_reference", "{ref} names two questions (rows {first} and {second}, in different groups): "
     "rename one of them so that {ref} says which",
     "{ref} يسمّي سؤالين (الصفان {first} و{second} في مجموعتين مختلفتين): غيّر اسم أحدهما ليتبيّن أيهما يقصد {ref}"},
    {"xlsform.from_file_not_supported", "{type}: not supported yet (its choices are in the file '{file}', which Amana "
     "does not send to devices): copy them to the choices sheet and write '{asked} LIST'",
     "{type}: غير مدعوم بعد (خياراته في الملف '{file}' الذي لا يرسله أمانة إلى الأجهزة): انسخها إلى ورقة choices "
     "واكتب '{asked} LIST'"},
    {"xlsform.pulldata_not_supported", "pulldata(): not supported yet (it reads the file '{file}' attached to the "
     "form, which Amana does not send to devices): ask the value as a question, or compute it with a calculation",
     "pulldata(): غير مدعوم بعد (تقرأ الملف '{file}' المرفق بالاستمارة، ولا يرسله أمانة إلى الأجهزة): اطرح القيمة "
     "سؤالًا أو احسبها بعمود calculation"},
    {"xlsform.list_empty", "the choice list '{list}' (row {row} of the choices sheet) has no choice left to offer: "
     "give it at least one choice with a name",
     "قائمة الخيارات '{list}' (الصف {row} في ورقة choices) لم يبقَ فيها خيار يُعرض: أعطها خيارًا واحدًا على الأقل "
     "له اسم"},
    {"xlsform.no_list", "the type names no choice list: write it as '{type} LIST'", "لا يذكر النوع قائمة خيارات: اكتبه '{type} LIST'"},
    {"xlsform.unknown_list", "the choice list '{list}' is not on the choices sheet",
     "قائمة الخيارات '{list}' غير موجودة في ورقة choices"},
    {"xlsform.no_choices_sheet", "the question uses the choice list '{list}' but the workbook has no 'choices' sheet",
     "يستعمل السؤال قائمة الخيارات '{list}' لكن المصنّف بلا ورقة 'choices'"},
    {"xlsform.unmatched_end", "'{type}' without a matching 'begin {kind}' before it",
     "'{type}' دون 'begin {kind}' مقابل قبله"},
    {"xlsform.unclosed_group", "the group '{name}' that begins here is never ended: add an 'end group' row",
     "المجموعة '{name}' التي تبدأ هنا لا تنتهي: أضف صف 'end group'"},
    {"xlsform.bad_expression", "{reason}", "{reason}"},
    {"xlsform.unknown_reference", "{ref} is not a question of this form: correct the name or add the question",
     "{ref} ليس سؤالًا في هذه الاستمارة: صحّح الاسم أو أضف السؤال"},
    {"xlsform.reference_to_group", "{ref} is a group, which has no value: refer to a question in it",
     "{ref} مجموعة ولا قيمة لها: أشر إلى سؤال فيها"},
    {"xlsform.reference_to_repeat",
     "{ref} is a repeat, which has instances, not a value: count({ref}) counts them, indexed-repeat(${field}, {ref}, 1) "
     "reads one",
     "{ref} سؤال متكرر له تكرارات لا قيمة: count({ref}) يعدّها و indexed-repeat(${field}, {ref}, 1) يقرأ أحدها"},
    {"xlsform.reference_to_note", "{ref} is a note, which has no value", "{ref} ملاحظة ولا قيمة لها"},
    {"xlsform.reference_to_metadata",
     "{ref} is the metadata '{type}', which Amana does not collect as a question (use today() for the date)",
     "{ref} هو البيانات الوصفية '{type}' التي لا يجمعها أمانة سؤالًا (استعمل today() للتاريخ)"},
    {"xlsform.reference_later", "{ref} is asked later (row {row}): a {column} is decided when the question is "
     "reached, before {ref} is answered; move this question below row {row}, or {ref} above it",
     "{ref} يُسأل لاحقًا (الصف {row}): يُحسم {column} عند الوصول إلى السؤال قبل الإجابة عن {ref}؛ انقل هذا السؤال "
     "إلى ما بعد الصف {row} أو انقل {ref} إلى ما قبله"},
    {"xlsform.bad_default", "the default '{value}' is not an answer to this question ({reason})",
     "القيمة الافتراضية '{value}' ليست إجابة لهذا السؤال ({reason})"},
    {"xlsform.bad_yes_no", "'{value}' is not yes or no: write yes, no, true or false",
     "'{value}' ليست نعم أو لا: اكتب yes أو no أو true أو false"},
    {"xlsform.choice_no_name", "the choice has no name: give it one", "الخيار بلا اسم: أعطه اسمًا"},
    {"xlsform.choice_no_list", "the choice has no list_name: it is left out, as ODK leaves it out; write the name "
     "of its list in list_name if it belongs to one",
     "الخيار بلا list_name: تُرك كما يتركه ODK؛ اكتب اسم قائمته في list_name إن كان ينتمي إلى قائمة"},
    {"xlsform.too_many_choices", "the list '{list}' has more than {limit} choices", "في القائمة '{list}' أكثر من {limit} خيار"},
    {"xlsform.bad_form_id", "form_id '{id}' must be lower-case letters, digits, '-' or '_' (at most 64)",
     "يجب أن يتكون form_id '{id}' من حروف لاتينية صغيرة أو أرقام أو '-' أو '_' (64 على الأكثر)"},
    {"xlsform.builtin_id", "form_id '{id}' is a built-in form: publishing a version of a built-in form is not "
     "supported yet; choose another form_id",
     "form_id '{id}' استمارة مدمجة: نشر نسخة من استمارة مدمجة غير مدعوم بعد؛ اختر form_id آخر"},
    {"xlsform.no_label", "the question has no label: write what the collector asks",
     "السؤال بلا نص: اكتب ما يسأله جامع البيانات"},
    {"xlsform.bad_disclosure", "{reason}", "{reason}"},

    // Warnings: published, but the author should know.
    {"xlsform.blank_rows", "blank rows {rows} skipped", "تُجوهلت الصفوف الفارغة {rows}"},
    {"xlsform.trimmed", "spaces around '{value}' removed", "أزيلت المسافات حول '{value}'"},
    {"xlsform.duplicate_choice", "the choice '{name}' is already in the list '{list}' (row {first}): this row is "
     "ignored",
     "الخيار '{name}' موجود في القائمة '{list}' (الصف {first}): تُجوهل هذا الصف"},
    {"xlsform.duplicate_choice_label", "the choice '{name}' is already in the list '{list}' (row {first}) with another "
     "label: the first one is kept; check which is meant",
     "الخيار '{name}' موجود في القائمة '{list}' (الصف {first}) بنص آخر: أُبقي الأول؛ تحقّق أيهما المقصود"},
    {"xlsform.ignored_column", "column '{header}' is not read ({reason})", "العمود '{header}' لا يُقرأ ({reason})"},
    {"xlsform.ignored_appearance", "appearance '{appearance}' ignored: it only changes how the question looks",
     "تُجوهل المظهر '{appearance}': لا يغيّر إلا شكل السؤال"},
    {"xlsform.ignored_setting", "setting '{setting}' ignored ({reason})", "تُجوهل الإعداد '{setting}' ({reason})"},
    {"xlsform.typographic_punctuation", "{column}: typographic quotes (‘ ’ “ ”) or no-break spaces read as plain "
     "quotes and spaces", "{column}: قُرئت علامات الاقتباس المطبعية (‘ ’ “ ”) أو المسافات غير الفاصلة علامات وفراغات عادية"},
    {"xlsform.acknowledge_as_choice", "acknowledge is asked as a choice with the one answer OK, stored as 'OK' as ODK "
     "stores it", "يُطرح acknowledge اختيارًا بجواب واحد هو OK، ويُحفظ 'OK' كما يحفظه ODK"},
    {"xlsform.or_other_added", "or_other: the answer 'other' added to {name}, and the question {other} asked when it "
     "is chosen", "or_other: أُضيف الجواب 'other' إلى {name}، والسؤال {other} يُطرح عند اختياره"},
    {"xlsform.ignored_value", "{column} ignored ({reason})", "تُجوهل {column} ({reason})"},
    {"xlsform.metadata_skipped", "'{type}' skipped: Amana records itself when, where and on which device a record "
     "is made",
     "تُجوهل '{type}': يسجّل أمانة بنفسه متى وأين وعلى أي جهاز أُنشئ السجل"},
    {"xlsform.group_flattened", "group '{name}': its questions are asked in order, without the group (its relevant "
     "applies to each of them)",
     "المجموعة '{name}': تُطرح أسئلتها بالترتيب دون المجموعة (وشرط ظهورها يسري على كل منها)"},
    {"xlsform.language_dropped", "the {language} texts are not published: Amana keeps English and Arabic for now",
     "لا تُنشر النصوص بلغة {language}: يحفظ أمانة الإنجليزية والعربية حاليًا"},
    {"xlsform.language_as_default", "no English texts: the {language} texts are published as the default",
     "لا نصوص إنجليزية: تُنشر نصوص {language} نصوصًا افتراضية"},
    {"xlsform.bare_name_read", "{column}: '{name}' read as {ref}, the question of row {row} (without ${} ODK would "
     "read it as an empty path): write {ref}",
     "{column}: قُرئ '{name}' على أنه {ref}، سؤال الصف {row} (دون ${} يقرؤه ODK مسارًا فارغًا): اكتب {ref}"},
    {"xlsform.yes_no_read", "{column}: '{value}' read as {meaning} (pyxform reads only yes, no, true or false): write "
     "{meaning}",
     "{column}: قُرئت '{value}' على أنها {meaning} (لا يقرأ pyxform إلا yes أو no أو true أو false): اكتب {meaning}"},
    {"xlsform.reference_later_read", "{column}: {ref} is asked later (row {row}): the {column} is decided again once "
     "{ref} is answered, and the record is checked with both; to ask in order, move this question below row {row}",
     "{column}: {ref} يُسأل لاحقًا (الصف {row}): يُحسم {column} من جديد بعد الإجابة عن {ref}، ويُتحقق من السجل "
     "بهما معًا؛ ولطرح الأسئلة بالترتيب انقل هذا السؤال إلى ما بعد الصف {row}"},
    {"xlsform.duplicate_name_renamed", "the name '{name}' is already used in row {first}, in another group: this "
     "question is stored as '{stored}' (ODK tells them apart by their group); rename it to choose the name",
     "الاسم '{name}' مستعمل في الصف {first} في مجموعة أخرى: يُحفظ هذا السؤال باسم '{stored}' (يميّز ODK بينهما "
     "بالمجموعة)؛ غيّر اسمه لتختار الاسم"},
    {"xlsform.note_calculation_read", "the note '{name}' has a calculation: it is published as a read-only text "
     "question showing its value, which other questions can use (ODK gives such a note the value of its calculation)",
     "للملاحظة '{name}' عمود calculation: تُنشر سؤالًا نصيًا للقراءة فقط يعرض قيمتها، ويمكن لأسئلة أخرى استعمالها "
     "(يعطي ODK هذه الملاحظة قيمة حسابها)"},
    {"xlsform.relevant_as_choice_filter", "relevant: '{relevant}' compares the choices' {column}, as a choice_filter "
     "does: it is read as the question's choice_filter (as a relevant, ODK would compare an empty path and ignore "
     "the choices): move it to the choice_filter column",
     "relevant: يقارن '{relevant}' عمود {column} من الخيارات كما يفعل choice_filter: قُرئ على أنه choice_filter "
     "للسؤال (بوصفه relevant يقارن ODK مسارًا فارغًا ويتجاهل الخيارات): انقله إلى عمود choice_filter"},
    {"xlsform.bare_choice_read", "{column}: '{word}' read as the text '{word}', a choice of {ref} (list '{list}'), "
     "which it is compared with (without quotes ODK would read it as an empty path): write '{word}' in quotes",
     "{column}: قُرئت '{word}' على أنها النص '{word}'، أحد خيارات {ref} (القائمة '{list}') الذي تُقارن به (دون "
     "علامات اقتباس يقرؤها ODK مسارًا فارغًا): اكتب '{word}' بين علامتي اقتباس"},
    {"xlsform.bad_repeat_disclosure", "'{value}' is not a disclosure of a repeat: write unlinked (the default: its "
     "rows kept without their record) or drop (its table left out of de-identified exports)",
     "'{value}' ليست قيمة disclosure لتكرار: اكتب unlinked (الافتراضي: تُحفظ صفوفه دون سجلها) أو drop (يُستبعد "
     "جدوله من التصديرات المجهّلة)"},
    {"xlsform.note_name_generated", "the note has no name: it is named '{name}', as pyxform names it",
     "الملاحظة بلا اسم: سُمّيت '{name}' كما يسمّيها pyxform"},
    {"xlsform.label_from_name", "no label: the name '{name}' is shown instead", "بلا نص: يُعرض الاسم '{name}' بدلًا منه"},
    {"xlsform.form_id_from_file", "no form_id in the settings sheet: the form is published as '{id}'",
     "لا form_id في ورقة settings: تُنشر الاستمارة باسم '{id}'"},
    {"xlsform.form_id_changed", "form_id '{given}' is published as '{id}' (lower case, '_' as '-')",
     "تُنشر form_id '{given}' باسم '{id}' (حروف صغيرة و'-' بدل '_')"},
    // sync-server forms (sync-server/forms_cli.cc)
    {"xlsform.warning", "warning: {message}", "تحذير: {message}"},
    {"xlsform.published", "Published {form} version {version} ({title}): {questions}, from {file}",
     "نُشرت {form} النسخة {version} ({title}): عدد الأسئلة {questions}، من {file}"},
    {"xlsform.draft", "Draft of {form} (would be version {version}, {title}): {questions}. Nothing was published; "
     "try it with `sync-server forms try {file} --answers ANSWERS.json`",
     "مسودة {form} (ستكون النسخة {version}، {title}): عدد الأسئلة {questions}. لم يُنشر شيء؛ جرّبها بالأمر "
     "`sync-server forms try {file} --answers ANSWERS.json`"},
    {"xlsform.answers_fit", "The answers fit {form}: {answers} as a device would save them:",
     "الإجابات توافق {form}: عدد الإجابات {answers}، كما يحفظها الجهاز:"},
    {"xlsform.archived", "Archived {form}: no longer offered; its {versions} kept",
     "أُرشفت {form}: لم تعد تُعرض؛ وحُفظت نسخها (عددها {versions})"},
    {"xlsform.more_warnings", "... and {count} more warnings", "... و{count} تحذيرات أخرى"},
};

}  // namespace amana::catalogue
