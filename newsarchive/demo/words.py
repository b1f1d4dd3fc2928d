"""Words the demo site's English and Arabic articles are made of."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    url: str
    breadcrumb: tuple[str, ...]


@dataclass(frozen=True)
class LanguagePack:
    """A language's share of the demo: sentences built from templates and word pools, so the
    articles read as news (a reader, a researcher and a search test can all follow them)."""

    locale: str
    direction: str
    subjects: tuple[str, ...]  # who acted, with the verb: "Security forces opened"
    works: tuple[str, ...]  # what they did it to: "a new water project"
    places: tuple[str, ...]
    times: tuple[str, ...]
    templates: tuple[str, ...]  # story sentences, with {subject} {work} {place} {time} {n} {org} {quote} {month}
    headline_templates: tuple[str, ...]
    quotes: tuple[str, ...]
    headings: tuple[str, ...]
    reader_comments: tuple[str, ...]
    edit_suffix: str  # what an edited headline gains
    correction: str  # the paragraph an edited article gains
    sections: tuple[Section, ...]
    author_pool: tuple[str, ...]
    commenter_pool: tuple[str, ...]
    sources: tuple[str, ...]
    byline_lead: str
    and_word: str
    months: tuple[str, ...]
    digits: str
    comments_label: str
    updated_word: str

    def _fill(self, template: str, rng) -> str:
        return template.format(
            subject=rng.choice(self.subjects), work=rng.choice(self.works), place=rng.choice(self.places),
            time=rng.choice(self.times), n=rng.choice((20, 35, 60, 120, 300, 1500)), org=rng.choice(self.sources),
            quote=rng.choice(self.quotes), month=rng.choice(self.months))

    def sentence(self, rng) -> str:
        text = self._fill(rng.choice(self.templates), rng)
        return text[0].upper() + text[1:]

    def headline(self, rng) -> str:
        text = self._fill(rng.choice(self.headline_templates), rng)
        return text[0].upper() + text[1:]

    def paragraph(self, rng, sentences: int | None = None) -> str:
        return " ".join(self.sentence(rng) for _ in range(sentences or rng.randint(2, 4)))

    def heading(self, rng) -> str:
        return rng.choice(self.headings)

    def caption(self, rng) -> str:
        text = self._fill(self.templates[0], rng)  # who did what, where, when
        return text[0].upper() + text[1:]

    def alt(self, rng) -> str:
        return f"{rng.choice(self.works)} {rng.choice(self.places)}"

    def comment(self, rng) -> str:
        return rng.choice(self.reader_comments)

    def credit(self, style: str, rng) -> str:
        if not style:
            return ""
        if self.locale == "ar":
            return "" if "File" in style else f"[الصورة من {rng.choice(self.sources)}]"
        return style.format(source=rng.choice(self.sources), agency=rng.choice(("AFP", "Reuters", "AP")),
                            author=rng.choice(self.author_pool))

    def credit_value(self, style: str, printed: str) -> str | None:
        """The credit a reader would name: the source without the lead-in."""
        if not printed or "File photo" in printed:
            return None
        inner = printed.strip("[]")
        for lead in ("Photo courtesy of the ", "Photo courtesy of ", "Photo: ", "Photo by ", "الصورة من "):
            if inner.startswith(lead):
                return inner[len(lead):]
        return inner

    def printed_date(self, iso_day: str) -> str:
        year, month, day = iso_day.split("-")
        if self.locale == "ar":
            to_local = str.maketrans("0123456789", self.digits)
            return f"{int(day)} {self.months[int(month) - 1]} {year}".translate(to_local)
        return iso_day

    def comment_count(self, count: int) -> str:
        number = str(count).translate(str.maketrans("0123456789", self.digits))
        return self.comments_label.format(number)

    def byline(self, authors: list[str]) -> str:
        if len(authors) <= 1:
            return authors[0] if authors else ""
        return ", ".join(authors[:-1]) + f" {self.and_word} " + authors[-1]


ENGLISH = LanguagePack(
    locale="en_GB", direction="ltr",
    subjects=("security forces opened", "the ministry announced", "local officials inspected", "the provincial "
              "council approved", "volunteers rebuilt", "farmers in the district welcomed", "the governor "
              "inaugurated", "police secured", "aid groups funded", "residents celebrated", "engineers completed",
              "the army reopened"),
    works=("a new water project", "the main bridge", "two schools", "a hospital wing", "the city market",
           "a road to the border", "a training centre for young people", "the old museum", "a youth festival",
           "a new electricity line", "the reconstruction of the grain silos", "a camp clinic for refugees"),
    places=("in Mosul", "in Basra", "in Erbil", "in Anbar province", "in the capital", "in Nineveh", "in Kirkuk",
            "in Deir Ezzor", "in Raqqa", "in Fallujah", "near the Syrian border", "in Salaheddine"),
    times=("on Monday", "on Tuesday", "last week", "this month", "on Sunday", "after two years of work",
           "on Thursday", "at the weekend"),
    templates=(
        "{subject} {work} {place} {time}.",
        "the work cost about {n} million dinars, according to {org}.",
        "more than {n} people took part in the project, a spokesman for {org} said.",
        "officials said the next stage would be finished by {month}.",
        '"{quote}," a resident told Diyaruna.',
        "{org} said security in the area had improved since the spring.",
        "{subject} {work} {place}, {org} said.",
        "local people said they had waited years for {work}.",
    ),
    headline_templates=("{subject} {work} {place}", "work on {work} begins {place} {time}",
                        "officials: {work} {place} ready by {month}"),
    quotes=("We waited a long time for this day", "This is good news for every family here",
            "Our children can go back to school now", "The work must continue next year",
            "Security is better than it was", "We hope the electricity stays on this summer"),
    headings=("A long wait", "Work to continue", "Security first", "What residents say", "The next stage"),
    reader_comments=("Good news, finally.", "We need the same in our village.", "Thank you for this report.",
                     "When will the road be repaired?", "I hope this lasts.", "My family lives there, this is true.",
                     "The schools need teachers too.", "Well done to the volunteers."),
    edit_suffix=", officials say", correction="Correction: an earlier version of this article gave the wrong "
                                              "cost of the project.",
    sections=(
        Section("/en_GB/news/iraq/security", ("Iraq News", "Security")),
        Section("/en_GB/news/iraq/politics", ("Iraq News", "Politics")),
        Section("/en_GB/news/syria/economy", ("Syria News", "Economy")),
        Section("/en_GB/news/society/culture", ("Society", "Culture")),
    ),
    author_pool=tuple(
        "Khalid al-Taie|Sara Ahmed|Waleed Abu al-Khair|Faris al-Omran|Hadeel Mohammed|Omar Rashid|"
        "Layla Hassan|Ammar al-Rubaie|Nour al-Din Ali|Samir Yousef|Huda Kareem|Mustafa Saleh|"
        "Rania Jaber|Yusuf Aziz|Dalia Nasser|Karim Fadel|Salma Haddad|Ziad Mahmoud|Mina Barzani|"
        "Adel Sabri".split("|")
    ),
    commenter_pool=("Ahmed", "Um Ali", "Reader from Basra", "Hassan K.", "Noor", "Abu Omar", "Sami", "Lina"),
    sources=("Kurdish Peshmerga Ministry", "Iraqi Ministry of Defence", "Joint Operations Command",
             "Nineveh Governorate", "UNICEF"),
    byline_lead="By", and_word="and",
    months=("January", "February", "March", "April", "May", "June", "July", "August", "September",
            "October", "November", "December"),
    digits="0123456789", comments_label="{} Comment(s)", updated_word="Updated",
)

ARABIC = LanguagePack(
    locale="ar", direction="rtl",
    subjects=("افتتحت القوات الأمنية", "أعلنت الوزارة عن", "تفقد المسؤولون المحليون", "أقر مجلس المحافظة",
              "أعاد المتطوعون بناء", "رحب المزارعون في المنطقة بـ", "افتتح المحافظ", "أمنت الشرطة",
              "موّلت منظمات الإغاثة", "احتفل السكان بـ", "أنجز المهندسون"),
    works=("مشروع جديد للمياه", "الجسر الرئيسي", "مدرستين", "جناح جديد في المستشفى", "سوق المدينة",
           "طريق إلى الحدود", "مركز لتدريب الشباب", "المتحف القديم", "مهرجان للشباب", "خط جديد للكهرباء"),
    places=("في الموصل", "في البصرة", "في أربيل", "في محافظة الأنبار", "في العاصمة", "في نينوى", "في كركوك",
            "في دير الزور", "في الرقة", "في الفلوجة"),
    times=("يوم الاثنين", "يوم الثلاثاء", "الأسبوع الماضي", "هذا الشهر", "يوم الأحد", "بعد عامين من العمل"),
    templates=(
        "{subject} {work} {place} {time}.",
        "وبلغت كلفة العمل نحو {n} مليون دينار، بحسب {org}.",
        "وشارك أكثر من {n} شخص في المشروع، وفقا لمتحدث باسم {org}.",
        "وقال مسؤولون إن المرحلة المقبلة ستنتهي في شهر {month}.",
        "وقال أحد السكان لديارنا: \"{quote}\".",
        "وأكدت {org} أن الوضع الأمني في المنطقة تحسن منذ الربيع.",
    ),
    headline_templates=("{subject} {work} {place}", "{work} {place} {time}"),
    quotes=("انتظرنا هذا اليوم طويلا", "هذا خبر سار لكل عائلة هنا", "يستطيع أطفالنا العودة إلى المدرسة الآن",
            "يجب أن يستمر العمل في العام المقبل", "الأمن أفضل مما كان"),
    headings=("انتظار طويل", "العمل مستمر", "الأمن أولا", "ماذا يقول السكان"),
    reader_comments=("خبر جميل أخيرا.", "نحتاج الشيء نفسه في قريتنا.", "شكرا على هذا التقرير.",
                     "متى سيتم إصلاح الطريق؟", "أتمنى أن يستمر ذلك.", "عائلتي تعيش هناك وهذا صحيح."),
    edit_suffix="، بحسب مسؤولين", correction="تصحيح: ذكرت نسخة سابقة من هذا المقال كلفة خاطئة للمشروع.",
    sections=(
        Section("/ar/news/iraq/security", ("أخبار العراق", "الأمن")),
        Section("/ar/news/syria/economy", ("أخبار سوريا", "الاقتصاد")),
    ),
    author_pool=tuple("خالد الطائي|سلام علي|أحمد حسين|وليد أبو الخير|هديل محمد|عمر راشد|ليلى حسن|سمير يوسف".split("|")),
    commenter_pool=("أبو علي", "قارئ من البصرة", "نور", "حسن", "أم أحمد"),
    sources=("وزارة الدفاع العراقية", "قيادة العمليات المشتركة", "وزارة البيشمركة"),
    byline_lead="بقلم", and_word="و",
    months=("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
            "أكتوبر", "نوفمبر", "ديسمبر"),
    digits="٠١٢٣٤٥٦٧٨٩", comments_label="{} تعليقات", updated_word="تم التحديث",
)

LANGUAGES = {"en_GB": ENGLISH, "ar": ARABIC}
