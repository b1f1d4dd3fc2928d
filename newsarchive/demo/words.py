"""Words the demo site's English and Arabic articles are made of."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    url: str
    breadcrumb: tuple[str, ...]


@dataclass(frozen=True)
class LanguagePack:
    locale: str
    direction: str
    words: tuple[str, ...]
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

    def sentence(self, rng, words: int | None = None) -> str:
        count = words or rng.randint(8, 18)
        text = " ".join(rng.choice(self.words) for _ in range(count))
        return (text[0].upper() + text[1:] if self.locale != "ar" else text) + "."

    def headline(self, rng) -> str:
        return self.sentence(rng, words=rng.randint(5, 9)).rstrip(".")

    def paragraph(self, rng, sentences: int | None = None) -> str:
        return " ".join(self.sentence(rng) for _ in range(sentences or rng.randint(2, 5)))

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
    words=tuple(
        "security forces officials ministry operation border province government council residents "
        "reconstruction market water electricity schools hospital volunteers farmers drought harvest "
        "investment trade road bridge police army militants remnants cell network weapons cache "
        "checkpoint patrol governor mayor election parliament budget reform youth women students "
        "university festival museum heritage mosque church refugees camp aid convoy donors project "
        "region district village city capital coalition training joint centres intelligence survey "
        "announced said stressed added reported confirmed launched opened arrested seized rebuilt".split()
    ),
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
    words=tuple(
        "القوات الأمنية الوزارة العملية الحدود المحافظة الحكومة المجلس السكان الإعمار السوق المياه "
        "الكهرباء المدارس المستشفى المتطوعون المزارعون الجفاف الحصاد الاستثمار التجارة الطريق الجسر "
        "الشرطة الجيش المسلحين فلول الخلية الأسلحة نقطة تفتيش دورية المحافظ الانتخابات البرلمان "
        "الميزانية الإصلاح الشباب النساء الطلاب الجامعة المهرجان المتحف التراث النازحين المخيم "
        "المساعدات المنطقة القرية المدينة العاصمة التحالف التدريب المشتركة الاستخبارات أعلن قال أكد "
        "أضاف أفاد افتتح اعتقل ضبط".split()
    ),
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
