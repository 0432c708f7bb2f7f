"""Context that decides: exclusions, lead-in (柱書) to items (各号), digital alternatives, who is obliged."""
import pytest

from analogmap.corpus.model import Document, DocumentBuilder, Provision
from analogmap.corpus.snippet import document_from_paragraphs
from analogmap.extractors.engine import Extractor, split_sentences, strip_parentheticals


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def open_types(extractor, *paragraphs, caption=None):
    findings = extractor.extract(document_from_paragraphs(list(paragraphs), caption=caption))
    return {f.type for f in findings if not f.digital_alternative}


def with_items(leadin: str, items: list[str], caption: str | None = None) -> Document:
    """One article whose first paragraph is a lead-in with numbered items."""
    builder = DocumentBuilder()
    start = builder.position
    if caption:
        builder.add_line(caption)
    p_start, p_end = builder.add_line(leadin, prefix="第一条　")
    paragraph = Provision("t#a1-p1", "paragraph", "1", "第一条第一項", leadin, p_start, p_end, parent_id="t#a1")
    for number, text in enumerate(items, start=1):
        i_start, i_end = builder.add_line(text, prefix="一　")
        paragraph.children.append(Provision(f"t#a1-p1-i{number}", "item", str(number), f"第一条第一項第{number}号",
                                            text, i_start, i_end, parent_id="t#a1-p1"))
    text = builder.text()
    article = Provision("t#a1", "article", "1", "第一条", text[start:builder.position - 1], start,
                        builder.position - 1, caption=caption, children=[paragraph])
    return Document("t", "t", "法律", "国", None, "<test>", "0", text, [article])


@pytest.mark.parametrize("text", [
    "この法律において「定期検査」とは、第十条の規定により行う検査をいう。",
    "第十条の規定に違反して掲示しなかつた者は、十万円以下の罰金に処する。",
    "正当な理由がないのに帳簿の閲覧を拒んだ者は、十万円以下の過料に処する。",
    "何人も、みだりに広告物を掲示してはならない。",
    "前条の規定は、届出について準用する。",
    "組合は、定期積金の受入れを行うことができる。",
    "第五条の規定による閲覧に関する事務は、市町村長が行う。",
    "無人航空機を飛行させる者は、その周囲を目視により常時監視しなければならない。",
    "委員会は、金融商品市場における取引の公正を確保するため、市場を監視しなければならない。",
    "事業者は、従業者に研修を受けさせるよう努めなければならない。",
    "審議会の議事は、出席した委員の過半数で決する。",
    "前項の規定による立入検査の権限は、犯罪捜査のために認められたものと解釈してはならない。",
    "国は、第十条の規定により職員が他人の土地に立ち入つて測量したことによつて生じた損失を補償しなければならない。",
    "市町村長は、当該施設に立入検査をさせた場合において必要があると認めるときは、立入検査をさせた市町村長は、その旨を知事に通知しなければならない。",
    "容器検査所の登録を受けた者は、容器が再検査に合格したときは、その容器に、標章を掲示しなければならない。",
    "国土交通大臣に意見を求められて出頭した参考人に支給する旅費の額は、政令で定める。",
    "法第十条の規定による縦覧は、当該事業者のウェブサイトへの掲載により行うものとする。",
    "何人も、公園管理者が指定した立入禁止区域内に立ち入つてはならない。",
    "申請者は、書面の提示に代えて、当該事実を確認することにより行うことができる。",
    "前項の規定による環境大臣による報告の徴収又はその職員による立入検査は、緊急の必要があると認められる場合に行うものとする。",
    "前項の規定による立入り、質問又は検査をする職員は、その立入り、質問又は検査の相手方にその理由を示さなければならない。",
    "前二項の規定による記録の閲覧及び謄写の請求は、当該記録の保存に支障があるときは、することができない。",
    "教習指導員審査を受けようとする者が審査を免除される者である場合にあつては、手数料の額は、政令で定める額とする。",
    "都道府県知事は、土地区画整理事業ごとに、経験を有する者三人以上を、審議会の同意を得て、評価員に選任しなければならない。",
    "外国信託会社の支店に駐在する役員が欠格事由に該当したときは、大臣は、その解任を命ずることができる。",
    "道路管理者は、信号機又は道路標識を前方から見やすいように設置しなければならない。",
    "公安委員会は、講習を修了した者に対し、講習修了証明書を交付しなければならない。",
    "施行地区を工区に分けた場合においては、審議会は、工区ごとに置くことができる。",
    "狩猟者登録を受けた者は、狩猟をするときは、狩猟者記章を衣服又は帽子の見やすい場所に着用しなければならない。",
])
def test_exclusions(extractor, text):
    assert open_types(extractor, text) == set()


def test_penalty_caption_excludes_the_article(extractor):
    assert open_types(extractor, "次の各号のいずれかに該当する者は、掲示をしなかつたものとする。", caption="（罰則）") == set()


def test_conditional_clause_is_not_the_duty(extractor):
    assert open_types(extractor, "再教育講習を受けたときは、処分を軽減することができる。") == set()
    assert open_types(extractor, "事業者は、再教育講習を受けなければならない。") == {"inperson_training"}


def test_leadin_obligation_applies_to_items(extractor):
    document = with_items("事業者は、次に掲げる事項を事務所の見やすい場所に掲示しなければならない。",
                          ["料金", "営業時間"])
    findings = extractor.extract(document)
    assert [(f.provision_id, f.type) for f in findings] == [("t#a1-p1", "paper_posting")]
    assert findings[0].applies_to == ["t#a1-p1-i1", "t#a1-p1-i2"]


def test_item_duty_takes_the_leadin_modality(extractor):
    document = with_items("特定元方事業者は、次の事項に関する必要な措置を講じなければならない。",
                          ["協議組織の設置及び運営を行うこと。", "作業場所を巡視すること。"])
    assert {(f.provision_id, f.type) for f in extractor.extract(document)} == {("t#a1-p1-i2", "visual_inspection")}


def test_prohibiting_leadin_excludes_its_items(extractor):
    document = with_items("営業者は、次に掲げる行為をしてはならない。", ["虚偽の広告を掲示すること。"])
    assert extractor.extract(document) == []


def test_digital_alternative_in_the_same_provision_and_in_the_article(extractor):
    findings = extractor.extract(document_from_paragraphs([
        "事業者は、料金を営業所において公衆に見やすいように掲示するとともに、電気通信回線に接続して行う自動公衆送信により公衆の閲覧に供しなければならない。"]))
    assert [(f.type, f.digital_alternative, f.alternative_rule) for f in findings] == \
        [("paper_posting", True, "DA-WEB-PUBLICATION")]
    two = extractor.extract(document_from_paragraphs([
        "古物商は、営業所ごとに、公衆の見やすい場所に、標識を掲示しなければならない。",
        "古物商は、その事業の規模が著しく小さい場合を除き、その氏名を電気通信回線に接続して行う自動公衆送信により公衆の閲覧に供しなければならない。"]))
    assert {(f.type, f.digital_alternative) for f in two} == {("paper_posting", True)}
    conditional = extractor.extract(document_from_paragraphs([
        "古物商は、営業所ごとに、公衆の見やすい場所に、標識を掲示しなければならない。",
        "古物商は、インターネットを利用して取引をしようとするときは、その氏名を自動公衆送信により公衆の閲覧に供しなければならない。"]))
    assert {(f.type, f.digital_alternative) for f in conditional} == {("paper_posting", False)}


def test_another_paragraph_offering_a_substitute(extractor):
    findings = extractor.extract(document_from_paragraphs([
        "申請者は、申請書を知事に提出しなければならない。",
        "前項の申請書の提出に代えて、電磁的方法により提出することができる。"]))
    by_paragraph = {(f.provision_id, f.type, f.digital_alternative) for f in findings}
    assert ("snippet#a1-p1", "paper_procedure", True) in by_paragraph


def test_who_is_obliged(extractor):
    authority = extractor.extract(document_from_paragraphs(
        ["都道府県知事は、その職員に、事業所に立ち入り、帳簿を検査させることができる。"]))
    assert {f.obliged for f in authority} == {"authority"}
    party = extractor.extract(document_from_paragraphs(["事業者は、営業所の見やすい場所に掲示しなければならない。"]))
    assert {f.obliged for f in party} == {"regulated_party"}


def test_permission_of_a_regulated_party_is_not_a_finding(extractor):
    assert open_types(extractor, "当事者は、代理人を出頭させることができる。") == set()


def test_multi_label_on_one_provision(extractor):
    assert open_types(extractor, "管理者は、一年に一回以上、近接目視により点検を行わなければならない。") == \
        {"visual_inspection", "periodic_inspection"}


def test_finding_offsets_point_into_the_document(extractor):
    document = document_from_paragraphs(["旅館業者は、宿泊料金を営業所の見やすい場所に掲示しなければならない。"])
    (finding,) = extractor.extract(document)
    assert document.text[finding.start:finding.end] == finding.trigger == "掲示"
    assert finding.rule == "PP-01" and 0 < finding.confidence < 1 and finding.phase == 1 and finding.max_phase == 3


def test_sentences_split_outside_brackets():
    text = "甲は、乙（丙を除く。以下同じ。）に通知する。ただし、この限りでない。"
    assert [text[a:b] for a, b in split_sentences(text)] == ["甲は、乙（丙を除く。以下同じ。）に通知する。", "ただし、この限りでない。"]
    assert strip_parentheticals("乙（丙（丁）を除く。）に") == "乙に"


def test_leadin_listing_attachments_carries_only_the_paper_duty(extractor):
    document = with_items("前項の申請書には、次に掲げる書類を添付しなければならない。",
                          ["主任技術者が工事現場に専任で置かれることを誓約する書面", "講習の受講を証する書面"])
    assert {f.type for f in extractor.extract(document) if not f.digital_alternative} == {"paper_procedure"}


def test_leadin_listing_rejection_grounds_is_not_a_duty(extractor):
    document = with_items("大臣は、次に掲げる場合においては、申請を却下しなければならない。",
                          ["指定した期日に実地調査に立ち会わないとき。"])
    assert {f.type for f in extractor.extract(document)} == set()


def test_posting_by_a_citation_that_fixes_the_board_is_a_finding(extractor):
    """『…の規定による掲示は、…掲示板を設けることにより行う』 fixes the physical means: not a mere citation."""
    assert open_types(extractor, "法第十八条第五項の規定による掲示は、縦四十二センチメートル以上の掲示板を設けることにより行うものとする。") \
        == {"paper_posting"}


@pytest.mark.parametrize("text,code", [
    ("港湾管理者は、縦覧の開始の日及び場所を公報、掲示その他の方法で公告しなければならない。", "paper_posting"),
    ("道路管理者は、物件の名称を事務所に掲示し、又はこれに準ずる適当な方法で公示しなければならない。", "paper_posting"),
    ("議事録が書面で作成されているときは、議長及び出席した区分所有者の二人がこれに署名しなければならない。", "paper_procedure"),
    ("機構は、書面の送付その他適当な方法により、資料の提供を求めなければならない。", "paper_procedure"),
    ("大臣は、書面による調査又は実地の調査を行わなければならない。", "onsite_audit"),
])
def test_free_or_electronic_choice_makes_it_digital(extractor, text, code):
    findings = [f for f in extractor.extract(document_from_paragraphs([text])) if f.type == code]
    assert findings and all(f.digital_alternative for f in findings)


def test_a_substitute_in_another_paragraph_of_the_article(extractor):
    findings = extractor.extract(document_from_paragraphs([
        "前項の申請書には、図面を添付しなければならない。",
        "前項の図面が、スキャナにより読み取る方法で作成されたファイルに記録され、映像面に表示されるときは、当該記録をもつて前項の図面に代えることができる。",
    ]))
    assert [f for f in findings if f.type == "paper_procedure"]
    assert all(f.digital_alternative for f in findings if f.type == "paper_procedure")


def test_officials_acting_by_order_are_the_authority(extractor):
    findings = extractor.extract(document_from_paragraphs([
        "施設管理者又はその命じた者若しくは委任した者は、調査のためやむを得ない必要があるときは、他人の土地に立ち入ることができる。"]))
    assert [f.obliged for f in findings if f.type == "onsite_audit"] == ["authority"]


def test_a_form_naming_who_is_notified_is_not_a_paper_duty(extractor):
    assert open_types(extractor, "大臣は、前項の意見の聴取の期日及び場所をその意見書を提出した者に通知しなければならない。") \
        == {"inperson_meeting"}


@pytest.mark.parametrize("text", [
    "当該職員は、前条の規定により他人の土地に立ち入つて測量又は調査を行うに当り、障害となる植物を伐除することができる。",
    "国土交通大臣は、前項の立入検査の結果に基づき、必要な措置を求めることができる。",
    "営業者は、十八歳未満の者を客として立ち入らせてはならない。",
    "警備業者は、警備員を実地に指導しなければならない。",
])
def test_side_clauses_of_entry_are_not_onsite_audits(extractor, text):
    assert "onsite_audit" not in open_types(extractor, text)


def test_joint_signature_is_a_paper_requirement(extractor):
    assert "paper_procedure" in open_types(extractor, "申請書を提出するには、当事者が連署しなければならない。")


def test_writing_offered_beside_speaking_is_not_a_paper_duty(extractor):
    assert "paper_procedure" not in open_types(
        extractor, "審査請求人は、新たに意見書を提出し、又は口頭で意見を述べることができる。")
