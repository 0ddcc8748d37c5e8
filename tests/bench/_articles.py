"""A generator of realistic Chinese park-news articles for the benches (deterministic by seed).

Articles share what real park news shares: park and city names, industries, officials' phrases
("为深入贯彻落实…", "营商环境持续优化"), a closing boilerplate paragraph; and differ in company
names, numbers, dates and the choice and order of sentences. About 5 KB of UTF-8 body each.
`edit(...)` makes the republished copies the near-duplicate bench looks for.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

CITIES = (
    "苏州 无锡 常州 南京 杭州 宁波 嘉兴 合肥 芜湖 武汉 长沙 株洲 成都 绵阳 重庆 西安 宝鸡 郑州 洛阳 济南 青岛 烟台 "
    "潍坊 天津 北京 上海 深圳 广州 东莞 佛山 珠海 厦门 福州 泉州 南昌 赣州 昆明 贵阳 南宁 柳州 海口 太原 石家庄 "
    "保定 唐山 沈阳 大连 长春 哈尔滨 呼和浩特 银川 兰州 西宁 乌鲁木齐 拉萨 温州 绍兴 台州 金华 扬州 泰州 南通 盐城"
).split()
PARK_KINDS = ("高新区", "经开区", "工业园区", "高新技术产业开发区", "经济技术开发区", "科技城", "产业园", "自贸片区",
              "综合保税区", "临空经济区", "新区", "软件园")
INDUSTRIES = (
    "生物医药 集成电路 人工智能 新能源汽车 高端装备 新材料 数字经济 软件信息 智能制造 节能环保 光伏新能源 医疗器械 "
    "航空航天 现代物流 跨境电商 工业互联网 区块链 量子信息 氢能 储能 半导体 纳米技术 海洋经济 文化创意 现代农业 "
    "检验检测 金融科技 元宇宙 低空经济 机器人"
).split()
CHARS = (
    "华为中兴恒瑞药明迈瑞宁德天合隆基汇川科沃斯信达博瑞思必驰同程亨通永鼎东山盛虹沙钢恒力阳光金风远景正泰天能"
    "新宙邦三安晶科通威海康大华科大讯飞京东方紫光长电华天通富兆易创新北方微纳芯源灵动泰凌安路华润微士兰锐成"
    "明德立讯歌尔蓝思欣旺达德赛鹏鼎深南景旺胜宏崇达东威联瑞国瓷凯盛旗滨福耀信义南玻金晶亚玛顿福莱特中来爱旭"
)
SUFFIX = ("科技有限公司", "生物医药有限公司", "智能装备有限公司", "半导体有限公司", "新材料股份有限公司",
          "信息技术有限公司", "新能源科技有限公司", "医疗器械有限公司", "电子科技有限公司", "精密制造有限公司")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红春晓东海波宁辉鹏飞雪琳晨阳雨欣怡佳"
SOURCES = ("新华网", "人民网", "中国网园区", "中国经济网", "央广网", "新华日报", "经济日报", "科技日报", "中国高新网",
           "澎湃新闻", "21世纪经济报道", "第一财经")
VERBS = ("签约落户", "开工建设", "正式投产", "揭牌成立", "完成融资", "入选名单", "获批建设", "通过验收", "举行仪式", "发布成果")

OPENINGS = (
    "为深入贯彻落实党的二十大精神，加快推进{ind}产业高质量发展，{date}，{park}召开{ind}产业推进大会。",
    "{date}，{park}举行{year}年重大项目集中签约仪式，共有{n}个项目集中签约，总投资{money}亿元。",
    "记者{date}从{park}管委会获悉，今年以来，{park}坚持把招商引资作为“一号工程”，{ind}产业集群加快成势。",
    "{date}上午，{company}{verb}仪式在{park}举行，标志着{park}在{ind}领域又迈出坚实一步。",
    "近日，{city}市发布{ind}产业发展三年行动计划，{park}作为核心承载区，将重点打造{ind}创新高地。",
    "{date}，{year}年{ind}创新发展论坛在{park}开幕，来自全国各地的{n}余位专家学者和企业代表参加会议。",
)
MIDDLE = (
    "据介绍，{company}主要从事{ind}相关产品的研发、生产和销售，项目总投资{money}亿元，达产后预计年产值超过{n}亿元。",
    "{park}相关负责人表示，将持续优化营商环境，为企业提供全生命周期服务，推动项目早签约、早开工、早投产。",
    "今年1至{m}月，{park}实现规上工业总产值{money}亿元，同比增长{pct}%；其中{ind}产业产值增长{pct}%。",
    "目前，{park}已集聚{ind}企业{n}余家，其中高新技术企业{n}家，专精特新“小巨人”企业{k}家。",
    "{person}介绍，{company}已累计申请发明专利{n}项，产品广泛应用于{ind}、{ind2}等领域。",
    "会上，{park}与{company}等{k}家企业签订合作协议，涵盖{ind}、{ind2}、{ind3}等多个方向。",
    "下一步，{park}将围绕{ind}产业链关键环节精准招商，着力引进一批补链强链延链项目。",
    "为破解企业融资难题，{park}设立规模{money}亿元的{ind}产业基金，已投资项目{k}个。",
    "{park}党工委书记{person}表示，要坚定不移推动高质量发展，以科技创新引领现代化产业体系建设。",
    "在{company}的生产车间里，一条条自动化生产线高速运转，工人们正忙着赶制订单。",
    "“我们之所以选择落户{park}，看中的是这里完善的产业配套和高效的政务服务。”{company}总经理{person}说。",
    "据统计，{year}年{park}新增市场主体{n}户，实际使用外资{money}亿美元，同比增长{pct}%。",
    "{park}还建成{ind}公共技术服务平台{k}个，为园区企业提供检验检测、中试熟化等服务{n}余次。",
    "围绕人才引育，{park}出台“人才新政{k}条”，全年引进高层次人才{n}名，新建人才公寓{n}套。",
    "{company}负责人{person}告诉记者，项目一期已于{year}年{m}月投产，二期预计明年底建成。",
    "与此同时，{park}积极推进数字化转型，累计建成智能工厂{k}家、数字化车间{n}个。",
    "在{ind}赛道上，{park}已形成从研发设计、生产制造到应用服务的完整产业链条。",
    "据悉，{company}总部位于{city2}，此次在{park}投资建设的是其华东地区最大的生产基地。",
    "{park}以“链长制”为抓手，聚焦{ind}、{ind2}两大主导产业，绘制产业链图谱，实施靶向招商。",
    "今年以来，{park}累计走访服务企业{n}家次，协调解决用工、用地、融资等问题{k}个。",
    "活动现场，{k}个{ind}项目进行了路演，吸引了{n}余家投资机构关注。",
    "{park}今年计划实施重点项目{n}个，其中亿元以上项目{k}个，年度计划投资{money}亿元。",
    "业内人士认为，{ind}产业正处于爆发期，{park}抢抓机遇布局，有望形成新的经济增长点。",
    "{city}市副市长{person}出席活动并致辞，希望企业扎根{city}、深耕{city}，实现更大发展。",
    "作为全市首批{ind}特色产业园，{park}在土地、能耗、人才等方面给予入驻企业政策支持。",
    "{company}研发的{ind}关键零部件打破国外垄断，已实现批量供货，市场占有率达到{pct}%。",
    "截至目前，{park}已累计孵化科技型中小企业{n}家，培育上市企业{k}家。",
    "此外，{park}还将举办{ind}产业对接会、创新创业大赛等系列活动，营造浓厚创新氛围。",
)
CLOSINGS = (
    "下一步，{park}将继续坚持项目为王、环境为本，全力以赴稳增长、调结构、促转型，为{city}经济社会高质量发展作出更大贡献。",
    "{park}有关负责人表示，将以此次活动为契机，进一步优化营商环境，推动更多优质项目落地见效。",
    "据了解，{park}将持续深化“放管服”改革，打造市场化、法治化、国际化一流营商环境。",
)


# The bulk of every article: sentences of "words" drawn by a Zipf law from a vocabulary of 4,000
# two- and three-character words made of common characters. Real articles share little text
# besides names and officials' phrases; this keeps the background similarity (and the n-gram
# statistics an index sees) realistic, while the templates above supply the shared phrases.
COMMON = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后"
    "多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还"
    "因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结"
    "解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级"
    "少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领"
    "七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清美再采转更单风切打白教速花带安场身车例真务具万每目"
    "至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算"
)


def _vocab() -> tuple[list[str], list[float]]:
    rng = random.Random(20260101)
    words = sorted({"".join(rng.choice(COMMON) for _ in range(rng.choice((2, 2, 2, 3)))) for _ in range(4200)})
    rng.shuffle(words)
    words = words[:4000]
    cum, total = [], 0.0
    for rank in range(1, len(words) + 1):
        total += 1.0 / rank
        cum.append(total)
    return words, cum


WORDS, _CUM = _vocab()


def filler(rng: random.Random) -> str:
    words = rng.choices(WORDS, cum_weights=_CUM, k=rng.randint(8, 16))
    cut = rng.randint(3, len(words) - 3)
    return "".join(words[:cut]) + "，" + "".join(words[cut:]) + "。"


def _name(rng: random.Random, k: int = 2) -> str:
    return "".join(rng.choice(CHARS) for _ in range(k))


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def park_name(rng: random.Random, city: str | None = None) -> str:
    return (city or rng.choice(CITIES)) + rng.choice(PARK_KINDS)


@dataclass
class Article:
    id: int
    url: str
    site: str
    title: str
    published_at: str
    source: str
    author: str
    paragraphs: list[str] = field(default_factory=list)
    city: str = ""
    industry: str = ""

    @property
    def body_text(self) -> str:
        return "\n".join(self.paragraphs)


def generate(i: int, *, seed: int = 1, target_bytes: int = 5000, city: str | None = None,
             industry: str | None = None) -> Article:
    """Article number `i` (deterministic for a seed); `city`/`industry` force a topic."""
    rng = random.Random(seed * 1_000_003 + i)
    city = city or rng.choice(CITIES)
    park = park_name(rng, city)
    ind = industry or rng.choice(INDUSTRIES)
    year = rng.randint(2018, 2025)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    company = rng.choice((city, "")) + _name(rng, rng.choice((2, 3))) + rng.choice(SUFFIX)

    def fill(t: str) -> str:
        return t.format(
            park=park, city=city, ind=ind, ind2=rng.choice(INDUSTRIES), ind3=rng.choice(INDUSTRIES),
            company=company if rng.random() < 0.6 else _name(rng) + rng.choice(SUFFIX),
            verb=rng.choice(VERBS), date=f"{month}月{day}日", year=year, n=rng.randint(10, 900),
            k=rng.randint(2, 30), m=rng.randint(2, 11), money=f"{rng.randint(1, 500)}.{rng.randint(0, 9)}",
            pct=f"{rng.randint(1, 40)}.{rng.randint(0, 9)}", person=person(rng), city2=rng.choice(CITIES),
        )

    paragraphs = [fill(rng.choice(OPENINGS))]
    size = len(paragraphs[0].encode())
    middles = list(MIDDLE)
    rng.shuffle(middles)
    pos = 0
    while size < target_bytes - 400:
        sentences = [fill(middles[(pos + j) % len(middles)]) for j in range(rng.randint(1, 2))]
        pos += 2
        sentences += [filler(rng) for _ in range(rng.randint(2, 4))]
        rng.shuffle(sentences)
        para = "".join(sentences)
        paragraphs.append(para)
        size += len(para.encode()) + 1
    paragraphs.append(fill(rng.choice(CLOSINGS)))
    title = rng.choice((
        f"{park}{ind}产业再添新动能",
        f"{company}{rng.choice(VERBS)}{park}",
        f"{park}：{year}年{ind}产业产值同比增长{rng.randint(5, 40)}%",
        f"{city}{ind}产业集群加快成势",
        f"{park}举行重大项目集中签约仪式",
    ))
    site = f"site{rng.randint(1, 40)}"
    return Article(
        id=i, url=f"http://www.{site}.example.cn/news/{year}{month:02d}/t{i}.html", site=site, title=title,
        published_at=f"{year}-{month:02d}-{day:02d}T{rng.randint(7, 20):02d}:{rng.randint(0, 59):02d}:00+08:00",
        source=rng.choice(SOURCES), author=person(rng), paragraphs=paragraphs, city=city, industry=ind,
    )


# ---------------------------------------------------------------- republished copies

def drop_paragraph(rng: random.Random, paras: list[str]) -> list[str]:
    if len(paras) < 3:
        return paras
    i = rng.randrange(1, len(paras) - 1)
    return paras[:i] + paras[i + 1:]


_PUNCT = {"，": ",", "。": ".", "“": "\"", "”": "\"", "：": ":", "；": ";", "、": ","}


def punctuation(rng: random.Random, paras: list[str]) -> list[str]:
    def swap(p: str) -> str:
        p = re.sub("[，。“”：；、]", lambda m: _PUNCT[m.group()] if rng.random() < 0.6 else m.group(), p)
        return p.replace("。", "。 ") if rng.random() < 0.5 else p
    return [swap(p) for p in paras]


def append_note(rng: random.Random, paras: list[str]) -> list[str]:
    return paras + [f"（本文转自{rng.choice(SOURCES)}，版权归原作者所有，如有侵权请联系删除。责任编辑：{person(rng)}）"]


def retitle(rng: random.Random, paras: list[str], title: str) -> tuple[list[str], str]:
    new = rng.choice(("重磅！", "关注｜", "【园区动态】", "速看：")) + title
    return [new] + paras, new  # many reposts repeat the title as the body's first line


def edit(article: Article, kind: str, *, seed: int = 0) -> Article:
    """A republished copy: kind in drop, title, punct, note, combined."""
    rng = random.Random(seed * 7919 + article.id)
    paras, title = list(article.paragraphs), article.title
    if kind in ("drop", "combined"):
        paras = drop_paragraph(rng, paras)
    if kind in ("title", "combined"):
        paras, title = retitle(rng, paras, title)
    if kind in ("punct", "combined"):
        paras = punctuation(rng, paras)
    if kind in ("note", "combined"):
        paras = append_note(rng, paras)
    return Article(id=-article.id, url=article.url.replace("www.", "m.") + "?copy=" + kind,
                   site="repost" + str(rng.randint(1, 9)), title=title,
                   published_at=article.published_at, source=article.source, author=article.author,
                   paragraphs=paras, city=article.city, industry=article.industry)


EDIT_KINDS = ("drop", "title", "punct", "note", "combined")
