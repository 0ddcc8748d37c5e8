"""The parser's heuristics as data: labels, placeholder values, chrome words and thresholds.

Every extractor reads its vocabulary and its cut-offs from here, so that what the parser keys on
can be read (and changed) in one place. Regex fragments are plain strings; the modules compile
them. Thresholds count characters of visible text unless said otherwise.
"""
from __future__ import annotations

# ---- page model ----
STRAY_END_TAIL = 500  # this much page after the first </html> (with blocks in it): that </html> is stray
LXML_HUGE_TREE = True  # bodies nested deeper than libxml2's default 255 levels must not be lost

# ---- is_article: keep a page with a headline and a body ----
HEADLINE_LINK_MIN, HEADLINE_LINK_MAX = 6, 60  # a link line of this length reads like a headline
PROSE_LINE_MIN = 30          # a paragraph of at least this many characters, with sentence punctuation
KEEP_PROSE_CHARS = 150       # this much of the page's own prose (not teasers under links) keeps it
KEEP_PROSE_PARAGRAPHS = 2    # ... spread over at least this many paragraphs
KEEP_PROSE_SEVERAL, KEEP_PARAGRAPHS_SEVERAL = 300, 3  # or this much in this many paragraphs
KEEP_PROSE_ALONE = 500       # this much own prose keeps it whatever sits around it
KEEP_PROSE_VS_LINKS = 0.3    # less: the own prose must be this share of the headline-link text
LIST_LINKS_MIN = 8           # a main block with this many headline links ...
LIST_LINK_SHARE = 0.4        # ... making up this share of its lines is a list
TEASER_LINKS_MIN = 6         # headline links ...
TEASER_VS_PROSE = 0.6        # ... at least this share of the prose lines ...
TEASER_PAIRS_MIN = 5         # ... with this many link -> summary pairs: a teaser list
TEASER_RUN_MIN = 3           # link -> summary pairs in a row inside an article: a related block, not text
# URL roles: a channel/index page, or an article page
LIST_URL_PATTERN = r"(?:/|/(?:index|list|default|more)[_\-\d]*\.(?:s?html?|php|aspx?|jsp))$|[?&](?:page|pageno|p)=\d"
ARTICLE_URL_PATTERN = (r"(?:19|20)\d\d[-/_]?(?:0[1-9]|1[0-2])[-/_]?(?:[0-3]\d)?[^/]*/[^/]*\d|"
                       r"/[^/]*\d{4,}[^/]*\.(?:s?html?|php|aspx?|jsp)$|[?&](?:id|aid|articleid|newsid)=\d")
LIST_URL_PAGE_LINKS = 15     # a channel URL with this many headline links and little own text is a list
NO_BODY_CHARS = 10           # less body text than this: no article
SHORT_BODY_CHARS = 50        # less than this on a page of headline links: a list
PAGE_LINKS_FOR_LIST = 5
DEEP_NESTING_LIMIT = 200  # deeper wrappers are unwrapped when the tree is too deep to walk
# tags dropped (their text kept) when a page is nested past libxml2's hard limit
DEEP_WRAPPER_TAGS = ("font", "span", "div", "center", "b", "i", "u", "em", "strong", "small", "big", "section")

# ---- 来源 / 作者 / 责任编辑 labels and values ----
SOURCE_LABELS = ("信息来源于", "稿件来源", "信息来源", "文章来源", "本文来源", "新闻来源", "消息来源", "内容来源", "来源于", "来源", "稿源",
                 "出处", "来自")
AUTHOR_LABELS = ("作者", "撰文人", "撰稿人", "执笔人", "撰文", "撰稿", "记者", "采写", "执笔", "文/", "文／", "文|")
EDITOR_LABELS = ("责任编辑", "责编", "值班编辑", "本文编辑", "编辑")
OTHER_LABELS = ("发布时间", "发表时间", "发布日期", "更新时间", "最后更新", "时间", "日期", "发表于", "发布于", "发布",
                "浏览次数", "浏览量", "浏览", "阅读量", "阅读", "点击数", "点击量", "点击", "字号", "校对", "监制", "审核", "审读",
                "审校", "摄影", "图片", "排版", "美编", "编审", "分享到", "分享", "评论", "举报", "参与互动", "打印", "关闭", "视频",
                "通讯员", "策划", "统筹", "终审", "复审", "初审", "主编", "出品", "供稿", "录入", "字体", "扫一扫", "收藏",
                "【纠错】", "纠错", "返回", "查看更多", "热度", "评论数", "人参与")

PLACEHOLDERS = {"未知", "佚名", "网络整理", "网络", "匿名", "不详", "暂无", "无", "admin", "管理员", "本站", "综合", "整理",
                "网友", "小编", "null", "none", "unknown", "-", "－", "——", "编辑", "作者"}
GENERIC_SOURCES = {"转载文章", "转载", "网络转载", "互联网转载", "原创", "网络来源", "未知", "null", "none"}
# chrome around the meta line that reads like a value: never a 来源
CHROME_WORDS = ("查看旧版", "旧版", "新版", "手机版", "手机看", "移动版", "English", "繁体", "简体", "无障碍", "分享", "打印",
                "收藏", "关闭", "返回", "登录", "注册", "设为首页", "加入收藏", "字体", "字号", "扫一扫", "二维码", "RSS", "订阅")
# titles written before or after a name in a credit ("某研究部部长 研究员钱立")
NAME_TITLES = ("首席记者", "特约记者", "记者", "评论员", "特约评论员", "通讯员", "研究员", "副研究员", "教授", "副教授", "讲师",
               "博士", "主任", "副主任", "部长", "副部长", "院长", "所长", "校长", "局长", "书记", "主席", "经理", "总监",
               "总裁", "专家", "学者", "律师", "医生", "医师", "编辑", "分析师", "主编", "社长", "总编")
# what a team adds after its names ("记者林涛 整合")
TEAM_SUFFIXES = ("报道", "摄影", "摄", "供稿", "整理", "整合", "编译", "综合", "文图", "图文")
# bracketed words at the end of a text that are not a writer's name
NOT_BARE_NAMES = ("待续", "未完", "续完", "全文完", "完", "组图", "图文", "资料", "资料图", "视频", "附图", "有删节", "节选",
                  "摘编", "原创", "供图", "发布会", "图片", "新华社", "转载", "本报", "本刊")
# a bracketed run ending in one of these is an organisation, not a person ("（国务院新闻办）")
ORG_ENDINGS = ("社", "报", "网", "台", "局", "部", "委", "会", "院", "所", "办", "厅", "处", "站", "中心", "公司", "集团")

DATELINE_PARAGRAPHS = 3  # a dateline ("新京报快讯（记者 …）") is looked for in this many first paragraphs

# ---- the unlabelled outlet slot beside the date (outlet_slot.py) ----
SLOT_HEADER_LINES = 10   # header lines searched for the meta line
SLOT_MIN_CHARS, SLOT_MAX_CHARS = 2, 20
# items of the meta line that are page chrome, not an outlet: the site's address, counters, tool words,
# font sizes, weekdays
SLOT_CHROME_TOKEN_PATTERN = r"(?i:(?:https?://|www\.)\S+|(?:[a-z0-9\-]+\.)+(?:com|net|org|cn|gov|edu|hk|tw)\S*)|\d+|举报|评论|分享|收藏|字号|打印|[大中小]|星期[一二三四五六日天]|周[一二三四五六日天]|[（(]?\d+[）)]?"
# an item that reads as a label, a counter or an address is not an outlet
SLOT_NOT_OUTLET_PATTERN = (r"发布|账号|[:：]|星期|^周[一二三四五六日天]$|农历|阅读|浏览|点击|人气|次$|"
                           r"^(?:举报|分享|评论|收藏|打印|字号|关注|阅读|浏览|点击|\d+|[A-Za-z]+\.(?:com|cn|net)\S*)$|来源|作者|编辑|原创")
# a meta line with one of these items names a self-media account, not an outlet
SLOT_SELF_MEDIA_MARKS = ("原创", "原创:", "原创：")

# ---- sections ----
MIN_HEADING_CHARS = 2  # a shorter line is a heading only when it is a number ("1", "一")
VERTICAL_LABEL_RUN = 3  # this many one-character lines in a row are a vertical label, not text
TEXT_BEFORE_END_CREDIT = 200  # after this much text an editor's credit line ends the text
