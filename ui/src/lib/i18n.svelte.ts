// English and Swahili, switchable at any time. Every key exists in both (a unit test checks).

export type Language = 'en' | 'sw';

export const messages = {
  en: {
    app_title: 'Tillbook',
    setup_title: 'Set up this till',
    setup_server: 'Server address',
    setup_code: 'Enrolment code',
    setup_name: 'Name of this till',
    setup_enrol: 'Enrol with the server',
    setup_demo: 'Run as a demo till',
    login_title: 'Who is at the till?',
    login_pin: 'PIN',
    login_enter: 'Log in',
    login_clear: 'Clear',
    logout: 'Log out',
    shift_title: 'Open the drawer',
    shift_float: 'Cash in the drawer to start (float)',
    shift_open: 'Open the drawer',
    sale_title: 'Sale',
    sale_search: 'Search by name or scan a barcode',
    sale_empty: 'Tap a product to add it',
    sale_total: 'Total',
    sale_vat: 'of which VAT',
    sale_clear: 'Clear the sale',
    pay_cash: 'Cash',
    pay_mpesa: 'M-Pesa',
    pay_tendered: 'Cash received',
    pay_mpesa_code: 'M-Pesa code',
    pay: 'Pay',
    receipt_title: 'Receipt',
    receipt_change: 'Change',
    receipt_print: 'Print',
    receipt_next: 'Next sale',
    sync_online: 'Online',
    sync_offline: 'Offline',
    sync_demo: 'Demo till (not syncing)',
    sync_pending: 'waiting to sync',
    sync_quarantined: 'need attention',
    error_amount: 'Enter the cash received, for example 500',
    language: 'Kiswahili',
  },
  sw: {
    app_title: 'Tillbook',
    setup_title: 'Andaa mashine hii',
    setup_server: 'Anwani ya seva',
    setup_code: 'Nambari ya usajili',
    setup_name: 'Jina la mashine hii',
    setup_enrol: 'Sajili kwenye seva',
    setup_demo: 'Tumia kama mashine ya majaribio',
    login_title: 'Nani yuko kwenye mashine?',
    login_pin: 'PIN',
    login_enter: 'Ingia',
    login_clear: 'Futa',
    logout: 'Toka',
    shift_title: 'Fungua droo',
    shift_float: 'Pesa taslimu ya kuanzia kwenye droo',
    shift_open: 'Fungua droo',
    sale_title: 'Mauzo',
    sale_search: 'Tafuta kwa jina au changanua msimbo',
    sale_empty: 'Gusa bidhaa kuiongeza',
    sale_total: 'Jumla',
    sale_vat: 'ambayo ni VAT',
    sale_clear: 'Futa mauzo',
    pay_cash: 'Pesa taslimu',
    pay_mpesa: 'M-Pesa',
    pay_tendered: 'Pesa iliyopokelewa',
    pay_mpesa_code: 'Nambari ya M-Pesa',
    pay: 'Lipa',
    receipt_title: 'Risiti',
    receipt_change: 'Chenji',
    receipt_print: 'Chapisha',
    receipt_next: 'Mauzo yanayofuata',
    sync_online: 'Mtandaoni',
    sync_offline: 'Nje ya mtandao',
    sync_demo: 'Mashine ya majaribio (haisawazishi)',
    sync_pending: 'zinasubiri kusawazishwa',
    sync_quarantined: 'zinahitaji uangalizi',
    error_amount: 'Weka pesa iliyopokelewa, kwa mfano 500',
    language: 'English',
  },
} as const;

export type MessageKey = keyof (typeof messages)['en'];

export const i18n = $state({ language: 'en' as Language });

export function t(key: MessageKey): string {
  return messages[i18n.language][key];
}

export function toggleLanguage(): void {
  i18n.language = i18n.language === 'en' ? 'sw' : 'en';
}
