// The console's words in English and Arabic. The page's language and direction follow the
// choice, kept in localStorage; every text a page shows comes through t().
const texts = {
  en: {
    title: 'Amana office console', skip: 'Skip to content', other_language: 'العربية', nav: 'Console',
    sign_in: 'Sign in', user_name: 'User name', password: 'Password', sign_out: 'Sign out',
    have_invitation: 'I have an invitation', invitation: 'Set your password', invitation_code: 'Invitation code',
    new_password: 'New password (at least 10 characters)', set_password: 'Set password',
    password_set: 'Your password is set. Sign in with it.', back_to_sign_in: 'Back to sign in',
    dashboard: 'Dashboard', cases: 'Cases', users: 'Users', devices: 'Devices', audit: 'Audit log',
    reports: 'Datasets and reports', account: 'My account',
    not_synced: 'Devices not synced for 7 days', past_lease: 'Devices past the offline lease',
    open_conflicts: 'Open conflicts', closures_awaiting: 'Closures awaiting approval', findings: 'Weekly review',
    none: 'None.', reference: 'Case', name: 'Name', status: 'Status', risk: 'Risk', assignee: 'Assigned to',
    opened: 'Opened', steps: 'Steps', search_name: 'Search by name (Arabic or Latin)', filter: 'Filter',
    any: 'any', case_file: 'Case file', values: 'The case', answers: 'Answers', history: 'History',
    field: 'Field', value: 'Value', when: 'When', who: 'Who', assign: 'Assign', assign_to: 'Assign to',
    approve_closure: 'Approve closure', reject_closure: 'Reject closure', reopen: 'Reopen',
    closure_request: 'Closure requested', done: 'Done.', role: 'Role', team: 'Team', active: 'Active',
    deactivated: 'deactivated', yes: 'yes', no: 'no', has_password: 'Console password', locked: 'locked',
    invite: 'Invite', unlock: 'Unlock', deactivate: 'Deactivate', change: 'Change', add_user: 'Add a user',
    add: 'Add', code_for: 'Invitation code for {user}: give it to them in person. It works once.',
    device: 'Device', user: 'User', enrolled: 'Enrolled', last_sync: 'Last sync', revoked: 'revoked',
    revoke: 'Revoke', enroll: 'Enroll a device for', enroll_button: 'Issue a code',
    enroll_code: 'Enrollment code for {user}: type it on the device, or scan the QR code.',
    qr_label: 'QR code of the enrollment code', never: 'never',
    audit_intact: 'The audit chain is intact: {total} entries, head {seq} {hash}. Write the head down to compare later.',
    audit_broken: 'The audit chain is broken: {problem}', seq: '#', actor: 'Actor', action: 'Action',
    subject: 'Subject', detail: 'Detail', monthly_report: 'Monthly report', period: 'Month (YYYY-MM)',
    download: 'Download', own_account: 'Signed in as {user} ({role}{team}).',
    confirm_deactivate: 'Deactivate {user}? Their devices are revoked and wipe themselves.',
    confirm_revoke: 'Revoke device {id}? It wipes itself at its next contact.',
    role_assistant: 'assistant', role_officer: 'officer', role_meal: 'MEAL', role_admin: 'administrator',
    failed: 'The server could not be reached: check the connection and try again.',
    transfer_to: 'Transfer to organisation', transfer: 'Transfer', conflicts: 'Conflicts', earlier: 'One version',
    later: 'The other version', keep: 'Keep this',
  },
  ar: {
    title: 'لوحة مكتب أمانة', skip: 'انتقل إلى المحتوى', other_language: 'English', nav: 'اللوحة',
    sign_in: 'تسجيل الدخول', user_name: 'اسم المستخدم', password: 'كلمة المرور', sign_out: 'تسجيل الخروج',
    have_invitation: 'لدي دعوة', invitation: 'اختر كلمة المرور', invitation_code: 'رمز الدعوة',
    new_password: 'كلمة مرور جديدة (10 أحرف على الأقل)', set_password: 'احفظ كلمة المرور',
    password_set: 'تم حفظ كلمة المرور. سجّل الدخول بها.', back_to_sign_in: 'العودة إلى تسجيل الدخول',
    dashboard: 'الرئيسية', cases: 'الحالات', users: 'المستخدمون', devices: 'الأجهزة', audit: 'سجل التدقيق',
    reports: 'البيانات والتقارير', account: 'حسابي',
    not_synced: 'أجهزة لم تتزامن منذ 7 أيام', past_lease: 'أجهزة تجاوزت مدة العمل دون اتصال',
    open_conflicts: 'تعارضات مفتوحة', closures_awaiting: 'إغلاقات تنتظر الموافقة', findings: 'المراجعة الأسبوعية',
    none: 'لا شيء.', reference: 'الحالة', name: 'الاسم', status: 'الوضع', risk: 'الخطورة', assignee: 'مسندة إلى',
    opened: 'فُتحت', steps: 'الخطوات', search_name: 'ابحث بالاسم (بالعربية أو اللاتينية)', filter: 'تصفية',
    any: 'الكل', case_file: 'ملف الحالة', values: 'الحالة', answers: 'الإجابات', history: 'السجل',
    field: 'الحقل', value: 'القيمة', when: 'متى', who: 'من', assign: 'إسناد', assign_to: 'أسند إلى',
    approve_closure: 'وافق على الإغلاق', reject_closure: 'ارفض الإغلاق', reopen: 'أعد الفتح',
    closure_request: 'طلب إغلاق', done: 'تم.', role: 'الدور', team: 'الفريق', active: 'نشط',
    deactivated: 'معطّل', yes: 'نعم', no: 'لا', has_password: 'كلمة مرور اللوحة', locked: 'مقفل',
    invite: 'دعوة', unlock: 'فتح القفل', deactivate: 'تعطيل', change: 'تغيير', add_user: 'إضافة مستخدم',
    add: 'أضف', code_for: 'رمز الدعوة لـ {user}: سلّمه له شخصيًا. يعمل مرة واحدة.',
    device: 'الجهاز', user: 'المستخدم', enrolled: 'سُجّل', last_sync: 'آخر مزامنة', revoked: 'ملغى',
    revoke: 'إلغاء', enroll: 'تسجيل جهاز لـ', enroll_button: 'أصدر رمزًا',
    enroll_code: 'رمز التسجيل لـ {user}: اكتبه على الجهاز أو امسح رمز QR.',
    qr_label: 'رمز QR لرمز التسجيل', never: 'أبدًا',
    audit_intact: 'سلسلة التدقيق سليمة: {total} قيدًا، الرأس {seq} {hash}. دوّن الرأس لتقارنه لاحقًا.',
    audit_broken: 'سلسلة التدقيق مكسورة: {problem}', seq: '#', actor: 'الفاعل', action: 'الإجراء',
    subject: 'الموضوع', detail: 'التفاصيل', monthly_report: 'التقرير الشهري', period: 'الشهر (YYYY-MM)',
    download: 'تنزيل', own_account: 'أنت مسجّل باسم {user} ({role}{team}).',
    confirm_deactivate: 'تعطيل {user}؟ تُلغى أجهزته وتمسح نفسها.',
    confirm_revoke: 'إلغاء الجهاز {id}؟ سيمسح نفسه عند اتصاله التالي.',
    role_assistant: 'مساعد', role_officer: 'مسؤول حماية', role_meal: 'المتابعة والتقييم', role_admin: 'مسؤول النظام',
    failed: 'تعذّر الوصول إلى الخادم: تحقّق من الاتصال وحاول مرة أخرى.',
    transfer_to: 'تحويل إلى منظمة', transfer: 'تحويل', conflicts: 'التعارضات', earlier: 'نسخة',
    later: 'النسخة الأخرى', keep: 'احتفظ بهذه',
  },
};

let language = localStorage.getItem('amana-console-language') === 'ar' ? 'ar' : 'en';

export function currentLanguage() { return language; }

export function setLanguage(next) {
  language = next === 'ar' ? 'ar' : 'en';
  localStorage.setItem('amana-console-language', language);
  document.documentElement.lang = language;
  document.documentElement.dir = language === 'ar' ? 'rtl' : 'ltr';
  document.title = t('title');
}

export function t(key, args = {}) {
  const text = texts[language][key] ?? texts.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in args ? String(args[name]) : whole));
}

// A server error's message in the page's language.
export function serverMessage(error) {
  if (error && error.message && typeof error.message === 'object') return error.message[language] || error.message.en;
  return t('failed');
}
