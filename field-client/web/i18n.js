// The page's own words in English and Arabic, and the page's language and direction.
// Messages about data (errors, labels, questions) come from the field client already in
// the chosen language; these are only the screens' fixed words. The choice of language
// is the one thing kept in localStorage: it is not personal.
const strings = {
  en: {
    'nav.home': 'Home', 'nav.records': 'Records', 'nav.cases': 'Cases', 'nav.sync': 'Sync', 'nav.wipe': 'Wipe',
    lock: 'Lock', search: 'Search', yes: 'Yes', no: 'No', 'error.title': 'Something went wrong',
    'unlock.title': 'Unlock', 'unlock.explain': 'The records on this computer are encrypted. Give your passphrase to open them.',
    'unlock.passphrase': 'Passphrase', 'unlock.button': 'Unlock', 'unlock.done': 'Unlocked',
    'home.title': 'What needs doing', 'home.followups': 'Follow-ups due', 'home.review': 'To review',
    'home.drafts': 'Drafts', 'home.waiting': 'Waiting to sync', 'home.new': 'Start a form',
    'home.none_due': 'No follow-up is due.', 'home.nothing_to_review': 'Nothing to review.', 'home.no_drafts': 'No drafts.',
    'home.overdue': 'overdue since', 'home.due': 'due', 'home.answered': '{count} answered',
    'home.pending': '{count} changes are waiting to be sent.',
    'home.discard': 'Discard', 'home.discard_draft': 'Discard the draft of {form}',
    'home.discard_confirm': 'Throw this draft away? Its answers cannot be recovered.',
    'records.title': 'Records', 'records.search': 'Search records', 'records.form': 'Form', 'records.created': 'Made',
    'records.id': 'Id', 'records.none': 'No records.', 'records.edit': 'Edit', 'records.history': 'History',
    'records.case': 'Its case',
    'history.created': 'created', 'history.changed': 'changed', 'history.merged': 'from another device or the office',
    'history.cleared': '(cleared)',
    'cases.title': 'Cases', 'cases.open': 'Open a case', 'cases.search': 'Name', 'cases.status': 'Status',
    'cases.any_status': 'Any status', 'cases.none': 'No cases.', 'cases.name': 'Name', 'cases.risk': 'Risk',
    'cases.next_due': 'Follow-up due', 'cases.opened': 'Opened',
    'open.name': 'Name', 'open.sex': 'Sex', 'open.age': 'Age (years)', 'open.location': 'Site or village',
    'open.checked_duplicate': 'If you checked with the person that they are not the same, press Open a case again.',
    'sex.female': 'Female', 'sex.male': 'Male',
    'case.next': 'Next steps', 'case.no_next': 'No step can be recorded on this device now.', 'case.timeline': 'Steps so far',
    'case.no_steps': 'No step recorded yet.', 'case.values': 'What the case holds', 'case.resume': 'Resume: {form}',
    'status.identified': 'Identified', 'status.registered': 'Registered', 'status.assessed': 'Assessed',
    'status.planned': 'Planned', 'status.in_progress': 'In progress', 'status.closure_requested': 'Closure requested',
    'status.closed': 'Closed', 'status.transferred': 'Transferred',
    'risk.low': 'Low risk', 'risk.medium': 'Medium risk', 'risk.high': 'High risk', 'risk.critical': 'Critical risk',
    'referral.pending': 'pending', 'referral.accepted': 'accepted', 'referral.service_provided': 'service provided',
    'referral.declined': 'declined', 'referral.no_response': 'no response',
    'fill.question_of': 'Question {n} of {total}', 'fill.back': 'Back', 'fill.next': 'Next', 'fill.review': 'Review',
    'fill.save_draft': 'Save draft and close', 'fill.all_questions': 'All questions', 'fill.has_error': 'needs attention',
    'fill.change': 'Change', 'fill.unanswered': 'not answered', 'fill.save_record': 'Save the record',
    'fill.save_changes': 'Save the changes', 'fill.suggestions': 'Providers offering this service',
    'fill.locate': 'Use this device\'s location', 'fill.page_of': 'Page {n} of {total}',
    'fill.locate_failed': 'This device did not give its location: type it as latitude and longitude, for example 12.91 23.48', 'fill.date_placeholder': '2026-11-20 or 20/11/2026',
    'repeat.add': 'Add an entry', 'repeat.remove': 'Remove', 'repeat.none': 'No entries yet.',
    'repeat.count': 'The form asks for {count}.', 'repeat.full': 'As many entries as the form asks for: none more can be added.',
    'repeat.confirm': 'Remove {entry} and all its answers?', 'repeat.confirm_yes': 'Yes, remove it', 'repeat.cancel': 'Keep it',
    'repeat.entries': '{count} entries', 'repeat.remove_entry': 'Remove {entry}', 'repeat.not_answered': 'not answered yet',
    'sync.title': 'Sync', 'sync.explain': 'Sends what was recorded here to the office, and brings the cases and providers this device needs.',
    'sync.now': 'Sync now', 'sync.progress': 'Sync progress',
    'sync.done': 'Done: {acknowledged} changesets acknowledged, {received} changes received, {pending} changes still waiting.',
    'sync.error.io': 'The server cannot be reached (offline?): nothing is lost, try again later.',
    'sync.error.revoked': 'The office has revoked this device.',
    'sync.error.permission_denied': 'The server refused this device.',
    'sync.error.lease_expired': 'This device has been offline too long.',
    'wipe.title': 'Wipe this device', 'wipe.explain': 'Destroys every record, draft and key on this computer. Nothing can be recovered. Records not yet synced are lost.',
    'wipe.type': 'Type {word} to confirm', 'wipe.button': 'Wipe everything', 'wipe.done': 'Wiped',
    'bundle.title': 'Without a network: a USB stick', 'bundle.explain': 'Write what is waiting to a sealed file for the office, or apply the file the office made for this device.',
    'bundle.file': 'File on the USB stick (full path)', 'bundle.export': 'Write a bundle', 'bundle.import': 'Apply a bundle',
    'bundle.exported': '{changesets} changesets written to {file}.', 'bundle.imported': 'Applied: {pending} changes still waiting.',
    'sheet.open': 'Referral sheet for the provider', 'sheet.title': 'Referral', 'sheet.date': 'Date',
    'sheet.case': 'Case reference', 'sheet.service': 'Service', 'sheet.urgency': 'Urgency', 'sheet.reason': 'Reason',
    'sheet.respond_within': 'Respond within (days)', 'sheet.provider': 'Provider', 'sheet.provider_contact': 'Contact',
    'sheet.client': 'The client', 'sheet.print': 'Print',
    'sheet.withheld': 'The client did not consent to sharing their identity: only sex and age band are given.',
  },
  ar: {
    'nav.home': 'الرئيسية', 'nav.records': 'السجلات', 'nav.cases': 'الحالات', 'nav.sync': 'المزامنة', 'nav.wipe': 'المسح',
    lock: 'قفل', search: 'بحث', yes: 'نعم', no: 'لا', 'error.title': 'حدث خطأ',
    'unlock.title': 'فتح القفل', 'unlock.explain': 'السجلات على هذا الحاسوب مشفرة. أدخل عبارة المرور لفتحها.',
    'unlock.passphrase': 'عبارة المرور', 'unlock.button': 'فتح', 'unlock.done': 'فُتح القفل',
    'home.title': 'ما يجب عمله', 'home.followups': 'متابعات مستحقة', 'home.review': 'للمراجعة',
    'home.drafts': 'المسودات', 'home.waiting': 'بانتظار المزامنة', 'home.new': 'ابدأ استمارة',
    'home.none_due': 'لا متابعة مستحقة.', 'home.nothing_to_review': 'لا شيء للمراجعة.', 'home.no_drafts': 'لا مسودات.',
    'home.overdue': 'متأخرة منذ', 'home.due': 'مستحقة في', 'home.answered': '{count} إجابة',
    'home.pending': '{count} تغييرات بانتظار الإرسال.',
    'home.discard': 'تجاهل', 'home.discard_draft': 'تجاهل مسودة {form}',
    'home.discard_confirm': 'هل تريد التخلص من هذه المسودة؟ لا يمكن استعادة إجاباتها.',
    'records.title': 'السجلات', 'records.search': 'ابحث في السجلات', 'records.form': 'الاستمارة', 'records.created': 'أُنشئ',
    'records.id': 'المعرّف', 'records.none': 'لا سجلات.', 'records.edit': 'تعديل', 'records.history': 'السجل التاريخي',
    'records.case': 'حالته',
    'history.created': 'أُنشئ', 'history.changed': 'عُدّل', 'history.merged': 'من جهاز آخر أو من المكتب',
    'history.cleared': '(مُحي)',
    'cases.title': 'الحالات', 'cases.open': 'افتح حالة', 'cases.search': 'الاسم', 'cases.status': 'الوضع',
    'cases.any_status': 'أي وضع', 'cases.none': 'لا حالات.', 'cases.name': 'الاسم', 'cases.risk': 'الخطر',
    'cases.next_due': 'موعد المتابعة', 'cases.opened': 'فُتحت',
    'open.name': 'الاسم', 'open.sex': 'الجنس', 'open.age': 'العمر (بالسنوات)', 'open.location': 'الموقع أو القرية',
    'open.checked_duplicate': 'إن تحققت مع الشخص أنه ليس نفسه، اضغط «افتح حالة» مرة أخرى.',
    'sex.female': 'أنثى', 'sex.male': 'ذكر',
    'case.next': 'الخطوات التالية', 'case.no_next': 'لا خطوة يمكن تسجيلها على هذا الجهاز الآن.', 'case.timeline': 'الخطوات حتى الآن',
    'case.no_steps': 'لم تُسجل أي خطوة بعد.', 'case.values': 'ما تحمله الحالة', 'case.resume': 'استئناف: {form}',
    'status.identified': 'محدَّدة', 'status.registered': 'مسجَّلة', 'status.assessed': 'مقيَّمة',
    'status.planned': 'لها خطة', 'status.in_progress': 'قيد التنفيذ', 'status.closure_requested': 'طُلب إغلاقها',
    'status.closed': 'مغلقة', 'status.transferred': 'محوَّلة',
    'risk.low': 'خطر منخفض', 'risk.medium': 'خطر متوسط', 'risk.high': 'خطر مرتفع', 'risk.critical': 'خطر حرج',
    'referral.pending': 'قيد الانتظار', 'referral.accepted': 'مقبولة', 'referral.service_provided': 'قُدمت الخدمة',
    'referral.declined': 'مرفوضة', 'referral.no_response': 'بلا رد',
    'fill.question_of': 'السؤال {n} من {total}', 'fill.back': 'السابق', 'fill.next': 'التالي', 'fill.review': 'مراجعة',
    'fill.save_draft': 'احفظ المسودة وأغلق', 'fill.all_questions': 'كل الأسئلة', 'fill.has_error': 'يحتاج إلى انتباه',
    'fill.change': 'غيّر', 'fill.unanswered': 'بلا إجابة', 'fill.save_record': 'احفظ السجل',
    'fill.save_changes': 'احفظ التعديلات', 'fill.suggestions': 'مقدمو هذه الخدمة',
    'fill.locate': 'استعمل موقع هذا الجهاز', 'fill.page_of': 'الصفحة {n} من {total}',
    'fill.locate_failed': 'لم يُعطِ هذا الجهاز موقعه: اكتبه خط عرض ثم خط طول، مثلًا 12.91 23.48', 'fill.date_placeholder': '2026-11-20 أو 20/11/2026',
    'repeat.add': 'أضف إدخالًا', 'repeat.remove': 'احذف', 'repeat.none': 'لا إدخالات بعد.',
    'repeat.count': 'تطلب الاستمارة {count}.', 'repeat.full': 'عدد الإدخالات بقدر ما تطلبه الاستمارة: لا يمكن إضافة المزيد.',
    'repeat.confirm': 'أتحذف {entry} وكل إجاباته؟', 'repeat.confirm_yes': 'نعم، احذفه', 'repeat.cancel': 'أبقِه',
    'repeat.entries': '{count} من الإدخالات', 'repeat.remove_entry': 'احذف {entry}', 'repeat.not_answered': 'لم يُجب عنه بعد',
    'sync.title': 'المزامنة', 'sync.explain': 'ترسل ما سُجل هنا إلى المكتب، وتجلب الحالات ومقدمي الخدمات التي يحتاجها هذا الجهاز.',
    'sync.now': 'زامن الآن', 'sync.progress': 'تقدم المزامنة',
    'sync.done': 'تمت: {acknowledged} حزم مؤكدة، {received} تغييرات واردة، {pending} تغييرات ما زالت بالانتظار.',
    'sync.error.io': 'تعذّر الوصول إلى الخادم (لا اتصال؟): لم يضع شيء، حاول لاحقًا.',
    'sync.error.revoked': 'ألغى المكتب هذا الجهاز.',
    'sync.error.permission_denied': 'رفض الخادم هذا الجهاز.',
    'sync.error.lease_expired': 'بقي هذا الجهاز دون اتصال مدة طويلة.',
    'wipe.title': 'امسح هذا الجهاز', 'wipe.explain': 'يتلف كل سجل ومسودة ومفتاح على هذا الحاسوب. لا يمكن استعادة شيء. تضيع السجلات التي لم تُزامن.',
    'wipe.type': 'اكتب {word} للتأكيد', 'wipe.button': 'امسح كل شيء', 'wipe.done': 'تم المسح',
    'bundle.title': 'دون شبكة: ذاكرة USB', 'bundle.explain': 'اكتب ما ينتظر الإرسال في ملف مختوم للمكتب، أو طبّق الملف الذي أعده المكتب لهذا الجهاز.',
    'bundle.file': 'الملف على ذاكرة USB (المسار الكامل)', 'bundle.export': 'اكتب حزمة', 'bundle.import': 'طبّق حزمة',
    'bundle.exported': 'كُتبت {changesets} حزم في {file}.', 'bundle.imported': 'طُبّقت: {pending} تغييرات ما زالت بالانتظار.',
    'sheet.open': 'ورقة الإحالة لمقدم الخدمة', 'sheet.title': 'إحالة', 'sheet.date': 'التاريخ',
    'sheet.case': 'مرجع الحالة', 'sheet.service': 'الخدمة', 'sheet.urgency': 'الاستعجال', 'sheet.reason': 'السبب',
    'sheet.respond_within': 'الرد خلال (أيام)', 'sheet.provider': 'مقدم الخدمة', 'sheet.provider_contact': 'الاتصال',
    'sheet.client': 'المستفيد', 'sheet.print': 'اطبع',
    'sheet.withheld': 'لم يوافق المستفيد على مشاركة هويته: يُذكر الجنس وفئة العمر فقط.',
  },
};

const KEY = 'amana.language';
let current = localStorage.getItem(KEY) === 'ar' ? 'ar' : 'en';

export function language() { return current; }

export function applyLanguage() {
  document.documentElement.lang = current;
  document.documentElement.dir = current === 'ar' ? 'rtl' : 'ltr';
}

export function setLanguage(code) {
  current = code === 'ar' ? 'ar' : 'en';
  localStorage.setItem(KEY, current);
  applyLanguage();
}

// The string for `key` with {name} replaced; `fallback` when there is none (undefined:
// the key itself, so a missing string shows up in review).
export function t(key, args = {}, fallback) {
  let text = strings[current][key] ?? strings.en[key];
  if (text === undefined) return fallback === undefined ? key : fallback;
  for (const [name, value] of Object.entries(args || {})) text = text.replaceAll(`{${name}}`, String(value));
  return text;
}

export const _strings = strings;  // for the test that every key exists in both languages
