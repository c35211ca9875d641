"""A believable, made-up university for demos, tests and benchmarks — never real people.

``build_university(n, seed)`` returns colleges, majors, classes, dorm rooms and ``StudentRow``s. It is
pure Python with no ORM, so ``careledger demo`` (which writes the rows with ``bulk_create``) and
``bench/import_roster.py`` (which writes them to an .xlsx roster) share the same generator. The same
seed gives the same university.

Every generated 身份证号 carries a real area code, the student's birth date, an order code whose parity
matches the gender, and a valid GB 11643-1999 check character; 学号 are
``{grade}{college 2 digits}{major 2 digits}{sequence 4 digits}``.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from careledger.core.services import PeriodInput
from careledger.roster.rules import id_number_check_char

GRADES = ("2022", "2023", "2024", "2025")
STUDENTS_PER_COLLEGE = 1500
MIN_COLLEGES, MAX_COLLEGES = 4, 24
CLASS_MIN, CLASS_MAX = 40, 55

# fmt: off
# (college, share of women, majors). Major names are unique across the school, so class names are too.
COLLEGES: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("文学与新闻传播学院", 0.78, ("汉语言文学", "新闻学", "广播电视学", "秘书学")),
    ("数学与计算机科学学院", 0.38, ("数学与应用数学", "计算机科学与技术", "软件工程", "数据科学与大数据技术")),
    ("外国语学院", 0.85, ("英语", "日语", "商务英语", "翻译")),
    ("物理与电子信息学院", 0.30, ("物理学", "电子信息工程", "通信工程", "光电信息科学与工程")),
    ("化学化工学院", 0.52, ("化学", "应用化学", "化学工程与工艺")),
    ("生命科学学院", 0.62, ("生物科学", "生物技术", "食品科学与工程", "园林")),
    ("地理与环境工程学院", 0.50, ("地理科学", "人文地理与城乡规划", "环境工程", "地理信息科学")),
    ("历史文化与旅游学院", 0.66, ("历史学", "旅游管理", "酒店管理", "文物与博物馆学")),
    ("马克思主义学院", 0.72, ("思想政治教育", "政治学与行政学")),
    ("教育科学学院", 0.82, ("教育学", "学前教育", "小学教育", "应用心理学")),
    ("音乐学院", 0.70, ("音乐学", "音乐表演", "舞蹈学")),
    ("美术学院", 0.64, ("美术学", "视觉传达设计", "环境设计", "产品设计")),
    ("体育学院", 0.28, ("体育教育", "社会体育指导与管理", "运动训练")),
    ("经济管理学院", 0.64, ("经济学", "财务管理", "市场营销", "物流管理")),
    ("政法学院", 0.63, ("法学", "行政管理", "社会工作")),
    ("商学院", 0.68, ("会计学", "国际经济与贸易", "电子商务")),
    ("稀土与材料学院", 0.32, ("材料科学与工程", "冶金工程", "功能材料")),
    ("智能制造与交通学院", 0.18, ("机械设计制造及其自动化", "车辆工程", "交通运输")),
    ("土木与建筑工程学院", 0.30, ("土木工程", "建筑学", "工程管理")),
    ("公共管理学院", 0.66, ("公共事业管理", "劳动与社会保障", "土地资源管理")),
    ("信息工程学院", 0.30, ("网络工程", "物联网工程", "人工智能")),
    ("农林学院", 0.48, ("园艺", "植物保护", "林学")),
    ("医学院", 0.72, ("护理学", "药学", "康复治疗学")),
    ("统计与数据科学学院", 0.50, ("统计学", "应用统计学", "经济统计学")),
)

CAMPUSES = ("东区", "西区", "南区", "北区", "黄金校区")
FLOORS, ROOMS_PER_FLOOR = 6, 20

# Surnames with rough national frequencies (per mille); 欧阳 is common in Jiangxi.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 72), ("李", 72), ("张", 68), ("刘", 58), ("陈", 50), ("杨", 31), ("黄", 28), ("赵", 21),
    ("吴", 21), ("周", 20), ("徐", 17), ("孙", 15), ("马", 15), ("朱", 14), ("胡", 14), ("郭", 12),
    ("何", 12), ("林", 12), ("罗", 12), ("高", 12), ("郑", 10), ("梁", 10), ("谢", 10), ("宋", 9),
    ("唐", 9), ("许", 8), ("韩", 8), ("邓", 8), ("冯", 8), ("曹", 7), ("彭", 7), ("曾", 9),
    ("肖", 7), ("田", 6), ("董", 6), ("潘", 6), ("袁", 6), ("蔡", 6), ("蒋", 6), ("余", 6),
    ("于", 5), ("杜", 5), ("叶", 5), ("程", 5), ("魏", 5), ("苏", 5), ("吕", 5), ("丁", 5),
    ("任", 4), ("卢", 4), ("姚", 4), ("沈", 4), ("钟", 6), ("姜", 4), ("崔", 4), ("谭", 4),
    ("陆", 4), ("范", 4), ("汪", 4), ("廖", 5), ("石", 4), ("金", 3), ("韦", 3), ("贾", 3),
    ("夏", 3), ("付", 3), ("方", 3), ("邹", 3), ("熊", 4), ("白", 3), ("孟", 3), ("秦", 3),
    ("邱", 4), ("侯", 3), ("江", 3), ("尹", 3), ("薛", 3), ("闫", 3), ("段", 3), ("雷", 3),
    ("龙", 2), ("黎", 2), ("史", 2), ("陶", 2), ("贺", 2), ("毛", 2), ("郝", 2), ("顾", 2),
    ("龚", 2), ("邵", 2), ("万", 2), ("覃", 2), ("武", 2), ("钱", 2), ("戴", 2), ("严", 2),
    ("赖", 4), ("温", 2), ("欧阳", 2), ("上官", 0.3), ("司马", 0.2),
)

MALE_CHARS = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清"
    "飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善"
    "厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家"
    "致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘宇轩睿铭皓昊然逸凡"
)
FEMALE_CHARS = (
    "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺"
    "媛艳瑞佳嘉琼勤珍贞莉桂叶璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓仪荷丹蓉君琴蕊"
    "薇菁梦岚苑婕馨韵园艺咏卿澜纯毓悦昭冰爽琬茗羽希宁欣滢筠柔凝晓欢枫芸菲寒伊亚宜可舒影丽阳妮"
    "晴睿雯萱彦雨曼紫涵诗思语梓若子欣怡"
)
PARENT_MALE = (
    "建国", "建华", "国强", "志明", "永红", "卫东", "国平", "建军", "小平", "志强", "海军", "德明",
    "金生", "水生", "冬生", "福根", "长青", "春林", "光明", "红军", "文华", "立新", "振华", "宏伟",
)

# (native place, ID area code of one of its districts, weight). The school is in 赣州, Jiangxi.
PLACES: tuple[tuple[str, str, float], ...] = (
    ("江西省赣州市", "360702", 10), ("江西省赣州市", "360703", 5), ("江西省赣州市", "360704", 4),
    ("江西省赣州市", "360731", 6), ("江西省赣州市", "360732", 4), ("江西省赣州市", "360781", 4),
    ("江西省赣州市", "360730", 3), ("江西省赣州市", "360722", 3), ("江西省南昌市", "360102", 5),
    ("江西省南昌市", "360111", 4), ("江西省九江市", "360403", 4), ("江西省景德镇市", "360202", 2),
    ("江西省萍乡市", "360302", 2), ("江西省新余市", "360502", 2), ("江西省鹰潭市", "360602", 1.5),
    ("江西省吉安市", "360802", 5), ("江西省宜春市", "360902", 5), ("江西省抚州市", "361002", 4),
    ("江西省上饶市", "361102", 5), ("湖南省长沙市", "430104", 2), ("湖南省衡阳市", "430406", 1.5),
    ("广东省广州市", "440106", 1.5), ("广东省梅州市", "441402", 2), ("福建省福州市", "350102", 1),
    ("福建省龙岩市", "350802", 1.5), ("浙江省杭州市", "330106", 1), ("安徽省合肥市", "340104", 1.5),
    ("河南省郑州市", "410105", 2), ("河北省石家庄市", "130102", 1), ("山东省济南市", "370102", 1),
    ("湖北省武汉市", "420106", 1.5), ("四川省成都市", "510107", 1.5), ("广西壮族自治区南宁市", "450103", 1),
    ("贵州省贵阳市", "520103", 1), ("山西省太原市", "140105", 1), ("江苏省南京市", "320102", 1),
    ("重庆市渝中区", "500103", 1), ("云南省昆明市", "530102", 1), ("甘肃省兰州市", "620102", 0.7),
    ("黑龙江省哈尔滨市", "230103", 0.5), ("海南省海口市", "460106", 0.5),
)

# Mobile prefixes in use (China Mobile, Unicom, Telecom, Broadnet).
PHONE_PREFIXES = (
    "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159", "178",
    "182", "183", "184", "187", "188", "198", "130", "131", "132", "155", "156", "166", "175", "176",
    "185", "186", "133", "153", "173", "177", "180", "181", "189", "191", "199", "192",
)

# fmt: on

ROSTER_HEADERS = (
    "学号", "姓名", "性别", "学院", "专业", "年级", "班级", "寝室", "联系方式", "家长姓名", "家长联系方式",
    "出生日期", "籍贯", "身份证号",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class StudentRow:
    student_no: str
    name: str
    gender: str  # "M" or "F", as Student.gender
    college: str
    major: str
    grade: str
    school_class: str
    dorm: str
    phone: str
    parent_name: str
    parent_phone: str
    birth_date: date
    native_place: str
    id_number: str

    def roster_cells(self) -> list[str]:
        """The row as an import file writes it, in ``ROSTER_HEADERS`` order."""
        return [
            self.student_no,
            self.name,
            "男" if self.gender == "M" else "女",
            self.college,
            self.major,
            self.grade,
            self.school_class,
            self.dorm,
            self.phone,
            self.parent_name,
            self.parent_phone,
            self.birth_date.isoformat(),
            self.native_place,
            self.id_number,
        ]


@dataclass
class DemoCollege:
    name: str
    code: str  # two digits, part of every 学号
    campus: str
    female_share: float
    majors: list[str]


@dataclass
class DemoClass:
    college: str
    major: str
    grade: str
    name: str
    size: int


@dataclass
class DemoUniversity:
    colleges: list[DemoCollege]
    classes: list[DemoClass]
    students: list[StudentRow] = field(default_factory=list)

    @property
    def dorms(self) -> list[str]:
        return sorted({s.dorm for s in self.students})


def college_count(n_students: int) -> int:
    return max(MIN_COLLEGES, min(MAX_COLLEGES, round(n_students / STUDENTS_PER_COLLEGE)))


class NameMaker:
    """Chinese names: a weighted surname and one or two given-name characters chosen by gender."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._surnames = [s for s, _w in SURNAMES]
        self._cum = _cumulative([w for _s, w in SURNAMES])

    def surname(self) -> str:
        return self.rng.choices(self._surnames, cum_weights=self._cum)[0]

    def given(self, gender: str) -> str:
        chars = MALE_CHARS if gender == "M" else FEMALE_CHARS
        if self.rng.random() < 0.22:
            return self.rng.choice(chars)
        return self.rng.choice(chars) + self.rng.choice(chars)

    def full(self, gender: str) -> str:
        return self.surname() + self.given(gender)

    def parent(self, surname: str) -> str:
        if self.rng.random() < 0.35:
            return surname + self.rng.choice(PARENT_MALE)
        return surname + self.given("M")


def _cumulative(weights: list[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


class Uniques:
    """Phones and ID numbers drawn at random but never handed out twice."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.phones: set[str] = set()
        self.ids: set[str] = set()
        self._places = [(p, code) for p, code, _w in PLACES]
        self._place_cum = _cumulative([w for _p, _c, w in PLACES])

    def phone(self) -> str:
        while True:
            value = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(100_000_000):08d}"
            if value not in self.phones:
                self.phones.add(value)
                return value

    def place(self) -> tuple[str, str]:
        return self.rng.choices(self._places, cum_weights=self._place_cum)[0]

    def id_number(self, area: str, birth: date, gender: str) -> str:
        while True:
            order = self.rng.randrange(1, 500) * 2 - (1 if gender == "M" else 0)  # odd male, even female
            first17 = f"{area}{birth:%Y%m%d}{order:03d}"
            value = first17 + id_number_check_char(first17)
            if value not in self.ids:
                self.ids.add(value)
                return value


def birth_date_for(rng: random.Random, grade: str) -> date:
    """About 18 at entry (September of the grade year); some older, a few younger."""
    entry = int(grade)
    r = rng.random()
    years_older = 0 if r < 0.72 else 1 if r < 0.92 else 2 if r < 0.97 else -1
    start = date(entry - 19 - years_older, 9, 1)
    return start + timedelta(days=rng.randrange(365))


def class_sizes(rng: random.Random, total: int) -> list[int]:
    """Split ``total`` students into classes of 40–55 (fewer when the whole is smaller)."""
    if total <= CLASS_MAX:
        return [total] if total else []
    k = max(1, round(total / ((CLASS_MIN + CLASS_MAX) / 2)))
    while k > 1 and total / k < CLASS_MIN:
        k -= 1
    while total / k > CLASS_MAX:  # when both bounds cannot hold (e.g. 75), keep classes small
        k += 1
    sizes = [total // k + (1 if i < total % k else 0) for i in range(k)]
    for _ in range(k * 2):  # shuffle students between classes so sizes vary, within bounds
        a, b = rng.randrange(k), rng.randrange(k)
        move = rng.randint(1, 4)
        if a != b and sizes[a] - move >= CLASS_MIN and sizes[b] + move <= CLASS_MAX:
            sizes[a] -= move
            sizes[b] += move
    return sizes


class DormAllocator:
    """Rooms such as 东区12栋305: one campus per college, whole buildings per gender, 4–6 beds a room."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.next_building: dict[str, int] = {}
        self.cursor: dict[tuple[str, str], list] = {}  # (campus, gender) → [building, room index, beds]

    def _open_building(self, campus: str, gender: str) -> list:
        number = self.next_building.get(campus, 1)
        self.next_building[campus] = number + 1
        beds = self.rng.choice((4, 4, 6, 6, 6, 5))  # a building has one room type
        cur = [number, 0, beds]
        self.cursor[(campus, gender)] = cur
        return cur

    def assign(self, campus: str, gender: str, count: int) -> list[str]:
        """Rooms for ``count`` students of one gender who should live together (same college and grade)."""
        rooms: list[str] = []
        cur = self.cursor.get((campus, gender)) or self._open_building(campus, gender)
        while len(rooms) < count:
            if cur[1] >= FLOORS * ROOMS_PER_FLOOR:
                cur = self._open_building(campus, gender)
            building, index, beds = cur
            floor, room = divmod(index, ROOMS_PER_FLOOR)
            name = f"{campus}{building}栋{floor + 1}{room + 1:02d}"
            cur[1] += 1
            rooms.extend([name] * min(beds, count - len(rooms)))
        return rooms


def build_university(n_students: int, seed: int = 2026) -> DemoUniversity:
    """A whole school of ``n_students`` (spread over four grades) — deterministic for a given seed."""
    rng = random.Random(seed)
    names = NameMaker(rng)
    uniq = Uniques(rng)
    dorms = DormAllocator(rng)

    colleges = [
        DemoCollege(name=name, code=f"{i + 1:02d}", campus=CAMPUSES[i % len(CAMPUSES)], female_share=f, majors=list(m))
        for i, (name, f, m) in enumerate(COLLEGES[: college_count(n_students)])
    ]
    # Class slots interleave the colleges so every college (the first one above all) gets classes
    # early, and colleges with more majors get more classes.
    slots = [
        (college, major)
        for depth in range(max(len(c.majors) for c in colleges))
        for college in colleges
        for major in college.majors[depth : depth + 1]
    ]
    uni = DemoUniversity(colleges=colleges, classes=[])
    per_grade = [n_students // len(GRADES) + (1 if i < n_students % len(GRADES) else 0) for i in range(len(GRADES))]
    for grade, total in zip(GRADES, per_grade, strict=True):
        sizes = class_sizes(rng, total)
        class_counter: dict[str, int] = {}
        by_college: dict[str, list[tuple[DemoClass, list[str]]]] = {}
        for i, size in enumerate(sizes):
            college, major = slots[i % len(slots)]
            class_counter[major] = class_counter.get(major, 0) + 1
            klass = DemoClass(college.name, major, grade, f"{grade}级{major}{class_counter[major]}班", size)
            uni.classes.append(klass)
            genders = ["F" if rng.random() < college.female_share else "M" for _ in range(size)]
            by_college.setdefault(college.name, []).append((klass, genders))
        seq: dict[str, int] = {}
        for college in colleges:
            members = by_college.get(college.name, [])
            # Dorms: each gender of a college's grade fills rooms in class order, so roommates are classmates.
            rooms = {
                g: iter(dorms.assign(college.campus, g, sum(gs.count(g) for _k, gs in members))) for g in ("M", "F")
            }
            for klass, genders in members:
                major_code = f"{college.majors.index(klass.major) + 1:02d}"
                for gender in genders:
                    seq[klass.major] = seq.get(klass.major, 0) + 1
                    uni.students.append(
                        _student(rng, names, uniq, college, klass, gender, major_code, seq[klass.major], rooms[gender])
                    )
    return uni


def _student(
    rng: random.Random,
    names: NameMaker,
    uniq: Uniques,
    college: DemoCollege,
    klass: DemoClass,
    gender: str,
    major_code: str,
    seq: int,
    rooms: Iterator[str],
) -> StudentRow:
    surname = names.surname()
    birth = birth_date_for(rng, klass.grade)
    place, area = uniq.place()
    return StudentRow(
        student_no=f"{klass.grade}{college.code}{major_code}{seq:04d}",
        name=surname + names.given(gender),
        gender=gender,
        college=college.name,
        major=klass.major,
        grade=klass.grade,
        school_class=klass.name,
        dorm=next(rooms),
        phone=uniq.phone(),
        parent_name=names.parent(surname),
        parent_phone=uniq.phone(),
        birth_date=birth,
        native_place=place,
        id_number=uniq.id_number(area, birth, gender),
    )


def iter_roster_rows(uni: DemoUniversity) -> Iterator[list[str]]:
    """Header then one row per student, as an import file would hold them."""
    yield list(ROSTER_HEADERS)
    for student in uni.students:
        yield student.roster_cells()


# --- case work for the demo (clearly marked 演示 in every text) ---

CATEGORY_TEXTS = {
    "economic": "单亲家庭，家庭收入较低，主要靠助学贷款。",
    "academic": "上学期两门必修课不及格，学习动力不足。",
    "psych": "近期情绪低落，睡眠不好，人际交往较少。",
    "internet": "经常通宵上网，有旷课现象。",
    "physical": "有慢性疾病，需定期复查。",
    "discipline": "曾夜不归宿，受过通报批评。",
    "other": "就业压力较大，与同学交流少。",
}
CASE_PROBLEMS = (
    "家庭经济困难，学习和生活压力较大。",
    "学业困难，情绪受到影响。",
    "适应困难，与室友关系紧张。",
    "近期家庭变故，情绪波动。",
)


def semester_around(today: date) -> dict:
    """The semester ``today`` falls in, as semester_create() arguments: autumn runs Sep 1 to the end of
    February (寒假 inside it), spring Mar 1 to Aug 31 (暑假 inside it)."""

    if today.month >= 9 or today.month <= 2:
        year = today.year if today.month >= 9 else today.year - 1
        start, end = date(year, 9, 1), date(year + 1, 3, 1) - timedelta(days=1)
        return {
            "name": f"{year}-{year + 1}学年第一学期（演示）",
            "start": start,
            "end": end,
            "ledger_due": date(year, 9, 19),
            "holidays": [PeriodInput("寒假", date(year + 1, 1, 17), end)],
            "key_periods": [
                PeriodInput("考前", date(year + 1, 1, 3), date(year + 1, 1, 12)),
                PeriodInput("放假前后", date(year + 1, 1, 13), date(year + 1, 1, 20)),
            ],
        }
    year = today.year
    return {
        "name": f"{year - 1}-{year}学年第二学期（演示）",
        "start": date(year, 3, 1),
        "end": date(year, 8, 31),
        "ledger_due": date(year, 3, 19),
        "holidays": [PeriodInput("暑假", date(year, 7, 11), date(year, 8, 31))],
        "key_periods": [
            PeriodInput("考前", date(year, 6, 22), date(year, 7, 3)),
            PeriodInput("放假前后", date(year, 7, 4), date(year, 7, 14)),
        ],
    }


# --- evidence for the survey (issue 16): a made-up screening and office lists, marked 演示 ---


def demo_evidence(student_nos: list[str], seed: int) -> dict[str, tuple[list[str], list[list[str]]]]:
    """CSV tables (header, rows) for a 新生心理普查 (UPI) and four offices' lists over ``student_nos``.

    Most students answer a few UPI items "yes"; about 6% reach class I by total, one answers item 25
    (an urgent escalation at import), a few more fall in class II. Lists: ~8% 资助认定, ~4% 学业预警,
    ~3% 一卡通 low spending, a couple of 宿管 records. Every value is invented (演示).
    """
    rng = random.Random(seed + 16)
    upi_rows = []
    urgent_done = False
    for i, no in enumerate(student_nos):
        roll = rng.random()
        if not urgent_done and i >= 3:
            yes = set(rng.sample(range(1, 61), 12)) | {25}
            urgent_done = True
        elif roll < 0.06:
            yes = set(rng.sample([n for n in range(1, 61) if n != 25], 30))
        elif roll < 0.15:
            yes = set(rng.sample([n for n in range(1, 61) if n != 25], 21))
        else:
            yes = set(rng.sample([n for n in range(1, 61) if n not in (8, 16, 25, 26)], rng.randint(0, 9)))
        upi_rows.append([no] + ["是" if n in yes else "否" for n in range(1, 65)])
    aid, academic, card, dorm = [], [], [], []
    month = None
    for no in student_nos:
        if rng.random() < 0.08:
            aid.append([no, rng.choice(["特别困难", "困难", "困难", "一般困难"])])
        if rng.random() < 0.04:
            academic.append([no, str(rng.choice([10, 12, 15, 17, 21])), f"{rng.uniform(1.2, 2.4):.2f}"])
        if rng.random() < 0.03:
            card.append([no, month or "", str(rng.randint(60, 85)), str(rng.randint(380, 740))])
        if rng.random() < 0.01:
            dorm.append([no, "", str(rng.randint(2, 4))])
    return {
        "upi": (["学号"] + [str(n) for n in range(1, 65)], upi_rows),
        "aid": (["学号", "认定等级"], aid),
        "academic": (["学号", "不及格学分", "平均学分绩点"], academic),
        "card": (["学号", "月份", "就餐次数", "食堂消费"], card),
        "dorm": (["学号", "日期", "次数"], dorm),
    }


def upi_screening_rows(student_nos: list[str], *, urgent: int, seed: int) -> list[list[str]]:
    """A UPI file's rows (header first) in which exactly ``urgent`` students answer item 25 "yes" and
    about 6% reach class I by total — for bench/screening_import.py and its small-scale test."""
    rng = random.Random(seed)
    chosen = set(rng.sample(range(len(student_nos)), urgent))
    others = [n for n in range(1, 61) if n != 25]
    rows = [["学号"] + [str(n) for n in range(1, 65)]]
    for i, no in enumerate(student_nos):
        roll = rng.random()
        yes = set(rng.sample(others, 27 if roll < 0.06 else 21 if roll < 0.15 else rng.randint(0, 9)))
        if i in chosen:
            yes.add(25)
        rows.append([no] + ["是" if n in yes else "否" for n in range(1, 65)])
    return rows
