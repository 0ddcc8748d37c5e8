"""The bundled offline sample site: Chinese park-news pages written for this project.

`build_demo_site()` returns a `DemoSite` with `.pages` (path -> `Page`, ready for
`crawler.demo.server.SiteServer`) and `.expected` (a JSON-able manifest for tests; see
`build_demo_site`'s docstring). `generate_site(n_articles, seed)` builds a larger deterministic
site of the same template for benchmarks.

All texts are original (written for parknews) and all places and companies are fictional; the
page layouts are modelled on real park-news templates (中国网园区 style article pages, a
government-site style partner copy).
"""
from __future__ import annotations

import base64
import html
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from crawler.demo import challenge as demo_challenge
from crawler.demo import discovery as demo_discovery
from crawler.demo import multipage as demo_multipage
from crawler.demo import notice as demo_notice
from crawler.demo.server import Page

__all__ = ["DemoSite", "build_demo_site", "generate_site", "Page"]

# ---------------------------------------------------------------------------------------------
# Text material
# ---------------------------------------------------------------------------------------------
# Sentence templates use placeholders: {park} {park_full} {city} {company} {company2} {region}
# {n} {n2} {big} {amt} {amt2} {pct} {pct2} {m} {d}.

# (short name, full name, city)
PARKS: list[tuple[str, str, str]] = [
    ("临江经开区", "临江经济技术开发区", "临江市"),
    ("南湖高新区", "南湖高新技术产业开发区", "南湖市"),
    ("青山经开区", "青山经济技术开发区", "青山市"),
    ("东岭高新区", "东岭高新技术产业开发区", "东岭市"),
    ("西河工业园区", "西河工业园区", "西河县"),
    ("云台科技园", "云台科技园", "云台市"),
    ("北塘经开区", "北塘经济技术开发区", "北塘市"),
    ("白沙高新区", "白沙高新技术产业开发区", "白沙市"),
]

COMPANIES: list[str] = [
    "华拓新材料", "中科锐芯", "恒远智能装备", "瑞康生物医药", "星联数据", "绿源新能源",
    "博宇精密制造", "天衡检测", "海川物流", "盛光光电", "安泰化工", "启明软件",
    "鼎信汽车零部件", "凯旋储能", "云帆智算", "金桥电子", "润土环保", "卓越医疗器械",
]

REGIONS: list[str] = ["长三角", "珠三角", "京津冀", "成渝地区", "粤港澳大湾区", "长江中游城市群"]

AUTHORS: list[str] = [
    "张晓峰", "李文静", "王海涛", "赵雪梅", "陈志远", "刘佳怡", "杨建国", "周明远",
    "孙立新", "吴婷婷", "郑凯", "何雨晴", "马骏", "林思远", "高洁", "罗浩",
]

EDITORS: list[str] = ["园区投稿01", "园区投稿02", "王晓", "刘洋", "陈默", "许可", "园区编辑03"]

SOURCES: list[str] = ["中国网园区", "中国网园区", "{park}管委会", "{city}日报", "中国网园区"]

# topic -> sentence templates / section headings
TOPICS: dict[str, dict[str, list[str]]] = {
    "招商": {
        "sentences": [
            "{m}月{d}日，{park}招商小分队赴{region}开展专题招商活动，先后走访企业{n}家，洽谈项目{n2}个。",
            "此次推介会上，{park}围绕主导产业发布了{n}个重点招商项目，涵盖高端装备、新材料和现代服务业等领域。",
            "{park}坚持把招商引资作为经济工作的“生命线”，实行领导带队、专班推进、周调度月通报的工作机制。",
            "截至目前，{park}今年已累计签约项目{big}个，其中亿元以上项目{n}个，到位资金{amt}亿元。",
            "招商团队聚焦产业链缺失环节，绘制了包含{n}家目标企业的产业链招商图谱，实现按图索骥、精准对接。",
            "与会企业代表表示，{park}区位优势明显、配套设施完善，服务态度诚恳，对下一步投资合作充满信心。",
            "{park}还通过以商招商、基金招商等方式，引进了{company}等一批行业龙头企业的区域总部。",
            "下一步，{park}将持续开展“走出去”“请进来”活动，推动在谈项目早签约、签约项目早落地。",
            "线上推介采取直播形式进行，累计观看人次超过{big}万，现场收到投资意向{n}项。",
        ],
        "headings": ["聚焦主导产业精准招商", "创新方式拓宽招商渠道", "强化跟踪服务推动落地", "以商招商形成集聚效应", "专班推进提升招商实效"],
    },
    "签约": {
        "sentences": [
            "{m}月{d}日，{park}举行重点项目集中签约仪式，共签约项目{n}个，总投资{amt}亿元。",
            "本次签约的{company}项目计划总投资{amt2}亿元，主要建设智能化生产线{n}条，达产后预计年产值{big}亿元。",
            "签约项目中，先进制造业项目占比超过{pct}%，产业链上下游配套项目{n2}个，产业集聚效应进一步显现。",
            "{company}负责人在签约仪式上表示，看中的是{park}完善的产业配套和高效的政务服务。",
            "签约项目全部实行“一个项目、一名领导、一个专班”的推进机制，确保项目早开工、早投产、早见效。",
            "{park}与{company2}签署战略合作协议，双方将在技术研发、应用场景和人才培养等方面开展深度合作。",
            "现场还为{n}家企业颁发了营业执照和不动产权证书，实现项目“签约即发证”。",
            "据介绍，该项目用地约{big}亩，计划于年内开工建设，建成后可新增就业岗位{n2}00余个。",
            "近年来，{park}签约项目的平均投资强度逐年提高，单个项目投资额同比增长{pct}%。",
        ],
        "headings": ["签约项目量质齐升", "龙头项目带动效应明显", "全程代办加速项目落地", "产业链条持续延伸"],
    },
    "产业": {
        "sentences": [
            "{park}已形成以新能源、新材料、高端装备为主导的产业体系，规上工业企业达到{big}家。",
            "今年以来，{park}规上工业总产值同比增长{pct}%，高于全市平均水平{pct2}个百分点。",
            "{company}新建的{n}条自动化生产线已全部投入使用，产品主要销往{region}及海外市场。",
            "园区按照“链主企业+配套企业+公共平台”的思路，推动产业链上下游企业协同发展。",
            "目前，{park}新能源产业链已集聚上下游企业{n}家，本地配套率提高到{pct}%。",
            "为破解中小企业融资难题，{park}设立产业引导基金{amt}亿元，撬动社会资本参与产业项目建设。",
            "{park}还组织开展产业链供需对接活动，促成本地配套订单{n2}笔，合同金额{amt2}亿元。",
            "一期项目投产后，{company}预计年产正极材料{big}0吨，实现年销售收入{amt}亿元。",
            "园区内标准厂房、人才公寓、职工食堂等配套设施同步建成，为企业提供“拎包入驻”服务。",
        ],
        "headings": ["做强链主企业", "补齐产业链短板", "完善产业配套", "推动产业集群发展", "以数字化赋能传统产业"],
    },
    "人才": {
        "sentences": [
            "{park}出台人才新政，对引进的顶尖人才团队最高给予{n}00万元项目资助。",
            "新政围绕引才、育才、留才、用才四个环节，提出了{n2}条具体支持措施。",
            "对新引进的博士、硕士研究生，{park}分别给予每月{n}00元和{n2}00元的生活补贴，连续发放三年。",
            "{park}建成人才公寓{big}套，符合条件的人才可以拎包入住，前两年免收租金。",
            "今年以来，{park}通过校园招聘、网络招聘等方式为企业引进各类人才{big}人。",
            "{company}人力资源负责人介绍，公司今年新招聘的研发人员中有近{pct}%来自省外高校。",
            "园区与{n}所职业院校共建实训基地，开展订单式人才培养，毕业生留园就业率达到{pct2}%。",
            "{park}还设立人才服务专窗，为高层次人才提供子女入学、医疗保健等“一站式”服务。",
        ],
        "headings": ["政策加码广聚英才", "搭建平台精心育才", "优化服务用心留才"],
    },
    "营商": {
        "sentences": [
            "{park}深化“放管服”改革，企业开办时间压缩至{n}个小时以内。",
            "工业项目推行“标准地+承诺制”改革，企业拿地后可同步办理{n2}项审批手续，实现“拿地即开工”。",
            "政务服务中心设立“综合受理”窗口，{big}项政务服务事项实现“一窗通办”。",
            "{park}建立企业诉求“接诉即办”机制，今年以来共受理企业诉求{big}件，办结率达{pct2}%。",
            "“企业服务日”当天，{n}个职能部门负责人现场办公，面对面为企业解答政策、协调难题。",
            "{company}负责人说，从提交申请到拿到施工许可证只用了{n2}个工作日，比预期快了一倍多。",
            "{park}为每个重点项目配备一名“项目管家”，提供从签约到投产的全流程代办服务。",
            "今年以来，{park}累计为企业减税降费{amt}亿元，兑现各类奖补资金{amt2}亿元。",
            "下一步，{park}将对标一流营商环境，持续推动审批事项“再精简、再提速”。",
        ],
        "headings": ["审批提速跑出加速度", "服务下沉解决企业难题", "政策直达惠企利企", "打造一流营商环境"],
    },
    "数字": {
        "sentences": [
            "{park}大力发展数字经济，集聚软件和信息服务企业{big}家，数字经济核心产业营业收入增长{pct}%。",
            "园区数据中心已建成标准机柜{big}0个，智能算力规模达到{n}00PFlops。",
            "{park}发布算力券政策，中小企业使用园区公共算力平台可获得最高{n}0万元补贴。",
            "{company}打造的工业互联网平台已接入设备{big}0余台，帮助企业平均降低运营成本{pct}%。",
            "今年，{park}计划推动{n2}家规上工业企业完成数字化改造，建设智能工厂和数字化车间{n}个。",
            "人工智能产业联盟首批成员单位{n}家，涵盖算法研发、数据标注、智能硬件等环节。",
            "{park}还开放了智慧交通、智慧园区等{n2}个应用场景，吸引企业“揭榜挂帅”。",
            "专家指出，数据要素市场化配置是下一阶段园区数字经济发展的关键。",
        ],
        "headings": ["夯实数字基础设施", "推动企业数字化转型", "开放场景培育新业态"],
    },
    "开工": {
        "sentences": [
            "{m}月{d}日，{park}举行重点项目集中开工活动，此次开工项目{n}个，总投资{amt}亿元。",
            "开工项目涵盖先进制造、现代物流、基础设施等领域，其中{company}智能制造基地项目投资最大。",
            "项目现场机械轰鸣、车辆穿梭，施工人员正在进行土方开挖和基础施工。",
            "为保障项目顺利推进，{park}提前完成了“七通一平”等基础配套工作。",
            "{company}项目负责人介绍，项目主体结构已于近日封顶，预计{n2}月底前完成设备安装调试。",
            "今年，{park}共安排重点建设项目{big}个，年度计划投资{amt2}亿元，目前已完成年度投资的{pct}%。",
            "观摩团一行先后实地察看了{n}个重点项目建设现场，详细了解项目进度和存在的困难。",
            "{park}实行重点项目“红黄绿”三色管理，对进度滞后的项目挂牌督办。",
        ],
        "headings": ["重大项目集中开工", "要素保障持续强化", "挂图作战确保进度"],
    },
    "创新": {
        "sentences": [
            "{park}全社会研发投入强度达到{pct2}%，高新技术企业数量突破{big}家。",
            "{company}今年研发投入同比增长{pct}%，新申请发明专利{n}项。",
            "园区孵化器在孵企业已达{big}家，累计毕业企业{n2}0余家。",
            "{park}与{n}所高校院所共建新型研发机构，推动科研成果在园区转化落地。",
            "今年{park}新增国家级专精特新“小巨人”企业{n}家，省级专精特新中小企业{n2}家。",
            "创新创业大赛共吸引{big}个项目报名参赛，涉及生物医药、人工智能、新能源等领域。",
            "{park}对企业建设研发中心给予最高{n}00万元奖励，对首台（套）重大技术装备给予专项支持。",
            "{company}与高校联合攻关的关键材料项目，打破了国外企业的技术垄断。",
            "科技成果转化服务中心全年促成技术合同交易{big}项，成交金额{amt}亿元。",
        ],
        "headings": ["企业创新主体地位凸显", "产学研协同不断深化", "创新平台量质齐升", "孵化体系持续完善"],
    },
    "绿色": {
        "sentences": [
            "{park}持续推进绿色低碳发展，单位工业增加值能耗同比下降{pct}%。",
            "园区内{n}家企业建成屋顶分布式光伏，总装机容量达到{big}兆瓦。",
            "{company}通过工艺改造，每年可减少二氧化碳排放{big}0吨。",
            "污水处理厂提标改造完成后，日处理能力提升至{n}万吨，出水水质达到一级A标准。",
            "{park}建立了园区能源管理平台，对重点用能企业实行在线监测。",
            "首批认定的{n2}家“零碳工厂”全部使用绿色电力，并实现了碳排放的全过程核算。",
            "{park}今年已淘汰落后产能企业{n}家，腾退低效用地{big}亩，用于引进优质项目。",
            "园区还推动企业之间的余热、废水、固废循环利用，形成了{n2}条循环经济产业链。",
        ],
        "headings": ["推进能源结构调整", "加强污染防治", "发展循环经济", "建设绿色工厂"],
    },
}

# Sentences usable in any article (general context and outlook).
GENERAL: list[str] = [
    "{park}党工委主要负责同志表示，要以项目为王、企业为本，全力推动园区高质量发展。",
    "{city}相关部门负责人、企业代表等{n}0余人参加活动。",
    "近年来，{park}综合实力持续提升，在国家级经开区综合发展水平考核评价中排名稳步上升。",
    "{park}地处交通要道，距离高铁站和机场均不足半小时车程，物流条件优越。",
    "活动现场，与会人员还观看了园区宣传片，参观了园区规划展示馆。",
    "今年上半年，{park}地区生产总值同比增长{pct}%，固定资产投资同比增长{pct2}%。",
    "{park}将进一步发挥开放平台作用，加快构建现代化产业体系。",
    "据了解，{park}规划面积{n}0平方公里，目前已入驻企业{big}0余家。",
    "会议要求，各部门要强化责任担当，狠抓工作落实，确保全年目标任务圆满完成。",
    "企业代表纷纷表示，将扎根园区、做大做强，为地方经济发展贡献力量。",
    "{park}还将定期开展政企恳谈会，听取企业意见建议，及时解决企业发展中遇到的问题。",
    "业内人士认为，园区经济正在从规模扩张转向质量提升。",
    "{city}委主要领导在调研时指出，园区是全市经济发展的主阵地、主战场。",
    "下一步，{park}将围绕年度目标，细化工作举措，形成比学赶超的良好氛围。",
    "在随后召开的座谈会上，{n2}家企业代表就用工、融资、物流等问题进行了交流。",
    "数据显示，{park}外贸进出口总额达到{amt}亿元，同比增长{pct}%。",
]

CAPTIONS: list[str] = [
    "图为{park}重点项目建设现场。",
    "图为签约仪式现场。（{park}供图）",
    "{company}生产车间一角。",
    "图为活动现场。",
    "图为园区全景。（资料图）",
]

# Regular demo-site articles: (title, topic, park index)
DEMO_TITLES: list[tuple[str, str, int]] = [
    ("临江经开区一季度签约项目27个 总投资186亿元", "签约", 0),
    ("南湖高新区举办2024年首场“云招商”推介会", "招商", 1),
    ("青山经开区新能源电池材料产业园一期投产", "产业", 2),
    ("东岭高新区出台“人才新政20条” 最高给予500万元支持", "人才", 3),
    ("西河工业园区推行“标准地+承诺制” 企业拿地即开工", "营商", 4),
    ("云台科技园获批省级数字经济创新发展试验区", "数字", 5),
    ("北塘经开区集中开工重点项目15个", "开工", 6),
    ("白沙高新区：智能制造企业研发投入同比增长两成", "创新", 7),
    ("临江经开区组织企业赴长三角开展产业链精准招商", "招商", 0),
    ("南湖高新区生物医药产业园签约落地8个项目", "签约", 1),
    ("青山经开区“企业服务日”现场解决诉求43项", "营商", 2),
    ("东岭高新区建成首批“零碳工厂”", "绿色", 3),
    ("西河工业园区高端装备制造项目签约 总投资32亿元", "签约", 4),
    ("云台科技园孵化器在孵企业突破300家", "创新", 5),
    ("北塘经开区跨境电商产业园开园", "产业", 6),
    ("白沙高新区与三所高校共建产学研合作平台", "创新", 7),
    ("临江经开区上半年规上工业总产值增长9.6%", "产业", 0),
    ("南湖高新区项目审批时限压缩至15个工作日", "营商", 1),
    ("青山经开区举办重点产业链供需对接会", "产业", 2),
    ("东岭高新区半导体封测项目主体结构封顶", "开工", 3),
    ("西河工业园区污水处理厂提标改造完工", "绿色", 4),
    ("云台科技园发布算力券政策 助力中小企业“上云用数”", "数字", 5),
    ("北塘经开区新增国家级专精特新“小巨人”企业6家", "创新", 6),
    ("白沙高新区光伏产业链项目集中签约", "签约", 7),
    ("临江经开区获评国家绿色工业园区", "绿色", 0),
    ("南湖高新区创新创业大赛总决赛落幕", "创新", 1),
    ("青山经开区港口物流园二期启动建设", "开工", 2),
    ("东岭高新区组团赴粤港澳大湾区招商", "招商", 3),
    ("西河工业园区人才公寓交付使用", "人才", 4),
    ("云台科技园人工智能产业联盟成立", "数字", 5),
    ("北塘经开区前三季度实际利用外资同比增长12%", "招商", 6),
    ("白沙高新区“一站式”企业服务中心投入运行", "营商", 7),
    ("临江经开区召开年度重点项目观摩推进会", "开工", 0),
    ("南湖高新区入选国家级科技企业孵化器优秀名单", "创新", 1),
]

# The article in the exact shape of /work/shared/seed-article.txt (own text, own topic).
SEED_FORMAT_ARTICLE = {
    "title": "以链强群,临江经开区推行“链长制”壮大新能源汽车产业",
    "date": "2024-04-16",
    "source": "中国网园区",
    "author": "周明远",
    "editor": "园区投稿01",
    "blocks": [
        ("p", "4月12日,临江经开区召开新能源汽车产业链推进大会。会议提出,要坚持把发展新能源汽车产业作为园区转型升级的主攻方向,以“链长制”为抓手,强链补链延链,加快打造千亿级新能源汽车产业集群。"),
        ("p", "会议强调,各链长单位要切实扛起责任,摸清产业链条家底,找准缺失和薄弱环节,做到“一条产业链、一名链长、一个工作专班、一张招商图谱”,推动产业链各环节协同发展、整体提升。"),
        ("p", "2023年以来,临江经开区围绕整车制造、动力电池、电机电控、汽车电子等关键环节,建立链长牵头、部门协同、企业参与的工作机制,全年新引进产业链项目31个,新能源汽车产业产值同比增长27.4%。"),
        ("h", "聚焦链主企业,强化产业引领"),
        ("p", "临江经开区把服务链主企业作为产业链工作的“牛鼻子”,为区内整车企业配备专职服务专员,每月召开一次供需对接会,协调解决用地、用工、物流等问题46项。"),
        ("p", "在链主企业带动下,园区新增一级配套企业12家、二级配套企业27家,整车本地配套率由2022年的35%提高到48%。园区还支持链主企业开放供应链,组织本地企业参加供应商认证,19家企业首次进入整车企业采购体系。"),
        ("h", "绘制招商图谱,精准补链延链"),
        ("p", "临江经开区组织专业机构编制新能源汽车产业链招商图谱,梳理出目标企业210家,按照“已落地、在洽谈、待接触”三类实行清单化管理。招商专班先后赴长三角、珠三角开展专题招商18次,成功引进电驱动系统、热管理系统等项目9个。"),
        ("p", "其中,总投资45亿元的动力电池结构件项目从签约到开工仅用了68天,创下园区项目落地的新纪录。项目全部建成后,可为区内整车企业提供年配套能力60万套,进一步降低企业物流和采购成本。"),
        ("h", "搭建创新平台,提升核心竞争力"),
        ("p", "临江经开区联合高校、科研院所和龙头企业组建新能源汽车产业创新联合体,围绕固态电池、智能座舱、车规级芯片等方向开展联合攻关,今年已立项研发课题14个。"),
        ("p", "园区建成的新能源汽车检验检测公共服务平台已为区内外企业提供检测服务3200余批次,企业送检周期平均缩短一半以上。与此同时,园区出台专项政策,对企业新获得的发明专利和参与制定的行业标准给予奖励,全年兑现创新奖励资金2800余万元。"),
        ("h", "优化要素保障,护航项目建设"),
        ("p", "为保障产业链项目加快建设,临江经开区推行“标准地”出让和“拿地即开工”审批模式,统筹安排产业用地1800亩,新建标准厂房26万平方米。园区还联合金融机构推出“链贷通”产品,为产业链中小企业发放贷款9.6亿元。"),
        ("p", "在用工保障方面,临江经开区与区内外14所职业院校签订校企合作协议,开设新能源汽车订单班,每年可为企业输送技能人才2000余人,有效缓解了企业招工难问题。"),
        ("p", "临江经开区有关负责人表示,下一步将持续完善“链长制”工作机制,坚持招大引强与培育壮大并举,推动新能源汽车产业向高端化、智能化、绿色化方向发展,为园区高质量发展注入强劲动能。"),
    ],
}

# The article served as GBK/GB18030 bytes.
GBK_ARTICLE = {
    "title": "北塘经开区召开民营企业座谈会 倾听企业心声",
    "date": "2024-08-20",
    "time": "15:20",
    "source": "北塘日报",
    "author": "孙立新",
    "editor": "陈默",
    "paragraphs": [
        "8月19日下午，北塘经开区召开民营企业座谈会，来自装备制造、电子信息、现代物流等行业的20位民营企业负责人参加座谈。",
        "座谈会上，企业负责人结合自身发展实际，围绕融资贷款、人才招引、市场开拓、用地保障等方面畅所欲言，提出意见建议32条。",
        "经开区相关部门负责人现场逐条回应，对能够当场解决的问题当场答复，对需要协调的问题建立台账、明确时限、限期办结。",
        "北塘经开区主要负责同志表示，民营经济是园区发展的重要力量，各部门要当好服务企业的“店小二”，切实帮助企业解决实际困难。",
        "今年以来，北塘经开区新登记民营企业1260户，民营企业贡献的税收占全区税收总额的六成以上。",
    ],
}

BENCH_TITLES: dict[str, list[str]] = {
    "招商": ["{park}赴{region}开展招商推介 洽谈项目{n}个", "{park}前{n2}个月新签约亿元以上项目{n}个"],
    "签约": ["{park}集中签约项目{n}个 总投资{amt}亿元", "{company}项目落户{park} 计划投资{amt2}亿元"],
    "产业": ["{park}规上工业总产值同比增长{pct}%", "{park}{company}新建生产线{n}条投产"],
    "人才": ["{park}今年引进各类人才{big}人", "{park}{n}所院校共建实训基地"],
    "营商": ["{park}企业开办压缩至{n}小时", "{park}“接诉即办”受理企业诉求{big}件"],
    "数字": ["{park}数字经济核心产业营收增长{pct}%", "{park}推动{n2}家企业数字化改造"],
    "开工": ["{park}集中开工项目{n}个 总投资{amt}亿元", "{park}{company}项目主体封顶"],
    "创新": ["{park}新增专精特新企业{n2}家", "{park}技术合同成交额{amt}亿元"],
    "绿色": ["{park}单位工业增加值能耗下降{pct}%", "{park}{n2}家企业建成屋顶光伏"],
}

_PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

SITE_NAME = "中国网园区"
PARTNER_NAME = "临江经济技术开发区管理委员会"


# ---------------------------------------------------------------------------------------------
# Data model
# ---------------------------------------------------------------------------------------------
@dataclass
class DemoSite:
    """`pages`: path (or path?query) -> Page. `expected`: the manifest (JSON-able dict)."""

    pages: dict[str, Page]
    expected: dict[str, Any]

    def stored_articles(self) -> list[dict[str, Any]]:
        """The manifest entries of every article a complete crawl stores: `articles`, then the
        shapes that store one (path, title, published_at, source, author, editor, body_text)."""
        shapes = [m for m in self.expected["shapes"].values() for _ in range(m["stores"])]
        return self.expected["articles"] + shapes


@dataclass
class _Article:
    path: str
    title: str
    day: date
    time: str | None  # "09:30" or None
    source: str
    authors: list[str]
    editor: str | None
    # blocks: ("p", text) paragraph, ("h", text) heading, ("img", src, caption)
    blocks: list[tuple] = field(default_factory=list)
    meta_style: int = 0
    heading_style: str = "plain"  # "plain" | "strong"
    editor_style: int = 0
    indent: bool = False
    kind: str = "regular"
    encoding: str = "utf-8"

    @property
    def published_at(self) -> str:
        if self.time:
            return f"{self.day.isoformat()}T{self.time}+08:00"
        return self.day.isoformat()

    def sections(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = [{"heading": None, "paragraphs": []}]
        for b in self.blocks:
            if b[0] == "h":
                out.append({"heading": b[1], "paragraphs": []})
            elif b[0] == "p":
                out[-1]["paragraphs"].append(b[1])
            elif b[0] == "img":  # photo captions inside the body are body text (corpus rules)
                out[-1]["paragraphs"].append(b[2])
        if not out[0]["paragraphs"] and len(out) > 1:
            out.pop(0)
        return out

    def headings(self) -> list[str]:
        return [b[1] for b in self.blocks if b[0] == "h"]

    def body_text(self) -> str:
        return "\n".join(b[2] if b[0] == "img" else b[1] for b in self.blocks)

    def images(self) -> list[dict[str, Any]]:
        return [{"src": b[1], "caption": b[2]} for b in self.blocks if b[0] == "img"]

    def manifest(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "title": self.title,
            "published_at": self.published_at,
            "source": self.source,
            "author": " ".join(self.authors) or None,
            "editor": self.editor,
            "section_headings": self.headings(),
            "sections": self.sections(),
            "body_text": self.body_text(),
            "images": self.images(),
            "kind": self.kind,
            "encoding": self.encoding,
            "also_at": [],
        }


# ---------------------------------------------------------------------------------------------
# Text generation
# ---------------------------------------------------------------------------------------------
def _fill(template: str, rng: random.Random, park: tuple[str, str, str], event_day: date) -> str:
    c1, c2 = rng.sample(COMPANIES, 2)
    values = {
        "park": park[0], "park_full": park[1], "city": park[2],
        "company": c1, "company2": c2, "region": rng.choice(REGIONS),
        "n": rng.randint(3, 48), "n2": rng.randint(2, 19), "big": rng.randint(110, 980),
        "amt": f"{rng.randint(12, 380)}.{rng.randint(1, 9)}", "amt2": rng.randint(5, 95),
        "pct": f"{rng.randint(4, 38)}.{rng.randint(1, 9)}", "pct2": f"{rng.randint(1, 9)}.{rng.randint(1, 9)}",
        "m": event_day.month, "d": event_day.day,
    }
    return template.format(**values)


_SUBJECTS = ["{company}", "{park}", "{company2}", "园区管委会", "{city}商务局", "{park}经发局", "园区企业服务中心"]
_ACTIONS = [
    "新建成{n}个实验室", "新增订单{amt}亿元", "完成技术改造项目{n2}个", "新引进研发人员{big}名",
    "启动二期扩产工程", "与{n}家供应商签订长期协议", "新开通国际货运班列{n2}条", "新增授权专利{n}项",
    "建成投用{n2}座储能电站", "组织开展{n}场专题培训", "上线企业服务线上平台", "完成{n2}个老旧厂房改造",
    "累计发放贷款{amt2}亿元", "落实减税降费{amt}亿元", "新设{n}个海外营销网点",
]
_RESULTS = [
    "预计全年产值可增长{pct}%", "带动上下游就业{big}人", "企业满意度提升到{pct2}分", "产品良品率提高{pct2}个百分点",
    "综合能耗下降{pct}%", "市场份额进一步扩大", "为全年目标任务打下了坚实基础", "得到了企业的普遍好评",
    "产业链协同水平明显提升", "有效降低了企业运营成本",
]


def _free_sentence(rng: random.Random, park: tuple[str, str, str], event_day: date,
                   first: bool = False) -> str:
    """A combinatorial sentence (many variants), used once the template pools run out."""
    leads = ["今年以来，", "近期，", "据统计，", ""] if first else ["今年以来，", "近期，", "据统计，", "与此同时，", "此外，", ""]
    lead = rng.choice(leads)
    t = f"{lead}{rng.choice(_SUBJECTS)}{rng.choice(_ACTIONS)}，{rng.choice(_RESULTS)}。"
    return _fill(t, rng, park, event_day)


def _compose_blocks(rng: random.Random, topic: str, park: tuple[str, str, str], day: date,
                    n_paragraphs: int, with_headings: bool, image: tuple[str, str] | None,
                    sentences: tuple[int, int] = (2, 3), mix_topics: bool = False,
                    ) -> list[tuple]:
    """Paragraphs of `sentences` (min, max) sentences drawn without repetition from the topic's
    (or, with `mix_topics`, every topic's) and the general pools, then combinatorial sentences;
    optional headings (3) and one image after the first paragraph."""
    event_day = day - timedelta(days=rng.randint(0, 2))
    pool_topic = list(TOPICS[topic]["sentences"])
    if mix_topics:
        others = [s for t, v in TOPICS.items() if t != topic for s in v["sentences"]]
        pool_topic += rng.sample(others, min(len(others), 12))
    pool_general = list(GENERAL)
    rng.shuffle(pool_topic)
    rng.shuffle(pool_general)
    paragraphs: list[str] = []
    for i in range(n_paragraphs):
        k = rng.randint(*sentences)
        sents: list[str] = []
        used: list[str] = []
        for j in range(k):
            use_topic = (j == 0) or rng.random() < 0.5
            pool = pool_topic if use_topic else pool_general
            if not pool:
                pool = pool_general if use_topic else pool_topic
            # No two sentences of a paragraph open alike ("下一步，…下一步，…").
            if pool and rng.random() < 0.85 and all(pool[-1][:3] != t[:3] for t in used):
                used.append(pool[-1])
                sents.append(_fill(pool.pop(), rng, park, event_day))
            else:
                sents.append(_free_sentence(rng, park, event_day, first=(i == 0 and j == 0)))
        paragraphs.append("".join(sents))
    blocks: list[tuple] = []
    headings = rng.sample(TOPICS[topic]["headings"], min(3, len(TOPICS[topic]["headings"]))) if with_headings else []
    # Heading positions: after the first paragraph, then spread evenly.
    cut_points = []
    if headings:
        rest = n_paragraphs - 1
        step = max(1, rest // len(headings))
        cut_points = [1 + step * h for h in range(len(headings))]
    hi = 0
    for i, p in enumerate(paragraphs):
        if hi < len(headings) and i == cut_points[hi]:
            blocks.append(("h", headings[hi]))
            hi += 1
        blocks.append(("p", p))
        if i == 0 and image:
            blocks.append(("img", image[0], image[1]))
    return blocks


# ---------------------------------------------------------------------------------------------
# Rendering: 中国网园区-style pages
# ---------------------------------------------------------------------------------------------
def _e(s: str) -> str:
    return html.escape(s, quote=True)


_NAV = (
    '<div class="nav"><ul>'
    '<li><a href="/">首页</a></li>'
    '<li><a href="/news/index.html">园区动态</a></li>'
    '<li><a href="/news/index.html">招商引资</a></li>'
    '<li><a href="/partner/list.html">合作园区</a></li>'
    '<li><a href="/about.html">关于我们</a></li>'
    '<li><a href="/contact.html">联系我们</a></li>'
    '</ul></div>'
)

_FOOTER = (
    '<div class="footer"><p><a href="/about.html">关于我们</a> | <a href="/contact.html">联系我们</a> | '
    '<a href="/contact.html">广告服务</a> | <a href="/contact.html">投稿须知</a></p>'
    '<p>Copyright &copy; 2024 中国网园区 版权所有 未经授权禁止转载、摘编、复制或建立镜像</p>'
    '<p>地址：示例市示例路1号 邮编：100000 电话：010-00000000</p>'
    '<p><a href="#top" class="backtop">Back to Top</a></p></div>'
)


def _head(title: str, charset: str = "utf-8", extra: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head>'
        f'<meta charset="{charset}">'
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f'<title>{_e(title)}</title>'
        '<meta name="keywords" content="园区,经开区,高新区,招商,产业">'
        '<link rel="stylesheet" href="/css/style.css">'
        f'{extra}</head>\n<body><a name="top"></a>'
        '<div class="topbar"><span>中国网 | 园区频道</span><span class="login">登录 注册</span></div>'
        f'<div class="header"><div class="logo"><a href="/">{SITE_NAME}</a></div></div>'
        f'{_NAV}'
    )


def _sidebar(hot: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="{_e(p)}" target="_blank">{_e(t)}</a></li>' for p, t in hot)
    return (
        '<div class="sidebar"><div class="box"><h3>热点推荐</h3><ul>'
        f'{items}'
        '<li><a href="/about.html">园区频道介绍</a></li>'
        '<li><a href="/contact.html">园区投稿指南</a></li>'
        '</ul></div><div class="box ad"><p>广告</p></div></div>'
    )


def _meta_line(a: _Article) -> str:
    date_s = a.day.isoformat()
    dt = f"{date_s} {a.time}" if a.time else date_s
    s = a.meta_style
    if s == 0:   # run together in one text node
        txt = f"时间:{dt}来源 : {_e(a.source)}"
        if a.authors:
            txt += f"作者 : {_e(' '.join(a.authors))}"
        return f'<div class="info">{txt}</div>'
    if s == 1:   # separate spans without whitespace between them
        parts = [f'<span class="time">时间:{dt}</span>', f'<span class="source">来源 : {_e(a.source)}</span>']
        if a.authors:
            parts.append(f'<span class="author">作者 : {_e(" ".join(a.authors))}</span>')
        return '<div class="info">' + "".join(parts) + "</div>"
    if s == 2:   # labels with full-width colons, separated by spaces
        txt = f"发布时间：{dt}  来源：{_e(a.source)}"
        if a.authors:
            txt += f"  作者：{_e(' '.join(a.authors))}"
        return f'<div class="info">{txt}</div>'
    # s == 3: labels separated by &nbsp;, authors listed with 、
    txt = f"发布时间：{dt}&nbsp;&nbsp;来源：{_e(a.source)}"
    if a.authors:
        txt += f"&nbsp;&nbsp;作者：{_e('、'.join(a.authors))}"
    return f'<div class="info">{txt}</div>'


def _body_html(a: _Article) -> str:
    ind = "\u3000\u3000" if a.indent else ""
    out = []
    for b in a.blocks:
        if b[0] == "p":
            out.append(f"<p>{ind}{_e(b[1])}</p>")
        elif b[0] == "h":
            if a.heading_style == "strong":
                out.append(f"<p><strong>{_e(b[1])}</strong></p>")
            else:
                out.append(f"<p>{_e(b[1])}</p>")
        elif b[0] == "img":
            out.append(f'<p style="text-align: center;"><img src="{_e(b[1])}" alt="" width="600" border="0"></p>')
            out.append(f'<p style="text-align: center;">{_e(b[2])}</p>')
    return "\n".join(out)


def _editor_html(a: _Article, inside: bool) -> str:
    if not a.editor:
        return ""
    if a.editor_style == 0:
        line = f"(责任编辑:{_e(a.editor)})"
    else:
        line = f"（责任编辑：{_e(a.editor)}）"
    if inside and a.editor_style in (0, 1):
        return f"\n<p>{line}</p>"
    if not inside and a.editor_style == 2:
        return f'<div class="editor">{line}</div>'
    return ""


def _render_article(a: _Article, related: list[_Article], hot: list[tuple[str, str]],
                    charset: str = "utf-8") -> str:
    rel = "".join(
        f'<li><a href="{_e(r.path)}" target="_blank">{_e(r.title)}</a><span>{r.day.isoformat()}</span></li>'
        for r in related
    )
    return (
        _head(f"{a.title}_{SITE_NAME}", charset)
        + '<div class="container"><div class="main">'
        '<div class="crumb">您的位置：<a href="/">首页</a> &gt; <a href="/news/index.html">园区动态</a> &gt; 正文</div>'
        '<div class="article">'
        f'<h1 class="articleTitle">{_e(a.title)}</h1>'
        f'{_meta_line(a)}'
        '<div class="share">分享到：<a href="javascript:;" class="wx">微信</a><a href="javascript:;" class="wb">微博</a>'
        '<a href="javascript:;" class="qz">QQ空间</a></div>'
        f'<div id="articleBody" class="articleBody">\n{_body_html(a)}{_editor_html(a, True)}\n</div>'
        f'{_editor_html(a, False)}'
        '<div class="jiucuo">【<a href="/contact.html">纠错</a>】 【<a href="javascript:window.print()">打印</a>】</div>'
        f'<div class="related"><h3>相关新闻</h3><ul>{rel}</ul></div>'
        '</div></div>'
        f'{_sidebar(hot)}</div>'
        f'{_FOOTER}</body></html>\n'
    )


def _render_seed_format(a: _Article, related: list[_Article], hot: list[tuple[str, str]]) -> str:
    """The layout of /work/shared/seed-article.txt: h1, one run-together meta line, plain <p>
    paragraphs and plain <p> sub-headings, (责任编辑:…) last, "Back to Top" in the footer."""
    return _render_article(a, related, hot)


def _list_item(href: str, title: str, day: date) -> str:
    return f'<li><a href="{_e(href)}" target="_blank">{_e(title)}</a><span class="date">{day.isoformat()}</span></li>'


def _pager(page_no: int, n_pages: int, first: str = "index.html", pattern: str = "index_{}.html") -> str:
    def name(k: int) -> str:
        return first if k == 1 else pattern.format(k)

    parts = [f'<a href="{name(1)}">首页</a>']
    if page_no > 1:
        parts.append(f'<a href="{name(page_no - 1)}">上一页</a>')
    for k in range(1, n_pages + 1):
        if k == page_no:
            parts.append(f'<span class="current">{k}</span>')
        else:
            parts.append(f'<a href="{name(k)}">{k}</a>')
    if page_no < n_pages:
        parts.append(f'<a href="{name(page_no + 1)}" class="next">下一页</a>')
    parts.append(f'<a href="{name(n_pages)}">尾页</a>')
    parts.append(f'<span class="total">共{n_pages}页</span>')
    return '<div class="page">' + " ".join(parts) + "</div>"


def _render_list(items: list[str], page_no: int, n_pages: int, hot: list[tuple[str, str]]) -> str:
    return (
        _head(f"园区动态_{SITE_NAME}" + (f"_第{page_no}页" if page_no > 1 else ""))
        + '<div class="container"><div class="main">'
        '<div class="crumb">您的位置：<a href="/">首页</a> &gt; 园区动态</div>'
        '<div class="list"><h2>园区动态</h2><ul>' + "".join(items) + "</ul></div>"
        + _pager(page_no, n_pages) + "</div>"
        + _sidebar(hot) + "</div>" + _FOOTER + "</body></html>\n"
    )


def _render_home(latest: list[tuple[str, str, date]], hot: list[tuple[str, str]], extra_head: str = "") -> str:
    items = "".join(_list_item(p, t, d) for p, t, d in latest)
    return (
        _head(f"{SITE_NAME}_园区经济 产业发展 招商引资", extra=extra_head)
        + '<div class="container"><div class="main">'
        '<div class="focus"><h2>园区动态</h2><ul>' + items + "</ul>"
        '<p class="more"><a href="/news/index.html">更多&gt;&gt;</a></p></div>'
        '<div class="partner"><h2>合作园区</h2><p><a href="/partner/list.html">临江经开区园区要闻</a></p></div>'
        "</div>" + _sidebar(hot) + "</div>" + _FOOTER + "</body></html>\n"
    )


def _render_static(title: str, paragraphs: list[str], hot: list[tuple[str, str]]) -> str:
    body = "".join(f"<p>{_e(p)}</p>" for p in paragraphs)
    return (
        _head(f"{title}_{SITE_NAME}")
        + f'<div class="container"><div class="main"><div class="static"><h2>{_e(title)}</h2>{body}</div></div>'
        + _sidebar(hot) + "</div>" + _FOOTER + "</body></html>\n"
    )


# ---------------------------------------------------------------------------------------------
# Rendering: the partner (government-site style) copy
# ---------------------------------------------------------------------------------------------
def _partner_head(title: str) -> str:
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head>'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />'
        f'<title>{_e(title)}</title></head>\n<body>'
        f'<div class="gov-header"><div class="gov-logo">{PARTNER_NAME}</div>'
        '<ul class="gov-nav"><li><a href="/partner/list.html">网站首页</a></li>'
        '<li><a href="/partner/list.html">园区要闻</a></li><li><a href="/partner/list.html">政务公开</a></li>'
        '<li><a href="/partner/list.html">投资指南</a></li><li><a href="/">中国网园区</a></li></ul></div>'
    )


_PARTNER_FOOTER = (
    f'<div class="gov-footer"><p>主办单位：{PARTNER_NAME}　承办：临江经开区党政办公室</p>'
    '<p>地址：临江市示例大道88号　联系电话：0000-00000000</p>'
    '<p>网站标识码：0000000000　备案号：示ICP备00000000号</p></div>'
)


def _render_partner_article(a: _Article, partner_source: str) -> str:
    body = "\n".join(f"<p>{_e(b[1])}</p>" if b[0] in ("p", "h") else
                     f'<p align="center"><img src="{_e(b[1])}" /></p><p align="center">{_e(b[2])}</p>'
                     for b in a.blocks)
    return (
        _partner_head(f"{a.title} - {PARTNER_NAME}")
        + '<div class="position">当前位置：<a href="/partner/list.html">首页</a> &gt; '
        '<a href="/partner/list.html">园区要闻</a></div>'
        '<div class="detail">'
        f'<div class="detail-title">{_e(a.title)}</div>'
        f'<div class="detail-info">发布日期：{a.day.isoformat()}&nbsp;&nbsp;&nbsp;&nbsp;信息来源：{_e(partner_source)}'
        '&nbsp;&nbsp;&nbsp;&nbsp;浏览次数：<span id="hits">1024</span>'
        '&nbsp;&nbsp;【字体：<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a>】</div>'
        f'<div class="TRS_Editor">\n{body}\n</div>'
        '<div class="detail-foot">【<a href="javascript:window.print()">打印本页</a>】'
        '【<a href="javascript:window.close()">关闭窗口</a>】</div></div>'
        + _PARTNER_FOOTER + "</body></html>\n"
    )


def _render_partner_list(items: list[tuple[str, str, date]]) -> str:
    lis = "".join(f'<li><span class="time">{d.isoformat()}</span><a href="{_e(p)}" title="{_e(t)}">{_e(t)}</a></li>'
                  for p, t, d in items)
    return (
        _partner_head(f"园区要闻 - {PARTNER_NAME}")
        + '<div class="position">当前位置：首页 &gt; 园区要闻</div>'
        f'<div class="news-list"><ul>{lis}</ul></div>'
        '<div class="pagination">共1页 当前第1页</div>'
        + _PARTNER_FOOTER + "</body></html>\n"
    )


def _html_page(text: str) -> Page:
    return Page.html(text)


# ---------------------------------------------------------------------------------------------
# The demo site
# ---------------------------------------------------------------------------------------------
LIST_PAGE_SIZE = 12
TRACKING_QUERY = "utm_source=wechat&spm=123"
NOT_FOUND_PATH = "/news/2024-06/18/content_40999404.html"
SERVER_ERROR_PATH = "/news/2024-03/27/content_40999500.html"
PARTNER_LIST_PATH = "/partner/list.html"


def _article_path(day: date, art_id: int) -> str:
    return f"/news/{day:%Y-%m}/{day:%d}/content_{art_id}.html"


def _regular_articles() -> list[_Article]:
    arts: list[_Article] = []
    start = date(2024, 1, 8)
    for i, (title, topic, park_i) in enumerate(DEMO_TITLES):
        rng = random.Random(7000 + i)
        day = start + timedelta(days=i * 10 + (i * 7) % 5)
        park = PARKS[park_i]
        art_id = 40210000 + i * 137
        path = _article_path(day, art_id)
        meta_style = i % 4
        time_s = f"{8 + (i * 5) % 10:02d}:{(i * 17) % 60:02d}" if i % 3 == 1 else None
        authors: list[str] = []
        if i % 5 != 2:  # some without author
            authors = [AUTHORS[i % len(AUTHORS)]]
            if meta_style == 3 or i % 7 == 0:
                authors.append(AUTHORS[(i * 3 + 5) % len(AUTHORS)])
        source = SOURCES[(i // 2) % len(SOURCES)].format(park=park[0], city=park[2])
        hs = i % 3  # 0 none, 1 plain <p>, 2 <p><strong>
        image = None
        if i % 5 in (1, 3):
            cap = _fill(CAPTIONS[i % len(CAPTIONS)], rng, park, day)
            image = (f"/uploads/{day:%Y/%m}/{art_id}_1.png", cap)
        blocks = _compose_blocks(rng, topic, park, day, n_paragraphs=rng.randint(5, 8),
                                 with_headings=hs != 0, image=image)
        arts.append(_Article(
            path=path, title=title, day=day, time=time_s, source=source, authors=authors,
            editor=EDITORS[i % len(EDITORS)], blocks=blocks, meta_style=meta_style,
            heading_style="strong" if hs == 2 else "plain", editor_style=i % 3,
            indent=i % 2 == 0,
        ))
    return arts


def build_demo_site() -> DemoSite:
    """The bundled sample site.

    `expected` (all paths are server-relative, e.g. "/news/2024-05/13/content_1.html"):
      articles            distinct articles, newest first: dicts with path, title, published_at
                          ("YYYY-MM-DD" or "YYYY-MM-DDTHH:MM+08:00"), source, author (names joined
                          by one space, or None), editor, section_headings, sections (Record
                          shape), body_text (headings, paragraphs and photo captions, "\\n"-joined,
                          in page order; the 责任编辑 line excluded, as the corpus rules say),
                          images ([{src, caption}]), kind ("regular" | "seed_format" | "gbk"),
                          encoding, also_at (other paths or URLs serving the same article)
      article_count       len(articles)
      article_paths       every path that serves an article (plain URLs + the partner copy)
      list_pages          the main list pages in order, then the partner list page
      main_list_pages     /news/index.html, /news/index_2.html, ...
      partner_list_page   "/partner/list.html"
      non_article_pages   "/", "/about.html", "/contact.html"
      gbk_path            the article served as GB18030 bytes declared gb2312
      seed_format_path    the article in the layout of /work/shared/seed-article.txt
      tracked_urls        [plain path, same path + "?utm_source=wechat&spm=123"]
      republished_paths   [main-site path, partner path]; republished_partner: the fields as the
                          partner copy shows them (source differs, no author, no editor)
      not_found_path      linked from a list page, answers 404
      server_error_path   linked from a list page, answers 500
      robots_path         "/robots.txt" (its Sitemap: line names sitemap_index)
      sitemap_index       "/sitemap.xml", a sitemap index of `sitemaps` (news.xml.gz: every article
                          with its lastmod, gzip; pages.xml: the static pages)
      feed, feed_paths    "/rss.xml" (announced by the home page) and the articles it lists
      discovery_only_path an article on no list page: only the sitemap and the feed lead to it
      image_paths         image URLs (tiny PNGs, served)
      shapes              the whole-article shapes (SHAPES): name -> manifest entry, each with
                          "stores" (how many articles it adds to the archive); "multipage" is a
                          three-page article (crawler/demo/multipage.py), "notice" a notice with
                          a PDF and a DOCX attachment (crawler/demo/notice.py); "challenge" a link
                          answering 412 with a script challenge (crawler/demo/challenge.py,
                          blocked_reason, stores 0)
      stored_count        the articles a complete crawl stores: article_count plus the shapes'
    """
    arts = _regular_articles()

    # The seed-format article.
    sa = SEED_FORMAT_ARTICLE
    seed_day = date.fromisoformat(sa["date"])
    seed_art = _Article(
        path=_article_path(seed_day, 40212345), title=sa["title"], day=seed_day, time=None,
        source=sa["source"], authors=[sa["author"]], editor=sa["editor"],
        blocks=[tuple(b) for b in sa["blocks"]], meta_style=0, heading_style="plain",
        editor_style=0, indent=False, kind="seed_format",
    )
    # The GBK article.
    ga = GBK_ARTICLE
    gbk_day = date.fromisoformat(ga["date"])
    gbk_art = _Article(
        path=_article_path(gbk_day, 40218888), title=ga["title"], day=gbk_day, time=ga["time"],
        source=ga["source"], authors=[ga["author"]], editor=ga["editor"],
        blocks=[("p", p) for p in ga["paragraphs"]], meta_style=1, editor_style=1,
        indent=True, kind="gbk", encoding="gb18030",
    )
    all_arts = sorted(arts + [seed_art, gbk_art], key=lambda a: (a.day, a.path), reverse=True)
    n = len(all_arts)
    regular_idx = [k for k, a in enumerate(all_arts) if a.kind == "regular"]
    tracked = all_arts[regular_idx[3]]
    # The republished article is a 临江经开区 one (the partner site is 临江经开区's), on list page 2.
    republished = min(
        (all_arts[k] for k in regular_idx if all_arts[k].title.startswith(PARKS[0][0]) and all_arts[k] is not tracked),
        key=lambda a: abs(all_arts.index(a) - 16),
    )

    hot = [(all_arts[k].path, all_arts[k].title) for k in (1, 5, 9, 14, 20)]
    pages: dict[str, Page] = {}

    # Article pages.
    for k, a in enumerate(all_arts):
        related = [all_arts[(k + off) % n] for off in (1, 2, 3)]
        if a.kind == "gbk":
            text = _render_article(a, related, hot, charset="gb2312")
            pages[a.path] = Page(200, text.encode("gb18030"), {"Content-Type": "text/html; charset=gb2312"})
        else:
            pages[a.path] = _html_page(_render_article(a, related, hot))
        for b in a.blocks:
            if b[0] == "img":
                pages[b[1]] = Page(200, _PNG_1PX, {"Content-Type": "image/png"})

    # Partner copy of the republished article.
    partner_id = 12345
    partner_path = f"/partner/yuanqu/{republished.day:%Y}/{republished.day:%m%d}/{partner_id}.shtml"
    partner_source = "临江经开区管委会"
    pages[partner_path] = _html_page(_render_partner_article(republished, partner_source))
    pages[PARTNER_LIST_PATH] = _html_page(_render_partner_list([
        (partner_path, republished.title, republished.day),
    ]))

    # One article only the sitemap and the feed lead to (crawler/demo/discovery.py): the oldest
    # regular one that is not on the home page, the sidebar, tracked or republished.
    shown = {all_arts[k].path for k in range(8)} | {p for p, _ in hot} | {tracked.path, republished.path}
    discovery_only = next(all_arts[k] for k in reversed(regular_idx) if all_arts[k].path not in shown)

    # List entries: newest first; the tracked copy opens page 2; 404 and 500 links in the flow.
    entries: list[tuple[str, str, date]] = [(a.path, a.title, a.day) for a in all_arts if a is not discovery_only]
    entries.insert(LIST_PAGE_SIZE, (f"{tracked.path}?{TRACKING_QUERY}", tracked.title, tracked.day))
    entries.insert(20, (NOT_FOUND_PATH, "临江经开区召开园区安全生产工作会议", date(2024, 6, 18)))
    entries.insert(29, (SERVER_ERROR_PATH, "南湖高新区举办企业上市培育专题培训", date(2024, 3, 27)))
    n_pages = (len(entries) + LIST_PAGE_SIZE - 1) // LIST_PAGE_SIZE
    main_lists = []
    for p in range(n_pages):
        chunk = entries[p * LIST_PAGE_SIZE:(p + 1) * LIST_PAGE_SIZE]
        path = "/news/index.html" if p == 0 else f"/news/index_{p + 1}.html"
        main_lists.append(path)
        pages[path] = _html_page(_render_list([_list_item(*e) for e in chunk], p + 1, n_pages, hot))

    # Error pages.
    pages[NOT_FOUND_PATH] = Page.html(
        _head("404 页面不存在") + '<div class="container"><div class="error"><h2>抱歉，您访问的页面不存在</h2>'
        '<p><a href="/">返回首页</a></p></div></div>' + _FOOTER + "</body></html>\n", status=404)
    pages[SERVER_ERROR_PATH] = Page.html(
        "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body>"
        "<h1>Internal Server Error</h1><p>服务器内部错误，请稍后再试。</p></body></html>\n", status=500)

    # Home, static pages, robots.
    pages["/"] = _html_page(_render_home([(a.path, a.title, a.day) for a in all_arts[:8]], hot,
                                         extra_head=demo_discovery.FEED_LINK))
    pages["/about.html"] = _html_page(_render_static("关于我们", [
        "中国网园区频道（示例站点）是parknews项目离线测试用的示例网站，页面内容均为编写的示例文本。",
        "频道关注园区经济、产业发展、招商引资和营商环境等内容。",
    ], hot))
    pages["/contact.html"] = _html_page(_render_static("联系我们", [
        "投稿邮箱：demo@example.com", "联系电话：010-00000000",
    ], hot))
    pages["/robots.txt"] = Page.text("User-agent: *\nAllow: /\n" + demo_discovery.ROBOTS_LINE)
    pages["/css/style.css"] = Page.text("body{font-family:sans-serif}\n", content_type="text/css; charset=utf-8")

    # Manifest.
    manifest_articles = []
    for a in all_arts:
        m = a.manifest()
        if a is tracked:
            m["also_at"] = [f"{a.path}?{TRACKING_QUERY}"]
        if a is republished:
            m["also_at"] = [partner_path]
        manifest_articles.append(m)
    expected: dict[str, Any] = {
        "articles": manifest_articles,
        "article_count": len(manifest_articles),
        "article_paths": [a.path for a in all_arts] + [partner_path],
        "list_pages": main_lists + [PARTNER_LIST_PATH],
        "main_list_pages": main_lists,
        "partner_list_page": PARTNER_LIST_PATH,
        "non_article_pages": ["/", "/about.html", "/contact.html"],
        "gbk_path": gbk_art.path,
        "seed_format_path": seed_art.path,
        "tracked_urls": [tracked.path, f"{tracked.path}?{TRACKING_QUERY}"],
        "republished_paths": [republished.path, partner_path],
        "republished_partner": {
            "path": partner_path, "title": republished.title,
            "published_at": republished.day.isoformat(), "source": partner_source,
            "author": None, "editor": None, "body_text": republished.body_text(),
        },
        "not_found_path": NOT_FOUND_PATH,
        "server_error_path": SERVER_ERROR_PATH,
        "robots_path": "/robots.txt",
        "image_paths": sorted(p for p, pg in pages.items() if pg.headers.get("Content-Type") == "image/png"),
    }
    # Sitemaps and the feed (sitemap_index, sitemaps, feed, feed_paths, discovery_only_path).
    found_pages, found = demo_discovery.discovery_pages(manifest_articles, expected["non_article_pages"],
                                                        discovery_only.path)
    pages.update(found_pages)
    expected.update(found)
    _add_shapes(pages, expected)
    return DemoSite(pages=pages, expected=expected)


# The whole-article shapes (issue 12), each a module's `demo_shape()`: (pages, manifest, home-page
# link). Linked from the home page only, so the list pages and `articles` keep their shape.
SHAPES = {
    "multipage": demo_multipage.demo_shape,
    "notice": demo_notice.demo_shape,
    "challenge": demo_challenge.demo_shape,
}


def _add_shapes(pages: dict[str, Page], expected: dict[str, Any]) -> None:
    shapes: dict[str, Any] = {}
    for name, make in SHAPES.items():
        shape_pages, manifest, link = make()
        clash = set(shape_pages) & set(pages)
        assert not clash, f"demo shape {name}: paths already served: {sorted(clash)}"
        pages.update(shape_pages)
        pages["/"] = demo_multipage.add_link(pages["/"], link)
        shapes[name] = manifest
    expected["shapes"] = shapes
    expected["stored_count"] = expected["article_count"] + sum(m["stores"] for m in shapes.values())


# ---------------------------------------------------------------------------------------------
# Benchmark sites
# ---------------------------------------------------------------------------------------------
BENCH_PAGE_SIZE = 20


def generate_site(n_articles: int, seed: int = 0) -> dict[str, Page]:
    """A deterministic site of `n_articles` articles (about 5-15 KB each, the demo article
    template) behind paginated lists of 20 (`/news/index.html`, `/news/index_2.html`, ...), plus
    `/`, `/robots.txt`, `/about.html`, `/contact.html`, an empty `/partner/list.html` (the nav
    links it). Every link on every page answers 200. Same (n_articles, seed) -> same bytes."""
    rng = random.Random(seed)
    topics = list(TOPICS)
    arts: list[_Article] = []
    titles: set[str] = set()
    start = date(2024, 1, 1)
    for i in range(n_articles):
        topic = topics[rng.randrange(len(topics))]
        park = PARKS[rng.randrange(len(PARKS))]
        day = start + timedelta(days=rng.randrange(366))
        for attempt in range(5):
            title = _fill(rng.choice(BENCH_TITLES[topic]), rng, park, day)
            if title not in titles:
                break
        else:
            title = f"{title}（{i + 1}）"
        titles.add(title)
        hs = rng.randrange(3)
        meta_style = rng.randrange(4)
        authors = [rng.choice(AUTHORS)] if rng.random() < 0.8 else []
        blocks = _compose_blocks(rng, topic, park, day, n_paragraphs=rng.randint(7, 14),
                                 with_headings=hs != 0, image=None, sentences=(2, 4),
                                 mix_topics=True)
        arts.append(_Article(
            path=_article_path(day, 50000000 + i), title=title, day=day,
            time=f"{rng.randint(7, 20):02d}:{rng.randint(0, 59):02d}" if rng.random() < 0.4 else None,
            source=rng.choice(SOURCES).format(park=park[0], city=park[2]), authors=authors,
            editor=rng.choice(EDITORS), blocks=blocks, meta_style=meta_style,
            heading_style="strong" if hs == 2 else "plain", editor_style=rng.randrange(3),
            indent=rng.random() < 0.5,
        ))
    arts.sort(key=lambda a: (a.day, a.path), reverse=True)
    n = len(arts)
    hot = [(arts[k].path, arts[k].title) for k in range(min(5, n))]
    pages: dict[str, Page] = {}
    for k, a in enumerate(arts):
        related = [arts[(k + off) % n] for off in (1, 2, 3) if n > 1]
        pages[a.path] = _html_page(_render_article(a, related, hot))
    n_pages = max(1, (n + BENCH_PAGE_SIZE - 1) // BENCH_PAGE_SIZE)
    for p in range(n_pages):
        chunk = arts[p * BENCH_PAGE_SIZE:(p + 1) * BENCH_PAGE_SIZE]
        path = "/news/index.html" if p == 0 else f"/news/index_{p + 1}.html"
        pages[path] = _html_page(_render_list([_list_item(a.path, a.title, a.day) for a in chunk], p + 1, n_pages, hot))
    pages["/"] = _html_page(_render_home([(a.path, a.title, a.day) for a in arts[:8]], hot))
    pages[PARTNER_LIST_PATH] = _html_page(_render_partner_list([]))
    pages["/about.html"] = _html_page(_render_static("关于我们", ["示例站点（基准测试用）。"], hot))
    pages["/contact.html"] = _html_page(_render_static("联系我们", ["投稿邮箱：demo@example.com"], hot))
    pages["/robots.txt"] = Page.text("User-agent: *\nAllow: /\n")
    return pages
