"""The work-points parser: the two real seed documents, every numbering style, PDF debris, target
patterns and traps, encodings, .docx, bad files and the JSON shape.

Expectations on the seed documents are written by hand from reading them, not copied from output.
Plain functions: nothing here touches the database.
"""

import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plans.parsing import (
    DocumentError,
    ParsedPlan,
    ParsedTarget,
    extract_targets,
    parse_chinese_number,
    parse_document,
    parse_text,
)

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"


def seed(name: str) -> ParsedPlan:
    return parse_document((SEEDS / name).read_bytes(), name)


def summary(targets: list[ParsedTarget]) -> list[tuple]:
    return [(t.value, t.max_value, t.unit, t.comparator, t.per) for t in targets]


def outline(points) -> list[tuple[str, str]]:
    return [(point.label, point.title) for point in points]


def all_points(points):
    for point in points:
        yield point
        yield from all_points(point.children)


# ---------------------------------------------------------------------------------------------------
# The Hunan notice (湘妇字〔2013〕3号)


@pytest.fixture(scope="module")
def hunan() -> ParsedPlan:
    return seed("hunan-2013-work-points-notice.txt")


def test_hunan_header(hunan):
    assert hunan.doc_number == "湘妇字〔2013〕3号"
    # The notice carries no 《…工作要点》 in its title, so the notice title (two lines joined) is the plan's.
    assert hunan.title == "关于贯彻全国妇联十届五次执委会议精神切实做好2013年工作的通知"
    assert hunan.general_idea.startswith("2013年，全省妇联工作的总体思路是：深入学习贯彻党的十八精神")
    assert hunan.general_idea.endswith("团结带领广大妇女为科学发展、富民强省作出新贡献。")


def test_hunan_top_level_and_second_level(hunan):
    assert outline(hunan.points) == [
        ("一", "学习贯彻全国妇联十届五次执委会议精神"),
        ("二", "省妇联2013年工作要点"),
    ]
    study, work = hunan.points
    assert outline(study.children) == [
        ("（一）", "李源潮同志讲话主要精神"),
        ("（二）", "陈至立同志讲话主要精神"),
        ("（三）", "宋秀岩同志工作报告主要精神"),
    ]
    assert outline(work.children) == [
        ("（一）", "服务“四化两型”，助推城乡妇女协调发展"),
        ("（二）", "加强维权服务，促进社会和谐稳定"),
        ("（三）", "把握重要契机，宣传贯彻男女平等基本国策"),
        ("（四）", "抓住重点难点，服务妇女群众民生需求"),
        ("（五）", "坚持务实创新，不断加强妇联自身建设"),
    ]
    assert [len(section.children) for section in work.children] == [3, 3, 3, 3, 3]
    assert [len(section.children) for section in study.children] == [4, 3, 0]


def test_hunan_third_level_titles_are_first_sentences(hunan):
    work = hunan.points[1]
    assert outline(work.children[0].children) == [
        ("1", "引领妇女在新型工业化建设中建功立业"),
        ("2", "组织妇女在新农村建设中竞展风采"),
        ("3", "动员妇女在两型社会建设中彰显作为"),
    ]
    assert work.children[3].children[0].title == "以推进妇女小额贴息贷款为重点，促进妇女创业就业"
    assert work.children[4].children[1].title == "建强干部队伍"
    assert work.children[4].children[1].body.startswith("建立健全激励关怀、绩效考核等制度")


def test_hunan_enumerations_become_children_of_leaf_points(hunan):
    li_yuanchao = hunan.points[0].children[0]
    first, second, third, fourth = li_yuanchao.children
    assert first.title == "深刻领会党中央对妇联工作的基本要求"
    assert [c.label for c in first.children] == ["一是", "二是", "三是", "四是", "五是"]
    assert first.children[0].title == "坚持党对妇联工作的领导，牢牢把握正确政治方向，引导广大妇女跟党走"
    # Items separated by ； and by an ASCII ";" alike.
    assert [c.label for c in second.children] == ["一要", "二要", "三要", "四要"]
    assert (
        second.children[1].title
        == "根据贯彻落实科学发展观的基本要求，创新和拓展妇联工作，推动妇女事业科学发展"
    )
    assert [c.label for c in third.children] == ["一要", "二要", "三要", "四要", "五要"]
    assert fourth.children == []  # its 要…要… carry no numbers
    # The enumerated text lives in the children, not in the parent body as well.
    assert "一是" not in first.body


def test_hunan_targets(hunan):
    work = hunan.points[1]
    industry, countryside, _green = work.children[0].children
    assert summary(industry.targets) == [(Decimal(1000), None, "名", ">=", None)]
    assert industry.targets[0].text == "培育1000名岗位明星、技术女能手"
    assert summary(countryside.targets) == [
        (Decimal(10000), None, "名", ">=", None),
        (Decimal(1000), None, "名", ">=", None),
    ]
    assert countryside.targets[1].text == "培训1000名科技致富带头人"
    loans = work.children[3].children[0]
    assert summary(loans.targets) == [(Decimal(1000000), None, "人", ">=", None)]
    assert loans.targets[0].text == "全省培训失业妇女、女农民工100万人"
    cadres = work.children[4].children[1]
    assert summary(cadres.targets) == [(Decimal(20), None, "%", ">=", None)]
    assert cadres.targets[0].text == "妇联干部培训率达20%以上"


def test_hunan_has_no_other_targets(hunan):
    # 12338热线, 20周年, 60周年, 八项规定, 一元钱, 两个规划, 十县十校, “百场…”, 十届五次 … are not targets.
    with_targets = [p.title for p in all_points(hunan.points) if p.targets]
    assert with_targets == [
        "引领妇女在新型工业化建设中建功立业",
        "组织妇女在新农村建设中竞展风采",
        "以推进妇女小额贴息贷款为重点，促进妇女创业就业",
        "建强干部队伍",
    ]


def test_hunan_activity_calendar_is_not_points(hunan):
    assert len(hunan.activities) == 18
    assert [a.label for a in hunan.activities] == [str(n) for n in range(1, 19)]
    assert hunan.activities[0].title == "2013年省绩效评估重点工作申报"
    # Lines wrapped in the middle of a bracket or after 、 are joined again.
    assert hunan.activities[1].title == "举行庆三八暨建会60周年纪念会，表彰省三八红旗手（集体）、标兵"
    assert hunan.activities[4].title == "开展“百场家庭教育讲座进学校、进社区、进农村、进企业、进机关”活动"
    assert hunan.activities[17].title == "召开省妇联十一届七次执委会议"
    # The calendar states no months; 三八 and 半年 are not months.
    assert {a.month for a in hunan.activities} == {None}
    titles = [p.title for p in all_points(hunan.points)]
    assert "湖南省妇联2013年主要活动安排" not in titles
    assert not any("执委会议" in t and "召开省妇联" in t for t in titles)


# ---------------------------------------------------------------------------------------------------
# The Lixia opinion (历下妇发〔2013〕12号)


@pytest.fixture(scope="module")
def lixia() -> ParsedPlan:
    return seed("lixia-2013-grassroots-standards.txt")


def test_lixia_header_and_general_idea(lixia):
    assert lixia.doc_number == "历下妇发〔2013〕12号"
    # The title is split over two lines with a blank line between them.
    assert lixia.title == "关于加强基层妇联工作规范化建设的意见（试行）"
    # The 济妇发〔2013〕40号 cited in the preamble is not the document's number.
    assert lixia.general_idea.startswith("以邓小平理论和“三个代表”重要思想为指导")
    assert lixia.activities == []


def test_lixia_outline(lixia):
    assert outline(lixia.points) == [("一", "指导思想"), ("二", "主要内容和目标任务"), ("三", "工作要求")]
    assert outline(lixia.points[1].children) == [
        ("（一）", "组织建设"),
        ("（二）", "宣传教育"),
        ("（三）", "妇女发展"),
        ("（四）", "妇女维权"),
        ("（五）", "儿童工作"),
        ("（六）", "两规实施"),
    ]
    organisation = lixia.points[1].children[0]
    assert organisation.body.startswith("主要内容：健全妇联基层组织体系")
    assert "目标任务：100%社区（村）建立妇联组织或妇代会" in organisation.body


def test_lixia_signature_is_not_a_point(lixia):
    requirements = lixia.points[2]
    assert requirements.children == []
    assert requirements.body.endswith("并作为年底评先树优的重要依据。")
    assert "历下区妇女联合会" not in requirements.body
    assert "2013年11月5日" not in requirements.body


def test_lixia_targets(lixia):
    organisation, publicity, development, rights, children, two_plans = lixia.points[1].children
    assert summary(organisation.targets) == [(Decimal(100), None, "%", "=", None)]
    assert organisation.targets[0].text == "100%社区（村）建立妇联组织或妇代会"
    assert summary(publicity.targets) == [
        (Decimal(1), None, "个", ">=", None),  # 选树并大力宣传1个妇女和家庭先进典型
        (Decimal(1), None, "篇", ">=", "year"),
        (Decimal(2), None, "篇", ">=", "year"),
        (Decimal(2), None, "条", ">=", "month"),
        (Decimal(100), None, "%", "=", None),  # 100%完成妇联系统报刊征订任务
    ]
    assert [t.text for t in publicity.targets[1:4]] == [
        "每年新闻宣传报道省级不少于1篇",
        "市级不少于2篇",
        "每月上报信息不少于2条",
    ]
    assert summary(development.targets) == [
        (Decimal(1), Decimal(2), "场次", "range", "year"),
        (Decimal(300), None, "人", ">=", "year"),
        (Decimal(50), None, "人", ">=", "year"),
        (Decimal(5), None, "名", ">=", "year"),
    ]
    assert summary(rights.targets) == [(Decimal(98), None, "%", ">=", None)]
    assert rights.targets[0].text == "案件处结率达98%以上"
    assert summary(children.targets) == [(Decimal(4), None, "次", ">=", "year")]
    # 《历下区妇女发展“十二五”规划》, “两个规划”, 两规: names, not targets.
    assert two_plans.targets == []
    assert lixia.points[0].targets == lixia.points[2].targets == []


# ---------------------------------------------------------------------------------------------------
# Numbering styles

NESTED = """湖南省妇联2013年工作要点

一、服务大局
（一）促进就业
1．加强培训。全省培训妇女300人以上。
（1）办好培训班
①组织专家授课
②开展实地观摩
（2）建设基地
2．扶持创业
(二)维护权益
1.完善机制
2、加强信访
二、加强自身建设
"""


def test_every_numbering_level_nests():
    plan = parse_text(NESTED)
    assert plan.title == "湖南省妇联2013年工作要点"
    assert outline(plan.points) == [("一", "服务大局"), ("二", "加强自身建设")]
    employment, rights = plan.points[0].children
    assert (employment.label, employment.title) == ("（一）", "促进就业")
    assert (rights.label, rights.title) == ("（二）", "维护权益")  # ASCII parentheses
    training, startups = employment.children
    assert (training.label, training.title, training.body) == ("1", "加强培训", "全省培训妇女300人以上。")
    assert summary(training.targets) == [(Decimal(300), None, "人", ">=", None)]
    assert outline(training.children) == [("（1）", "办好培训班"), ("（2）", "建设基地")]
    assert outline(training.children[0].children) == [("①", "组织专家授课"), ("②", "开展实地观摩")]
    assert outline([startups]) == [("2", "扶持创业")]
    assert outline(rights.children) == [("1", "完善机制"), ("2", "加强信访")]  # 1. and 2、


def test_a_skipped_level_nests_under_the_nearest_upper_level():
    plan = parse_text("一、组织建设\n1．健全组织\n2．建强队伍\n二、宣传教育\n（1）宣传典型\n")
    assert outline(plan.points) == [("一", "组织建设"), ("二", "宣传教育")]
    assert outline(plan.points[0].children) == [("1", "健全组织"), ("2", "建强队伍")]
    assert outline(plan.points[1].children) == [("（1）", "宣传典型")]


def test_enumeration_is_structure_only_when_there_is_no_numbered_child():
    text = (
        "一、加强组织建设\n"
        "（一）健全网络。一是建立妇女组织；二是选好配强班子；三是加强阵地建设。\n"
        "（二）建强队伍。一要加强培训，二要改进作风。\n"
        "1．举办培训班\n"
        "二、加强宣传。一是宣传典型，二是宣传政策。\n"
    )
    plan = parse_text(text)
    network, team = plan.points[0].children
    assert [(c.label, c.title) for c in network.children] == [
        ("一是", "建立妇女组织"),
        ("二是", "选好配强班子"),
        ("三是", "加强阵地建设"),
    ]
    assert network.body == ""
    # Numbered children win: the 一要…二要… stays in the body.
    assert outline(team.children) == [("1", "举办培训班")]
    assert team.body == "一要加强培训，二要改进作风。"
    publicity = plan.points[1]
    assert publicity.title == "加强宣传"
    assert outline(publicity.children) == [("一是", "宣传典型"), ("二是", "宣传政策")]


def test_enumeration_needs_a_second_item_and_a_boundary():
    plan = parse_text("一、统一是基础，坚持统一要求。\n二、一是开头\n")
    assert plan.points[0].children == []
    assert plan.points[1].children == []


def test_an_enumeration_in_the_first_sentence_cuts_the_title():
    plan = parse_text("一、加强组织建设，一是健全组织，二是配强班子。\n")
    point = plan.points[0]
    assert point.title == "加强组织建设"
    assert [c.label for c in point.children] == ["一是", "二是"]


# ---------------------------------------------------------------------------------------------------
# Header variants


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("湘妇字〔2013〕3号", "湘妇字〔2013〕3号"),
        ("济妇发[2014]12号", "济妇发[2014]12号"),
        ("长妇字【2015】 7号", "长妇字【2015】7号"),
        ("岳妇发（2016）21号", "岳妇发（2016）21号"),
        ("湖南省妇女联合会文件 湘妇字〔2013〕3号", "湘妇字〔2013〕3号"),
    ],
)
def test_document_number_variants(line, number):
    plan = parse_text(f"{line}\n\n关于做好2013年工作的通知\n\n各市（州）妇联：\n一、加强学习\n")
    assert plan.doc_number == number
    assert plan.title == "关于做好2013年工作的通知"
    assert outline(plan.points) == [("一", "加强学习")]


def test_printed_work_points_title_and_attached_points():
    text = (
        "湘妇字〔2013〕3号\n"
        "关于印发《湖南省妇联2013年工作要点》的通知\n"
        "各市（州）、县（市、区）妇联，省直妇工委，各直属单位：\n"
        "现将《湖南省妇联2013年工作要点》印发给你们，请结合实际认真贯彻落实。\n"
        "湖南省妇女联合会\n"
        "2013年3月1日\n"
        "附件：湖南省妇联2013年工作要点\n"
        "一、服务大局\n"
        "二、维护权益\n"
    )
    plan = parse_text(text)
    assert plan.title == "湖南省妇联2013年工作要点"
    assert outline(plan.points) == [("一", "服务大局"), ("二", "维护权益")]
    assert plan.general_idea == "现将《湖南省妇联2013年工作要点》印发给你们，请结合实际认真贯彻落实。"


def test_notice_with_a_list_of_attachments():
    text = (
        "关于印发《岳麓区妇联2014年工作要点》的通知\n"
        "各街道妇联：\n"
        "现将有关文件印发给你们，请认真贯彻落实。\n"
        "附件：1．岳麓区妇联2014年工作要点\n"
        "2．岳麓区妇联2014年主要活动安排\n"
        "岳麓区妇女联合会\n"
        "2014年2月20日\n"
        "附件1\n"
        "岳麓区妇联2014年工作要点\n"
        "一、促进就业\n"
        "全年培训妇女500人以上。\n"
        "二、维护权益\n"
        "附件2\n"
        "岳麓区妇联2014年主要活动安排\n"
        "1．召开全区妇联执委会议（2月）\n"
        "2．举办三八表彰大会（3月）\n"
    )
    plan = parse_text(text)
    assert plan.title == "岳麓区妇联2014年工作要点"
    assert plan.doc_number is None
    assert outline(plan.points) == [("一", "促进就业"), ("二", "维护权益")]
    assert summary(plan.points[0].targets) == [(Decimal(500), None, "人", ">=", "year")]
    assert [(a.label, a.title, a.month) for a in plan.activities] == [
        ("1", "召开全区妇联执委会议", 2),
        ("2", "举办三八表彰大会", 3),
    ]


def test_header_whose_line_breaks_were_lost():
    text = (
        "湘妇字〔2013〕3号 湖南省妇联2013年工作要点 各市（州）妇联：现将工作要点印发给你们。"
        "一、促进就业 全省培训妇女300人以上。二、维护权益 案件处结率达98%以上。"
    )
    plan = parse_text(text)
    assert plan.doc_number == "湘妇字〔2013〕3号"
    assert plan.title == "湖南省妇联2013年工作要点"
    assert plan.general_idea == "现将工作要点印发给你们。"
    assert outline(plan.points) == [("一", "促进就业"), ("二", "维护权益")]
    assert summary(plan.points[1].targets) == [(Decimal(98), None, "%", ">=", None)]


def test_general_idea_from_a_paragraph_opening_with_its_name():
    plan = parse_text("某县妇联2014年工作要点\n总体要求：围绕中心，服务大局。\n一、加强学习\n")
    assert plan.general_idea == "总体要求：围绕中心，服务大局。"
    plan = parse_text("某县妇联2014年工作要点\n今年妇联工作要紧紧围绕县委中心工作。\n一、加强学习\n")
    assert plan.general_idea == "今年妇联工作要紧紧围绕县委中心工作。"


def test_signature_and_date_are_not_points():
    plan = parse_text("一、加强学习\n认真学习。\n\n        某县妇女联合会\n        二〇一三年三月一日\n")
    assert outline(plan.points) == [("一", "加强学习")]
    assert plan.points[0].body == "认真学习。"


# ---------------------------------------------------------------------------------------------------
# Text pasted from PDFs


def test_lost_line_breaks():
    text = (
        "湖南省妇联2013年工作要点\n"
        "一、服务大局 （一）促进就业 1．加强培训。全省培训妇女300人以上。"
        "2．扶持创业。每年扶持5名以上妇女创业。"
        "（二）维护权益 1．完善机制。案件处结率达98%以上。二、加强自身建设。妇联干部培训率达20%以上。"
    )
    plan = parse_text(text)
    assert outline(plan.points) == [("一", "服务大局"), ("二", "加强自身建设")]
    assert outline(plan.points[0].children) == [("（一）", "促进就业"), ("（二）", "维护权益")]
    training, startups = plan.points[0].children[0].children
    assert outline([training, startups]) == [("1", "加强培训"), ("2", "扶持创业")]
    assert summary(startups.targets) == [(Decimal(5), None, "名", ">=", "year")]
    assert summary(plan.points[0].children[1].children[0].targets) == [(Decimal(98), None, "%", ">=", None)]
    assert summary(plan.points[1].targets) == [(Decimal(20), None, "%", ">=", None)]


def test_page_numbers_and_footers_are_removed_and_sentences_rejoined():
    text = (
        "湖南省妇联2013年工作要点\n"
        "一、促进就业\n"
        "加强就业技能培训，全省培训妇女\n"
        "\n"
        "- 3 -\n"
        "\n"
        "湖南省妇女联合会办公室\n"
        "3000人以上。\n"
        "二、维护权益\n"
        "案件处结率达—4—98%以上。\n"
        "5\n"
        "湖南省妇女联合会办公室\n"
        "三、加强宣传\n"
        "每年新闻宣传报道不少于 第 6 页 共 9 页 3篇。\n"
    )
    plan = parse_text(text)
    assert outline(plan.points) == [("一", "促进就业"), ("二", "维护权益"), ("三", "加强宣传")]
    first, second, third = plan.points
    assert first.body == "加强就业技能培训，全省培训妇女3000人以上。"
    assert summary(first.targets) == [(Decimal(3000), None, "人", ">=", None)]
    assert summary(second.targets) == [(Decimal(98), None, "%", ">=", None)]
    assert "办公室" not in second.body
    assert summary(third.targets) == [(Decimal(3), None, "篇", ">=", "year")]


def test_a_page_number_line_alone_splits_no_sentence():
    plan = parse_text("一、促进就业\n全省培训妇女\n\n—  3  —\n\n3000人以上。\n4\n二、维护权益\n")
    assert outline(plan.points) == [("一", "促进就业"), ("二", "维护权益")]
    assert plan.points[0].body == "全省培训妇女3000人以上。"
    assert summary(plan.points[0].targets) == [(Decimal(3000), None, "人", ">=", None)]


def test_a_running_header_is_removed_but_the_title_kept():
    page = "湖南省妇联2013年工作要点"
    text = f"{page}\n一、促进就业\n全省培训妇女\n{page}\n300人以上。\n二、维护权益\n{page}\n三、加强宣传\n"
    plan = parse_text(text)
    assert plan.title == page
    assert outline(plan.points) == [("一", "促进就业"), ("二", "维护权益"), ("三", "加强宣传")]
    assert plan.points[0].body == "全省培训妇女300人以上。"


def test_hard_wrapped_lines_are_joined():
    # A PDF copy cuts every line at the same width (here 20 characters), wherever the sentence is.
    lines = [
        "全省各级妇联组织要紧紧围绕省委省政府中心",
        "工作，服务大局服务基层服务妇女，团结带领",
        "广大妇女在经济社会发展中建功立业，切实维",
        "护妇女儿童合法权益，推动妇女事业和妇联工",
        "作实现新的跨越，以优异成绩迎接中国妇女十",
        "一大胜利召开",
    ]
    text = "一、加强学习\n" + "\n".join(lines) + "。\n二、促进就业\n"
    plan = parse_text(text)
    assert outline(plan.points) == [("一", "加强学习"), ("二", "促进就业")]
    assert plan.points[0].body == "".join(lines) + "。"


# ---------------------------------------------------------------------------------------------------
# Activity calendars


def test_activity_months():
    text = (
        "一、加强学习\n"
        "附件：2014年主要活动安排\n"
        "1．3月，召开全省妇联执委会议\n"
        "2．三月份举办三八表彰大会\n"
        "3．上半年 开展调研督导\n"
        "4．1-2月开展春风行动\n"
        "5．评选表彰五好文明家庭（11月）\n"
        "6．开展“六一”慰问活动\n"
    )
    plan = parse_text(text)
    assert outline(plan.points) == [("一", "加强学习")]
    assert [(a.label, a.title, a.month) for a in plan.activities] == [
        ("1", "召开全省妇联执委会议", 3),
        ("2", "三月份举办三八表彰大会", 3),
        ("3", "开展调研督导", None),
        ("4", "1-2月开展春风行动", 1),
        ("5", "评选表彰五好文明家庭", 11),
        ("6", "开展“六一”慰问活动", None),
    ]


def test_activity_month_headings_and_lost_breaks():
    text = "附件\n\n主要活动计划\n三月\n1．召开执委会议 2．举办培训班\n第三季度\n3．开展调研\n"
    plan = parse_text(text)
    assert [(a.label, a.title, a.month) for a in plan.activities] == [
        ("1", "召开执委会议", 3),
        ("2", "举办培训班", 3),
        ("3", "开展调研", None),
    ]
    assert plan.points == []
    plan = parse_text("附件：重点活动安排\n一、5月份\n1．举办家庭文化节\n二、下半年\n2．评选最美家庭\n")
    assert [(a.label, a.title, a.month) for a in plan.activities] == [
        ("1", "举办家庭文化节", 5),
        ("2", "评选最美家庭", None),
    ]


def test_a_reference_inside_a_sentence_starts_no_point():
    plan = parse_text(
        "一、加强学习\n（一）学习精神\n按照本意见（二）的要求，落实第（三）项任务，见“（四）”。\n"
    )
    assert outline(plan.points[0].children) == [("（一）", "学习精神")]


# ---------------------------------------------------------------------------------------------------
# Targets: every pattern of DOMAIN.md's table, and more


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("培育1000名岗位明星、技术女能手", [(1000, None, "名", ">=", None)]),
        ("全省培训10000名巾帼扶贫骨干和女农民工", [(10000, None, "名", ">=", None)]),
        ("全省培训失业妇女、女农民工100万人", [(1000000, None, "人", ">=", None)]),
        ("妇联干部培训率达20%以上", [(20, None, "%", ">=", None)]),
        ("100%社区（村）建立妇联组织或妇代会", [(100, None, "%", "=", None)]),
        (
            "每年新闻宣传报道省级不少于1篇，市级不少于2篇",
            [(1, None, "篇", ">=", "year"), (2, None, "篇", ">=", "year")],
        ),
        ("每月上报信息不少于2条", [(2, None, "条", ">=", "month")]),
        ("每年举办妇女专场招聘会1-2场次", [(1, 2, "场次", "range", "year")]),
        (
            "培训妇女300人以上，安置就业50人以上",
            [(300, None, "人", ">=", None), (50, None, "人", ">=", None)],
        ),
        ("案件处结率达98%以上", [(98, None, "%", ">=", None)]),
        ("每年至少组织4次家庭教育实践活动", [(4, None, "次", ">=", "year")]),
        ("评选十大杰出女性", [(10, None, "名", "=", None)]),
        ("走访千户贫困家庭", [(1000, None, "户", ">=", None)]),
        ("受益妇女百万以上", [(1000000, None, "", ">=", None)]),
        ("举办创业培训班15期", [(15, None, "期", ">=", None)]),
        ("新增妇女小额担保贷款3500万元", [(3500, None, "万元", ">=", None)]),
        ("发放贷款1.5亿元", [(15000, None, "万元", ">=", None)]),
        ("资助贫困母亲500元", [(500, None, "元", ">=", None)]),
        ("培训1.5万人次", [(15000, None, "人次", ">=", None)]),
        ("建立妇女之家3至5个", [(3, 5, "个", "range", None)]),
        ("每年举办2～3场招聘会", [(2, 3, "场", "range", "year")]),
        ("信访案件办结率超过95%", [(95, None, "%", ">=", None)]),
        ("力争培训妇女二百人", [(200, None, "人", ">=", None)]),
        ("每季度至少开展三次活动", [(3, None, "次", ">=", "quarter")]),
        ("会议控制在5次以内", [(5, None, "次", "<=", None)]),
        ("不超过3项", [(3, None, "项", "<=", None)]),
        ("文件数量比上年减少10%以下", [(10, None, "%", "<=", None)]),
        ("妇女参检率达到百分之八十", [(80, None, "%", ">=", None)]),
        ("扶持女性创业1,200人", [(1200, None, "人", ">=", None)]),
        ("受理来信来访３２０件", [(320, None, "件", ">=", None)]),
        ("每年召开2次执委会议", [(2, None, "次", ">=", "year")]),
        ("帮扶女性企业20家", [(20, None, "家", ">=", None)]),
        ("新建家长学校5所", [(5, None, "所", ">=", None)]),
        ("实施民生实事项目10项", [(10, None, "项", ">=", None)]),
        ("全年慰问困难妇女200户", [(200, None, "户", ">=", "year")]),
        ("新增妇女小额担保贷款1-2亿元", [(10000, 20000, "万元", "range", None)]),
    ],
)
def test_target_patterns(text, expected):
    found = extract_targets(text)
    assert [
        (float(t.value), t.max_value and float(t.max_value), t.unit, t.comparator, t.per) for t in found
    ] == [(float(v), m and float(m), u, c, p) for v, m, u, c, p in expected]


def test_target_text_is_the_clause():
    found = extract_targets("加强就业技能培训，全省培训10000名巾帼扶贫骨干和女农民工。推动示范村创建")
    assert [t.text for t in found] == ["全省培训10000名巾帼扶贫骨干和女农民工"]


@pytest.mark.parametrize(
    "text",
    [
        "2013年，全省妇联工作的总体思路是",
        "2019-2021年妇女发展规划",
        "2013—2015年三年行动计划",
        "3月8日举行纪念大会",
        "开展三八妇女维权周活动",
        "以湖南省妇联建会60周年为契机",
        "迎接新中国成立70周年",
        "党的第十三次全国代表大会",
        "学习贯彻党的十八大精神",
        "省妇联十一届六次全会",
        "全国妇联十届五次执委会议",
        "荣获全省第一",
        "首届女性创业大赛",
        "关爱3岁以下婴幼儿",
        "0-6岁儿童早期发展",
        "推动《妇女发展“十二五”规划》实施",
        "推动新“两纲”的实施",
        "打好三大攻坚战",
        "实施农村妇女两癌免费检查",
        "宣传一法一办法",
        "评选三八红旗手",
        "深化“双学双比”活动",
        "开展“巾帼建功”活动",
        "按照济妇发〔2013〕40号文件",
        "湘妇字〔2013〕3号",
        "1．加强组织建设",
        "（3）做好服务",
        "咨询电话0731-84721234",
        "加强12338热线建设",
        "通过实施两个规划",
        "贯彻落实中央八项规定",
        "贯彻落实中央8项规定",
        "按照妇女人均一元钱标准",
        "开展“百场家庭教育讲座进学校”活动",
        "实施十县十校爱心课桌计划",
        "以“三个代表”重要思想为指导",
        "走进千家万户",
        "创建第三批省级示范妇女之家",
        "提高1个百分点",
        "中国妇女十一大胜利召开",
        "用3个月时间开展专项行动",
        "做好以下3项工作",
        "评选表彰第九届五好文明家庭",
        "全年工作分为4个阶段：一是准备",
        "确保三个到位",
        "走进千家万户，服务妇女",
        "开展万人健步走活动",
        "实施十二五规划",
        "推进两纲实施",
        "培训妇女" + "9" * 500 + "万人",
    ],
)
def test_traps_are_not_targets(text):
    assert extract_targets(text) == []


# ---------------------------------------------------------------------------------------------------
# Chinese numerals


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十五", 25),
        ("一百", 100),
        ("一百零五", 105),
        ("一百二十", 120),
        ("两", 2),
        ("两千", 2000),
        ("千", 1000),
        ("百万", 1000000),
        ("十万", 100000),
        ("三万五千", 35000),
        ("一亿", 100000000),
        ("100万", 1000000),
        ("1.5万", 15000),
        ("3千", 3000),
        ("1.5亿", 150000000),
        ("１２", 12),
        ("1,200", 1200),
        ("二〇一三", 2013),
        ("零", 0),
    ],
)
def test_parse_chinese_number(text, value):
    assert parse_chinese_number(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "abc", "十十", "一二", "万万", "大", "十二五", "两纲", "1万2"])
def test_parse_chinese_number_rejects_non_numbers(text):
    assert parse_chinese_number(text) is None


# ---------------------------------------------------------------------------------------------------
# Files: encodings, .docx, bad input

SHORT = "湖南省妇联2013年工作要点\n一、促进就业\n全省培训妇女300人以上。\n"


def test_gb18030_bytes():
    plan = parse_document(SHORT.encode("gb18030"), "要点.txt")
    assert plan.title == "湖南省妇联2013年工作要点"
    assert summary(plan.points[0].targets) == [(Decimal(300), None, "人", ">=", None)]


def test_utf8_with_bom_and_crlf():
    plan = parse_document(b"\xef\xbb\xbf" + SHORT.replace("\n", "\r\n").encode("utf-8"), "YAODIAN.TXT")
    assert plan.title == "湖南省妇联2013年工作要点"
    assert outline(plan.points) == [("一", "促进就业")]


def docx_bytes(body_xml: str, *, with_document: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if with_document:
            archive.writestr(
                "word/document.xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f"<w:body>{body_xml}</w:body></w:document>",
            )
    return buffer.getvalue()


def paragraph(*runs: str) -> str:
    return "<w:p>" + "".join(f"<w:r><w:t>{run}</w:t></w:r>" for run in runs) + "</w:p>"


def test_docx():
    row = "<w:tr>" + "".join(f"<w:tc>{paragraph(cell)}</w:tc>" for cell in ("{}", "{}", "{}")) + "</w:tr>"
    body = (
        paragraph("湘妇字〔2014〕5号")
        + paragraph("湖南省妇联2014年工作要点")
        + paragraph("一、", "促进就业")
        + paragraph("1．加强培训。每年培训妇女", "300人以上。")
        + paragraph("附件：主要活动安排")
        + "<w:tbl>"
        + row.format("序号", "活动内容", "时间")
        + row.format("1", "召开全省妇联执委会议", "3月")
        + row.format("2", "举办巾帼文明岗培训班", "下半年")
        + "</w:tbl>"
    )
    plan = parse_document(docx_bytes(body), "要点.docx")
    assert plan.doc_number == "湘妇字〔2014〕5号"
    assert plan.title == "湖南省妇联2014年工作要点"
    training = plan.points[0].children[0]
    assert (training.label, training.title) == ("1", "加强培训")
    assert summary(training.targets) == [(Decimal(300), None, "人", ">=", "year")]
    assert [(a.label, a.title, a.month) for a in plan.activities] == [
        ("1", "召开全省妇联执委会议", 3),
        ("2", "举办巾帼文明岗培训班", None),
    ]


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"", "x.txt"),
        (b"   \n\r\n  ", "x.txt"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "x.txt"),
        (bytes(range(256)) * 4, "x.txt"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f plain", "x.txt"),
        (b"%PDF-1.4 ...", "x.txt"),
        (b"%PDF-1.4 ...", "x.pdf"),
        (docx_bytes(paragraph("一、加强学习")), "x.xlsx"),
        (SHORT.encode("utf-8"), "x.doc"),
        (SHORT.encode("utf-8"), "x"),
        (b"\x80\x80\x80\xff\xff", "x.txt"),
        (b"\xef\xbb\xbf\xff\xfe\xfd", "x.txt"),
        (b"not a zip", "x.docx"),
        (docx_bytes("", with_document=False), "x.docx"),
        (docx_bytes("<w:p>unclosed"), "x.docx"),
        (docx_bytes(""), "x.docx"),
    ],
)
def test_bad_input_raises_document_error_in_chinese(data, filename):
    with pytest.raises(DocumentError) as caught:
        parse_document(data, filename)
    message = str(caught.value)
    assert message and any("\u4e00" <= char <= "\u9fff" for char in message)


def test_a_docx_with_a_doctype_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", '<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')
    with pytest.raises(DocumentError):
        parse_document(buffer.getvalue(), "x.docx")


def test_specific_messages():
    with pytest.raises(DocumentError, match="文件为空"):
        parse_document(b"", "x.txt")
    with pytest.raises(DocumentError, match="文件不是文本、PDF 或 Word 文档"):
        parse_document(b"a,b", "x.xlsx")
    with pytest.raises(DocumentError, match="无法识别文件编码"):
        parse_document(b"\x80\x80\x80\xff\xff", "x.txt")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_parse_or_raise_document_error(data):
    try:
        plan = parse_document(data, "x.txt")
    except DocumentError:
        return
    assert isinstance(plan, ParsedPlan)
    json.dumps(plan.to_json())


DOCUMENT_ALPHABET = st.sampled_from(
    list("一二三四五六七八九十百千万亿两是要、，。；：（）()．.①②0123456789%-—～ \n\t")
    + list("人名次场篇户元年月日第每以上下达不少于")
    + ["附件：", "主要活动安排", "湘妇字〔2013〕3号", "培训", "评选十大", "“", "”", "《", "》", "- 3 -"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(DOCUMENT_ALPHABET, max_size=300).map("".join))
def test_arbitrary_document_like_text_parses(text):
    plan = parse_text(text)
    json.dumps(plan.to_json())
    for target in extract_targets(text):
        assert target.value > 0
        assert target.comparator in {">=", "<=", "=", "range"}


# ---------------------------------------------------------------------------------------------------
# JSON shape

PLAN_KEYS = {"title", "doc_number", "points", "activities"}
POINT_KEYS = {"label", "title", "targets", "children"}
# The keys the review page and import_plan --json have always had; fields are added, never renamed.
TARGET_KEYS = {"text", "value", "max_value", "unit", "comparator", "per"}
ACTIVITY_KEYS = {"label", "title", "month"}


def check_point(point: dict) -> None:
    assert set(point) >= POINT_KEYS
    assert isinstance(point["label"], str) and isinstance(point["title"], str)
    for target in point["targets"]:
        assert set(target) >= TARGET_KEYS
        assert isinstance(target["value"], int | float)
        assert target["max_value"] is None or isinstance(target["max_value"], int | float)
        assert target["comparator"] in {">=", "<=", "=", "range"}
        assert target["per"] in {"year", "month", "quarter", "span", None}
    for child in point["children"]:
        check_point(child)


@pytest.mark.parametrize("name", ["hunan-2013-work-points-notice.txt", "lixia-2013-grassroots-standards.txt"])
def test_to_json_round_trip_and_keys(name):
    data = seed(name).to_json()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert set(data) >= PLAN_KEYS
    for point in data["points"]:
        check_point(point)
    for activity in data["activities"]:
        assert set(activity) >= ACTIVITY_KEYS
        assert activity["month"] is None or isinstance(activity["month"], int)


def test_json_numbers_are_int_when_integral_else_float():
    data = parse_text("一、促进就业\n全省培训1.5万人，发放贷款2.5万元，培训率达12.5%以上。\n").to_json()
    values = [(t["value"], type(t["value"])) for t in data["points"][0]["targets"]]
    assert values == [(15000, int), (2.5, float), (12.5, float)]
    ranged = parse_text("一、招聘\n每年举办招聘会1-2场次。\n").to_json()["points"][0]["targets"][0]
    assert (ranged["value"], ranged["max_value"], ranged["comparator"], ranged["per"]) == (
        1,
        2,
        "range",
        "year",
    )


# ---------------------------------------------------------------------------------------------------
# #14: the notices federations actually publish (the cases in tests/plans/cases cover one of each
# kind; these pin the rules down around them)


def labelled(plan):
    from plans.parsing.scoring import located_points

    return [(path, point.title, summary(point.targets)) for path, point in located_points(plan.points)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("全年开展巾帼宣讲60余场", [(60, None, "场", ">=", "year")]),
        ("受益妇女1万余人次", [(10000, None, "人次", ">=", None)]),
        ("覆盖30多个村", [(30, None, "个", ">=", None)]),
        ("选树百名巾帼致富能手", [(100, None, "名", ">=", None)]),
        ("培训留守妇女十万人次", [(100000, None, "人次", ">=", None)]),
        ("培树巾帼家政示范企业6家", [(6, None, "家", ">=", None)]),
        ("培塑最美家庭20户", [(20, None, "户", ">=", None)]),
        ("开发公益岗位50个", [(50, None, "个", ">=", None)]),
        ("在12个村实施“暖巢”关爱项目", [(12, None, "个", ">=", None)]),
        ("对辖区8000名适龄妇女进行“两癌”免费检查", [(8000, None, "名", ">=", None)]),
        ("受检妇女人数3万", [(30000, None, "人", ">=", None)]),
        ("发放巾帼创业担保贷款２．５亿元", [(25000, None, "万元", ">=", None)]),
        ("帮扶困难妇女１，２００户", [(1200, None, "户", ">=", None)]),
        ("年度资助困难女童200名", [(200, None, "名", ">=", "year")]),
        ("每季度开展心理辅导1次", [(1, None, "次", ">=", "quarter")]),
        ("三年累计培训家长5万人次", [(50000, None, "人次", ">=", "span")]),
    ],
)
def test_quantities_as_people_write_them(text, expected):
    test_target_patterns(text, expected)


def test_approximate_quantities_are_flagged_and_odd_periods_carry_a_note():
    about, around = extract_targets("培训妇女约500人，举办讲座30场左右")
    assert (about.value, about.approximate, around.value, around.approximate) == (500, True, 30, True)
    quarterly, span, yearly = extract_targets("每季度开展辅导1次。三年累计培训5万人次。全年走访200户")
    assert "季度" in quarterly.review_note and "累计" in span.review_note and yearly.review_note == ""


@pytest.mark.parametrize(
    "text",
    [
        "受检妇女人数2032年",
        "妇女人数3月8日",
        "服务千家万户",
        "建会60周年之际，联系电话0731-84721234",
        "按照青妇发〔2032〕3号文件，在第3届大会上",
        "对年满35岁的妇女进行检查",
        "在2032年实施",
        "“百村千户”",
        "2013，200",
    ],
)
def test_new_rules_take_no_year_date_age_phone_ordinal_or_number_for_a_target(text):
    assert extract_targets(text) == []


def test_the_preamble_and_a_document_without_numbering_give_unlabelled_points():
    plan = parse_text("某镇妇联2032年重点工作\n各村妇联：\n今年全镇将培训妇女200人次。\n做好宣传工作。\n")
    assert [(p.label, p.kind, summary(p.targets)) for p in plan.points] == [
        ("", "paragraph", [(Decimal(200), None, "人次", ">=", None)]),
        ("", "paragraph", []),
    ]
    numbered = parse_text("某镇妇联2032年重点工作\n今年全镇将培训妇女200人次。\n总体要求是团结。\n一、宣传\n")
    assert [(p.label, p.kind) for p in numbered.points] == [("", "paragraph"), ("一", "point")]


def test_review_sections_give_baselines_not_targets():
    for text in (
        "二〇三一年工作回顾\n一、全年培训妇女3000人次。\n二〇三二年工作安排\n一、培训妇女4000人次。\n",
        "一、2031年工作总结\n全年培训妇女3000人次。\n二、2032年工作安排\n（一）培训妇女4000人次。\n",
        "第一部分 2031年工作总结\n一、培训妇女3000人次。\n第二部分 2032年工作要点\n一、培训妇女4000人次。\n",
    ):
        plan = parse_text(text)
        assert [(t.value, t.unit) for t in plan.baselines] == [(3000, "人次")], text
        found = [target for _path, _title, targets in labelled(plan) for target in targets]
        assert [(value, unit) for value, _max, unit, _c, _p in found] == [(4000, "人次")], text


def test_sections_restart_numbering_and_brackets_are_headings():
    plan = parse_text("第一部分 组织建设\n一、建组织\n二、强队伍\n第二部分 宣传教育\n一、办讲座\n")
    assert [(path, title) for path, title, _t in labelled(plan)] == [
        ("第一部分", "组织建设"),
        ("第一部分/一", "建组织"),
        ("第一部分/二", "强队伍"),
        ("第二部分", "宣传教育"),
        ("第二部分/一", "办讲座"),
    ]
    assert plan.points[0].kind == "section"
    plan = parse_text(
        "某县妇联2032年工作要点\n【组织建设】\n新建妇女之家10个。\n【宣传教育】\n举办讲座20场。\n"
    )
    assert [(p.title, summary(p.targets)) for p in plan.points] == [
        ("组织建设", [(Decimal(10), None, "个", ">=", None)]),
        ("宣传教育", [(Decimal(20), None, "场", ">=", None)]),
    ]


def test_chapters_and_articles_nest_over_the_usual_numbering():
    plan = parse_text(
        "第一章 总则\n第一条 目的。\n第二章 考核内容\n第二条 组织建设\n一、建组织\n（一）建妇女之家\n"
    )
    assert [path for path, _title, _t in labelled(plan)] == [
        "第一章",
        "第一章/第一条",
        "第二章",
        "第二章/第二条",
        "第二章/第二条/一",
        "第二章/第二条/一/（一）",
    ]


def test_a_real_first_label_is_not_taken_for_a_page_marker():
    # After a heading (a line that starts with a label), 1、 is that heading's first item.
    plan = parse_text("某县妇联工作要点\n一、促进就业\n（一）加强培训\n1、培训妇女300人。 二、维护权益\n")
    assert [path for path, _title, _t in labelled(plan)] == ["一", "一/（一）", "一/（一）/1", "二"]


def test_speech_items_are_marked_and_table_rows_keep_their_deadline():
    plan = parse_text("一、加强学习\n要做到：一是学理论；二是学业务。\n")
    assert [c.kind for c in plan.points[0].children] == ["speech", "speech"]
    rows = parse_text("2032年重点任务\n序号\t工作任务\t目标\t完成时限\n1\t举办讲堂\t30场\t6月底前\n")
    assert [(p.kind, p.title, p.due, summary(p.targets)) for p in rows.points] == [
        ("row", "举办讲堂", "6月底前", [(Decimal(30), None, "场", ">=", None)])
    ]


def test_document_year_and_the_year_warning():
    plan = seed("hunan-2013-work-points-notice.txt")
    assert plan.year == 2013
    assert plan.year_warning(2013) is None
    assert plan.year_warning(2014) == "这份通知是2013年的，要导入为2014年计划吗？"
    assert parse_text("青妇发\n〔2032〕3号\n关于做好工作的通知\n一、学习\n").year == 2032


def word_numbered(levels: str, *paragraphs: tuple[str, str, str]) -> bytes:
    namespace = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = "".join(
        f'<w:p><w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr></w:pPr>'
        f"<w:r><w:t>{text}</w:t></w:r></w:p>"
        if num
        else f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"
        for num, level, text in paragraphs
    )
    numbering = (
        f'<w:numbering {namespace}><w:abstractNum w:abstractNumId="5">{levels}</w:abstractNum>'
        '<w:num w:numId="1"><w:abstractNumId w:val="5"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="5"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num></w:numbering>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", f"<w:document {namespace}><w:body>{body}</w:body></w:document>")
        archive.writestr("word/numbering.xml", numbering)
    return buffer.getvalue()


def level(index: int, kind: str, text: str) -> str:
    return (
        f'<w:lvl w:ilvl="{index}"><w:start w:val="1"/><w:numFmt w:val="{kind}"/>'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
    )


def test_word_numbering_renders_the_labels_the_reader_sees():
    levels = (
        level(0, "chineseCounting", "%1、")
        + level(1, "chineseCounting", "（%2）")
        + level(2, "decimal", "%3．")
        + level(3, "decimalEnclosedCircle", "%4")
    )
    data = word_numbered(
        levels,
        ("", "", "某镇妇联2032年工作要点"),
        ("1", "0", "组织建设"),
        ("1", "1", "建阵地"),
        ("1", "2", "新建妇女之家5个。"),
        ("1", "3", "选址"),
        ("1", "1", "强队伍"),
        ("1", "0", "宣传教育"),
        ("1", "1", "办讲座"),
        # A second list of one definition that restarts (numbering in a second section).
        ("2", "0", "附加任务"),
    )
    plan = parse_document(data, "要点.docx")
    assert [(path, title) for path, title, _t in labelled(plan)] == [
        ("一", "组织建设"),
        ("一/（一）", "建阵地"),
        ("一/（一）/1", "新建妇女之家5个"),
        ("一/（一）/1/①", "选址"),
        ("一/（二）", "强队伍"),
        ("二", "宣传教育"),
        ("二/（一）", "办讲座"),
        ("一", "附加任务"),
    ]


@pytest.mark.parametrize(
    ("number", "kind", "label"),
    [
        (1, "chineseCounting", "一"),
        (10, "chineseCounting", "十"),
        (11, "chineseCountingThousand", "十一"),
        (20, "chineseCounting", "二十"),
        (105, "chineseCounting", "一百零五"),
        (3, "decimalEnclosedCircle", "③"),
        (2, "ideographTraditional", "乙"),
        (4, "upperRoman", "IV"),
        (28, "lowerLetter", "bb"),
        (12, "decimalFullWidth", "１２"),
        (5, "decimalZero", "05"),
        (3, "bullet", ""),
        (7, "unknownFormat", "7"),
    ],
)
def test_word_number_formats(number, kind, label):
    from plans.parsing.wordnumbering import format_number

    assert format_number(number, kind) == label


@pytest.mark.parametrize(
    "text",
    [
        "在1个村" * 30_000,  # a preposition before every number, a verb after none, no punctuation
        "培训妇女1人\t" * 30_000 + "全年",  # a table row without end whose period comes after
        "1、" + "一、" * 30_000,  # a page marker before a run of headings
        "1\n、" * 9_000,  # labels split from their numbers
    ],
)
def test_the_new_rules_stay_linear(text):
    # A deadline the quadratic versions overran many times over (see test_parsing_budget).
    parse_text(text, time_limit=5)
