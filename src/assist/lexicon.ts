import type { Label } from './labels.js';
import { normalizeChars } from './normalize.js';

/**
 * What a caseworker knows before reading a single training line: the words
 * that point to an institution, in English, Roman Urdu and Urdu script. Each
 * hit becomes one feature per label ("lex BANK"), whose weight the model
 * learns like any other; so a word the corpus has never seen in a sentence
 * still carries its institution's name. Entries are matched after
 * normalisation; an entry ending in "*" matches as a word prefix (so
 * "hospital*" matches "hospitals", "ہسپتال*" matches "ہسپتالوں"); an entry
 * with a space is a phrase of consecutive words.
 */
const TERMS: Record<Label, string> = {
  BISP: `bisp benazir* kafalat* ehsaas* ehsas* 8171 nser nashonuma* nashonma taleemi wazaif* wazifa* imdad* beneficiar* campsite* qist qisten qiston instalment* installment* poverty survey* enumerator* retailer* franchise* mustahiq* eligib* ineligib* kati katoti
    income support* sasti sarwe bisp.gov
    بینظیر* بےنظیر* کفالت* احساس* قسط* قسطیں قسطوں سروے* مستحق* اہلیت* نااہل* ایجنٹ* ریٹیلر* فرنچائز* امداد* وظائف* نشوونما* کیمپ* غربت* بی آئی ایس پی`,
  BANK: `bank* atm* debit* credit card* card block* account* acount* iban raast ibft hbl ubl mcb meezan alfalah allied askari faysal js bank* nbp national bank bop bank of punjab habib* standard chartered
    cheque* check book chequebook branch* manager* loan* markup* remittance* transaction* transfer* deducted* debited* cash deposit* dormant* kyc otp* pin zakat* fd locker* easypaisa* easy paisa jazzcash* jazz cash konnect* omni* wallet* microfinance* pension* overdraft* statement* withdraw* dispens* swallow* skimm* state bank sbp
    بینک* اے ٹی ایم* اکاؤنٹ* اکاونٹ* اے ٹی ایم کارڈ* چیک بک* چیک باؤنس* برانچ* قرض* ترسیلات* رقم منتقل* ٹرانزیکشن* ٹرانسفر* کیش* پنشن* زکوۃ* زکوٰۃ* جاز کیش* ایزی پیسہ* والٹ* ڈیبٹ* کریڈٹ* لاکر* راست منیجر* سٹیٹمنٹ* او ٹی پی*`,
  NADRA: `nadra* cnic* nicop* poc card* smart card* shanakhti* identity card* id card* b-form* bform* b form* birth certificate* frc family registration* family tree* marital status* date of birth* dob token* pak identity* 8008 renewal* renew* duplicate card* reprint* fingerprint* finger print* biometric* verification* expir* mobile van* registration van* alien* dual entry* tracking id* father's name spelling*
    نادرا* شناختی* ب فارم* بے فارم* فارم ب* پیدائش* فیملی ٹری* خاندانی* تجدید* انگوٹھ* انگلیوں* بائیومیٹرک* تصدیق* میعاد* معیاد* نائیکوپ* سمارٹ کارڈ* ٹوکن* غیر ملکی*`,
  TELCO: `sim* jazz* zong* telenor* ufone* warid* ptcl* pta* dirbs imei* 668 4g 3g 2g signal* network* tower* internet* data bundle* bundle* package* balance* load easyload* recharge* call drop* call* sms* franchise* porting port mnp roaming* caller tune* subscription* subscribe* vas broadband* wifi* stormfiber* nayatel* fiber* landline* postpaid* prepaid* sim swap* otp sms* helpline 111 mobile company* operator*
    سم سمیں جاز* زونگ* ٹیلی نار* ٹیلینار* یوفون* پی ٹی سی ایل* پی ٹی اے* سگنل* نیٹ ورک* ٹاور* انٹرنیٹ* پیکج* بیلنس* لوڈ ایزی لوڈ* کال کالیں پیغامات* براڈبینڈ* لینڈ لائن* موبائل کمپنی* سبسکرپشن* رومنگ* آئی ایم ای آئی*`,
  ELECTRICITY: `bijli* bjli* electric* electricity* power* light* load shedding* loadshedding* load-shedding* shedding* wapda* lesco* iesco* mepco* fesco* gepco* pesco* hesco* sepco* qesco* tesco* kesc* k-electric* k electric* meter* transformer* trafo* wire* taar* pole poles khamba* khambay* khambe* voltage* volt* fuse* trip* lineman* line man* sdo* feeder* sub division* subdivision* unit* units* fuel adjustment* fpa detection bill* overbilling* over billing* net metering* solar* 118 inverter* ups spark* current* reading* meter reader*
    بجلی* واپڈا* لیسکو* آئیسکو* میپکو* فیسکو* گیپکو* پیسکو* حیسکو* سیپکو* کیسکو* کے الیکٹرک* الیکٹرک* لوڈشیڈنگ* لوڈ شیڈنگ* میٹر* ٹرانسفارمر* تار تاریں کھمبا* کھمبے* وولٹیج* لائن مین* فیڈر* یونٹ* فیول* سولر* نیٹ میٹرنگ* کرنٹ* سپارکنگ* ریڈنگ* بل`,
  WATER_SANITATION: `pani* paani* water* wasa* kwsc* water board* sewer* sewerage* sewage* gutter* gatar* gattar* nali* naali* nala* nalla* nullah* drain* drainage* manhole* main hole* tanker* tubewell* tube well* pipeline* pipe* leak leaking leakage supply line* filter plant* filtration* ro plant* hand pump* handpump* nalka* nalkay* tap* taps* tanki* tank* kachra* kachray* garbage* trash* waste* sweeper* safai* sanitation* sanitary* toilet* latrine* septic* overflow* ubal* stagnant* nikasi* mosquito* machar* tma municipal* lwmc* solid waste* dengue larva*
    پانی* واسا* واٹر* سیوریج* گٹر* نالی* نالیاں* نالہ* نالے* نکاسی* مین ہول* ٹینکر* ٹیوب ویل* پائپ* لیکج فلٹر* ہینڈ پمپ* نلکا* نلکے* نل* ٹینکی* کچرا* کچرے* کوڑا* خاکروب* صفائی* بیت الخلا* سیپٹک* ابل* جوہڑ* مچھر* بلدیہ* میونسپل* ٹی ایم اے* آرسینک* گدلا* کھارا*`,
  POLICE: `police* thana* thane* thanay* fir* f.i.r* sho* asi* dsp* ssp* dpo* constable* moharrar* muharrar* chowki* naka* checkpost* 15 madadgar* rescue 15 dolphin* warden* traffic police* motorway police* chori* theft* thief* thieves* stolen* steal* rob* robbery* robbed* dacoit* dakait* dakaiti* daku* snatch* chheen* chhin* looted* loot* murder* qatil* qatl* kidnap* aghwa* abduct* missing person* missing report* lapata* harass* tang* blackmail* threat* dhamki* dhamkiyan* extortion* bhatta* firing* fire* pistol* gun gunpoint* aslaha* drug* nasha* nashay* manshiyat* gambling* jua* beat* maar* torture* tashadud* violence* assault* fraud gang* cyber crime* cybercrime* fia* arrest* giraftar* warrant* bail* zamanat* parcha* case register* qabza group* investigation* tafteesh*
    پولیس* تھانہ* تھانے* ایف آئی آر* ایس ایچ او* اے ایس آئی* کانسٹیبل* محرر* چوکی* ناکے* ناکہ* چوری* چور* ڈکیتی* ڈاکو* ڈاکوؤں* چھین* لوٹ* قتل* قاتل* اغوا* لاپتہ* ہراس* بلیک میل* دھمکی* دھمکیاں* بھتہ* فائرنگ* پستول* اسلحہ* اسلحے* منشیات* جوا* تشدد* مار پیٹ* گرفتار* وارنٹ* ضمانت* مقدمہ* تفتیش* سائبر*`,
  HEALTH: `hospital* aspatal* haspatal* hsptl* doctor* dr daktar* nurse* ward wards emergency* opd* bhu rhc thq dhq civil hospital* dispensary* clinic* medicine* medicines* dawai* dawa* dawaiyan* tablet* injection* teeka* teeke* vaccine* vaccinat* polio* dengue* malaria* tb dots* hepatitis* insulin* sugar* diabetes* dialysis* x-ray* xray* ultrasound* ct scan* mri* lab test* blood* ambulance* 1122 sehat card* sehat sahulat* health card* lady health* lhw lhv patient* mareez* mariz* ilaj* treatment* operation* surgery* surgeon* delivery* zachgi* pregnan* gynae* maternity* labour room* incubator* ventilator* oxygen* rabies* snake bite* measles* quack* atai* pharmacy* medical store* prescription* parchi* health department* bukhar* fever* cancer* heart*
    ہسپتال* اسپتال* ڈاکٹر* نرس* وارڈ* ایمرجنسی* او پی ڈی* بی ایچ یو* مرکز صحت* ڈسپنسری* کلینک* دوائی* دوا* دوائیں* ادویات* انجکشن* ٹیکے* ٹیکہ* ویکسین* پولیو* ڈینگی* ملیریا* ٹی بی* ہیپاٹائٹس* انسولین* ڈائیلاسز* ایکسرے* الٹرا ساؤنڈ* خون* ایمبولینس* ریسکیو* صحت* مریض* علاج* آپریشن* سرجن* زچگی* زچہ* حاملہ* لیبر روم* انکیوبیٹر* وینٹی لیٹر* آکسیجن* ریبیز* خسرہ* عطائی* فارمیسی* میڈیکل سٹور* نسخہ* بخار* کینسر* دل کا*`,
  EDUCATION: `school* skool* iskool* college* university* univ* madrassa* madrasa* teacher* ustad* ustani* ustaniyan* headmaster* headmistress* principal* lecturer* professor* class* classes* student* students* parhai* padhai* taleem* education* admission* dakhla* dakhila* tuition* textbook* textbooks* kitab* kitaben* kitabain* book* books* uniform* exam* exams* board bise matric* inter intermediate* result* marks* roll number* degree* transcript* hec* scholarship* hostel* ghost school* attendance* 5th 8th 9th 10th pec eef daanish* aiou*
    سکول* اسکول* کالج* یونیورسٹی* جامعہ* مدرسہ* مدرسے* استاد* استانی* اساتذہ* ہیڈ ماسٹر* ہیڈ مسٹریس* پرنسپل* لیکچرار* پروفیسر* جماعت* طالب* طلبہ* طالبات* پڑھائی* تعلیم* تعلیمی* داخلہ* داخلے* ٹیوشن* کتاب* کتابیں* وردی* امتحان* امتحانی* پرچہ* بورڈ میٹرک* انٹر نتیجہ* نمبر کم* رول نمبر* ڈگری* ٹرانسکرپٹ* ایچ ای سی* ہاسٹل* حاضری*`,
  LAND_REVENUE: `patwari* patwar* fard* mutation* registry* registration of land* sub registrar* sub-registrar* subregistrar* tehsildar* tahsildar* naib tehsildar* qanungo* qanoongo* girdawar* girdawari* khasra* khewat* khatauni* khatooni* jamabandi* mauza* mouza* mauzah* kanal* marla* acre* zameen* zamin* land plot* property* wirasat* virasat* inheritance* hiba* taksim* partition* demarcation* nishandahi* hadbandi* paimaish* measurement* arazi* plra* land record* revenue* board of revenue* bor stamp paper* stamp duty* registry office* malia* abiana* shamlat* abadi deh* chakbandi* consolidation* lal kitab* shajra* record of rights* domicile*
    پٹواری* پٹوار* فرد* رجسٹری* سب رجسٹرار* تحصیلدار* قانونگو* گرداور* گرداوری* خسرہ* کھیوٹ* کھتونی* جمع بندی* جمعبندی* موضع* کنال* مرلہ* مرلے* ایکڑ* زمین* اراضی* پلاٹ* جائیداد* وراثت* وراثتی* ہبہ* تقسیم* نشاندہی* حد بندی* حدبندی* پیمائش* محکمہ مال* ریونیو* بورڈ آف ریونیو* سٹامپ* مالیہ* آبیانہ* شاملات* آبادی دیہہ* چک بندی* شجرہ*`,
};

/** Single words: exact → labels; prefixes kept apart so that a lookup tries each prefix length. */
const exact = new Map<string, Set<Label>>();
const prefixes = new Map<string, Set<Label>>();
/** Phrases, by their first word: the rest of the words and whether the last is a prefix. */
const phrases = new Map<string, { rest: string[]; prefix: boolean; label: Label }[]>();
let longestPrefix = 0;

for (const [label, text] of Object.entries(TERMS) as [Label, string][]) {
  for (const raw of text.split(/\s+/)) {
    if (raw === '') continue;
    const prefix = raw.endsWith('*');
    const words = normalizeChars(prefix ? raw.slice(0, -1) : raw)
      .split(/[\s\-]+/)
      .filter((w) => w !== '');
    if (words.length === 0) continue;
    if (words.length === 1) {
      const word = words[0] as string;
      // A prefix of one or two letters would match too much; it counts as a whole word.
      const map = prefix && word.length >= 3 ? prefixes : exact;
      if (!map.has(word)) map.set(word, new Set());
      (map.get(word) as Set<Label>).add(label);
      if (map === prefixes) longestPrefix = Math.max(longestPrefix, word.length);
    }
    // Every entry is also a phrase candidate by its words, so that a word
    // split differently in the text ("load shedding" / "loadshedding") can
    // match either way; single words were handled above.
    if (words.length > 1) {
      const first = words[0] as string;
      if (!phrases.has(first)) phrases.set(first, []);
      (phrases.get(first) as { rest: string[]; prefix: boolean; label: Label }[]).push({ rest: words.slice(1), prefix, label });
    }
  }
}

/** Labels whose terms appear in the (normalised) words, one entry per hit. */
export function lexiconHits(words: readonly string[]): Label[] {
  const hits: Label[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    const found = new Set<Label>(exact.get(word) ?? []);
    for (let n = Math.min(word.length, longestPrefix); n >= 3; n--) {
      for (const label of prefixes.get(word.slice(0, n)) ?? []) found.add(label);
    }
    for (const phrase of phrases.get(word) ?? []) {
      let ok = true;
      for (let j = 0; j < phrase.rest.length && ok; j++) {
        const next = words[i + 1 + j];
        const want = phrase.rest[j] as string;
        const last = j === phrase.rest.length - 1;
        ok = next !== undefined && (next === want || (last && phrase.prefix && next.startsWith(want)));
      }
      if (ok) found.add(phrase.label);
    }
    hits.push(...found);
  }
  return hits;
}
